//! The numbers one steers by: cash collected, what clients owe and how late, DSO, what waits
//! for validation, the latest payments, six months of invoiced and collected amounts.

use chrono::{Datelike, Days, Months, NaiveDate};
use encaisse_core::receivables::{self, Aging, OpenItem};
use encaisse_core::role::Permission;
use encaisse_core::{Currency, Money};
use encaisse_store::reporting::PaymentFact;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::auth::Actor;
use crate::{App, AppError, Result};

/// The window of the DSO and of "collected" on the dashboard, in days.
pub const DSO_DAYS: u32 = 90;

/// Invoiced and collected in one calendar month, in the organization's currency.
#[derive(Clone, Debug, Serialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
    pub invoiced: Money,
    pub collected: Money,
}

/// The dashboard of an organization, in its currency (amounts in other currencies are
/// listed apart in `other_outstanding`, never added).
#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    pub currency: Currency,
    pub today: NaiveDate,
    /// Payments received in the last 30 and [`DSO_DAYS`] days.
    pub collected_30: Money,
    pub collected_90: Money,
    /// What open invoices still owe.
    pub outstanding: Money,
    pub aging: Aging,
    /// Days sales outstanding over the last [`DSO_DAYS`] days: outstanding today ÷ gross
    /// invoiced (not cancelled) in those days × [`DSO_DAYS`]. `None` when nothing was
    /// invoiced then.
    pub dso: Option<Decimal>,
    /// Invoices pending approval, and those the viewer may decide.
    pub waiting: i64,
    pub waiting_for_me: usize,
    pub latest_payments: Vec<PaymentFact>,
    /// Oldest first, the current month last.
    pub months: Vec<Month>,
    pub other_outstanding: Vec<Money>,
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

impl App {
    pub async fn dashboard(&self, actor: &Actor) -> Result<Dashboard> {
        actor.require(Permission::Read, "read the dashboard")?;
        let org = actor.organization_id;
        let today = self.today();
        let since_90 = today - Days::new(u64::from(DSO_DAYS));
        let since_30 = today - Days::new(30);
        let first_month = first_of_month(today)
            .checked_sub_months(Months::new(5))
            .unwrap_or(today);
        let mut tx = self.store.read().await?;
        let currency = tx.organization(org).await?.currency;
        let open = tx.open_balances(org).await?;
        let issued = tx.issued_since(org, first_month.min(since_90)).await?;
        let payments = tx
            .payments_since(org, first_month.min(since_90), None, 10_000)
            .await?;
        let waiting = tx.count_pending_approval(org).await?;
        tx.commit().await?;
        let waiting_for_me = if actor.role.allows(Permission::Approve) {
            self.waiting_for_me(actor).await?.len()
        } else {
            0
        };
        let conflict = |e: encaisse_core::MoneyError| AppError::Conflict(e.to_string());
        let items: Vec<OpenItem> = open
            .iter()
            .map(|b| OpenItem {
                due_date: b.due_date,
                outstanding: b.outstanding,
            })
            .collect();
        let aging = receivables::aging(&items, currency, today).map_err(conflict)?;
        let outstanding = aging.total().map_err(conflict)?;
        let sum = |it: &mut dyn Iterator<Item = Money>| -> Result<Money> {
            let mut total = Money::zero(currency);
            for m in it {
                total = total.checked_add(&m).map_err(conflict)?;
            }
            Ok(total)
        };
        let mine = |m: &Money| m.currency() == currency;
        let collected_30 = sum(&mut payments
            .iter()
            .filter(|p| mine(&p.amount) && p.received_on >= since_30)
            .map(|p| p.amount))?;
        let collected_90 = sum(&mut payments
            .iter()
            .filter(|p| mine(&p.amount) && p.received_on >= since_90)
            .map(|p| p.amount))?;
        let invoiced_90 = sum(&mut issued
            .iter()
            .filter(|i| mine(&i.gross) && i.issue_date >= since_90)
            .map(|i| i.gross))?;
        let mut months = Vec::new();
        let mut m = first_month;
        while m <= today {
            let next = m.checked_add_months(Months::new(1)).unwrap_or(today);
            let within = |d: NaiveDate| d >= m && d < next;
            months.push(Month {
                year: m.year(),
                month: m.month(),
                invoiced: sum(&mut issued
                    .iter()
                    .filter(|i| mine(&i.gross) && within(i.issue_date))
                    .map(|i| i.gross))?,
                collected: sum(&mut payments
                    .iter()
                    .filter(|p| mine(&p.amount) && within(p.received_on))
                    .map(|p| p.amount))?,
            });
            m = next;
        }
        let mut other: Vec<Money> = Vec::new();
        for b in open.iter().filter(|b| !mine(&b.outstanding)) {
            match other
                .iter_mut()
                .find(|o| o.currency() == b.outstanding.currency())
            {
                Some(o) => *o = o.checked_add(&b.outstanding).map_err(conflict)?,
                None => other.push(b.outstanding),
            }
        }
        Ok(Dashboard {
            currency,
            today,
            collected_30,
            collected_90,
            dso: receivables::dso(&outstanding, &invoiced_90, DSO_DAYS),
            outstanding,
            aging,
            waiting,
            waiting_for_me,
            latest_payments: payments.into_iter().take(8).collect(),
            months,
            other_outstanding: other,
        })
    }

    /// Payments of one client (newest first), for its page.
    pub async fn client_payments(
        &self,
        actor: &Actor,
        client: uuid::Uuid,
    ) -> Result<Vec<PaymentFact>> {
        actor.require(Permission::Read, "read payments")?;
        let mut tx = self.store.read().await?;
        tx.client(actor.organization_id, client).await?;
        let since = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        let rows = tx
            .payments_since(actor.organization_id, since, Some(client), 50)
            .await?;
        tx.commit().await?;
        Ok(rows)
    }
}
