//! Accounting exports of issued documents and recorded payments: the French FEC, a generic
//! journal CSV and Memsoft Oxygène sales documents. The books are kept in the organization's
//! currency; read-only use cases (nothing is written, nothing audited).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use encaisse_core::Currency;
use encaisse_core::invoice::Invoice;
use encaisse_core::role::Permission;
use encaisse_core::totals::Totals;
use encaisse_documents::fec::{self, FecEncoding, FecFile, FecOptions};
use encaisse_documents::journal;
pub use encaisse_documents::journal::CsvFormat;
use encaisse_documents::ledger::{ChartOfAccounts, Customer, Ledger, Payment, SalesDocument};
use encaisse_documents::oxygene::{self, Mapping, OxygeneDocument};
use encaisse_store::documents::{AccountCodes, ClientAccounting};
use uuid::Uuid;

use crate::auth::Actor;
use crate::documents::Parties;
use crate::{App, AppError, Result};

/// The auxiliary account (and Oxygène client code) of a client: the stored one, or `C`
/// followed by the first twelve letters and digits of the name, upper-cased.
pub fn customer_code(name: &str, accounting: &ClientAccounting) -> String {
    if let Some(code) = accounting
        .accounting_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        return code.to_owned();
    }
    let letters: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_ascii_uppercase();
    format!("C{letters}")
}

fn chart(a: &AccountCodes) -> ChartOfAccounts {
    let d = ChartOfAccounts::default();
    ChartOfAccounts {
        customers: (a.customer.clone(), d.customers.1),
        revenue: (a.revenue.clone(), d.revenue.1),
        vat_collected: (a.vat.clone(), d.vat_collected.1),
        bank: (a.bank.clone(), d.bank.1),
        sales_journal: (a.sales_journal.clone(), d.sales_journal.1),
        bank_journal: (a.bank_journal.clone(), d.bank_journal.1),
        ..d
    }
}

/// The issued documents of a period with what they are booked and exported from.
struct Period {
    parties: HashMap<Uuid, Parties>,
    documents: Vec<(Invoice, Totals)>,
    payments: Vec<encaisse_store::documents::PaymentRecord>,
    accounts: AccountCodes,
    book_currency: Currency,
    siren: Option<encaisse_core::identifiers::Siren>,
}

/// A journal export and what it had to leave out.
#[derive(Clone, Debug)]
pub struct JournalExport {
    pub csv: Vec<u8>,
    pub currency: Currency,
    /// Documents and payments in other currencies, left out (export them with their currency).
    pub left_out: usize,
}

impl App {
    async fn period(&self, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<Period> {
        actor.require(Permission::Read, "export the books")?;
        if to < from {
            return Err(AppError::invalid(
                "to",
                format!("{to} is before {from}: give the period's first day, then its last"),
            ));
        }
        let org_id = actor.organization_id;
        let mut tx = self.store.read().await?;
        let org = tx.organization(org_id).await?;
        let settings = tx.document_settings(org_id).await?;
        let mut parties: HashMap<Uuid, Parties> = HashMap::new();
        let mut documents = Vec::new();
        for id in tx.issued_invoice_ids(org_id, from, to).await? {
            let invoice = tx.invoice(org_id, id).await?;
            if let Entry::Vacant(slot) = parties.entry(invoice.client_id) {
                slot.insert(Parties::load(&mut tx, org_id, invoice.client_id).await?);
            }
            let totals = invoice
                .totals()
                .map_err(|e| AppError::Conflict(format!("stored invoice {id}: {e}")))?;
            documents.push((invoice, totals));
        }
        let payments = tx.payments_received(org_id, from, to).await?;
        for p in &payments {
            if !documents.iter().any(|(i, _)| i.id == p.invoice_id) {
                // A payment of a document issued before the period: its client is needed.
                let inv = tx.invoice(org_id, p.invoice_id).await?;
                if let Entry::Vacant(slot) = parties.entry(inv.client_id) {
                    slot.insert(Parties::load(&mut tx, org_id, inv.client_id).await?);
                }
            }
        }
        tx.commit().await?;
        Ok(Period {
            parties,
            documents,
            payments,
            accounts: settings.accounts,
            book_currency: org.currency,
            siren: org.ids.siren.clone().or_else(|| {
                org.ids
                    .siret
                    .as_ref()
                    .and_then(|s| encaisse_core::identifiers::Siren::parse(s.siren()).ok())
            }),
        })
    }

    /// Books the period's documents and payments in `currency` (those in other currencies
    /// are counted and left out).
    async fn ledger(
        &self,
        actor: &Actor,
        period: &Period,
        currency: Currency,
    ) -> Result<(Ledger, usize)> {
        let mut left_out = 0;
        let mut sales = Vec::new();
        let mut numbers: HashMap<Uuid, String> = HashMap::new();
        for (invoice, totals) in &period.documents {
            if invoice.currency != currency {
                left_out += 1;
                continue;
            }
            let p = &period.parties[&invoice.client_id];
            let code = customer_code(&p.client.name, &p.accounting);
            let doc = SalesDocument::from_issued(invoice, &p.client, totals, &code)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
            numbers.insert(invoice.id, doc.number.clone());
            sales.push(doc);
        }
        let mut payments = Vec::new();
        for pay in &period.payments {
            if pay.amount.currency() != currency {
                left_out += 1;
                continue;
            }
            let invoice = match period
                .documents
                .iter()
                .find(|(i, _)| i.id == pay.invoice_id)
            {
                Some((i, _)) => i.clone(),
                None => self.invoice_detail(actor, pay.invoice_id).await?.invoice,
            };
            let p = &period.parties[&invoice.client_id];
            let number = invoice.number.clone().unwrap_or_default();
            let short = pay.id.simple().to_string();
            payments.push(Payment {
                date: pay.received_on,
                reference: pay
                    .reference
                    .clone()
                    .filter(|r| !r.trim().is_empty())
                    .unwrap_or_else(|| format!("PAY-{}", &short[short.len() - 8..])),
                label: format!("Règlement {number} {}", p.client.name),
                customer: Customer {
                    account: customer_code(&p.client.name, &p.accounting),
                    name: p.client.name.clone(),
                },
                amount: pay.amount,
                exchange_rate: None,
                // Lettering links a payment to documents of the same export only.
                settles: numbers
                    .get(&pay.invoice_id)
                    .map(|n| vec![n.clone()])
                    .unwrap_or_default(),
            });
        }
        let ledger = Ledger::post(&sales, &payments, &chart(&period.accounts), currency)
            .map_err(|e| AppError::invalid("ledger", e))?;
        Ok((ledger, left_out))
    }

    /// The FEC (fichier des écritures comptables) of a calendar year: the sales journal for
    /// issued invoices and credit notes, the bank journal for recorded payments, named
    /// `SIRENFECyyyymmdd.txt`. French organizations only (it needs the SIREN); every document
    /// must be in the organization's currency.
    pub async fn export_fec(&self, actor: &Actor, year: i32) -> Result<FecFile> {
        let (from, to) = year_bounds(year)?;
        let period = self.period(actor, from, to).await?;
        let Some(siren) = period.siren.clone() else {
            return Err(AppError::invalid(
                "organization.siren",
                "the FEC is the French tax audit file and is named after the SIREN: set the organization's SIREN, or use `export journal` for a generic journal",
            ));
        };
        let (ledger, left_out) = self.ledger(actor, &period, period.book_currency).await?;
        if left_out > 0 {
            return Err(AppError::invalid(
                "currency",
                format!(
                    "{left_out} documents or payments of {year} are not in {}: the FEC books them in euros at a rate encaisse does not store yet; export them with `export journal --currency`",
                    period.book_currency
                ),
            ));
        }
        Ok(fec::export(
            &ledger,
            &FecOptions {
                siren,
                closing_date: to,
                encoding: FecEncoding::Latin9,
            },
        ))
    }

    /// The journal CSV of a period in one currency (the organization's when `None`).
    pub async fn export_journal(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        currency: Option<Currency>,
        format: CsvFormat,
    ) -> Result<JournalExport> {
        let period = self.period(actor, from, to).await?;
        let currency = currency.unwrap_or(period.book_currency);
        let (ledger, left_out) = self.ledger(actor, &period, currency).await?;
        let csv = journal::to_csv(&ledger, format).map_err(|e| AppError::invalid("journal", e))?;
        Ok(JournalExport {
            csv,
            currency,
            left_out,
        })
    }

    /// The period's issued documents as Oxygène sales documents, shaped by `mapping` (TOML
    /// text; the mapping shipped with encaisse when `None`).
    pub async fn export_oxygene(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        mapping: Option<&str>,
    ) -> Result<Vec<u8>> {
        let mapping = match mapping {
            Some(text) => Mapping::from_toml(text),
            None => Mapping::builtin(),
        }
        .map_err(|e| AppError::invalid("mapping", e))?;
        let period = self.period(actor, from, to).await?;
        let codes: Vec<String> = period
            .documents
            .iter()
            .map(|(i, _)| {
                let p = &period.parties[&i.client_id];
                customer_code(&p.client.name, &p.accounting)
            })
            .collect();
        let inputs = period
            .documents
            .iter()
            .map(|(i, t)| period.parties[&i.client_id].input(i, t))
            .collect::<Result<Vec<_>>>()?;
        let docs: Vec<OxygeneDocument<'_>> = inputs
            .iter()
            .zip(&codes)
            .map(|(input, code)| OxygeneDocument {
                input,
                client_code: code,
            })
            .collect();
        oxygene::export(&docs, &mapping).map_err(|e| AppError::invalid("oxygene", e))
    }
}

/// The first and last day of a calendar year.
pub fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate)> {
    match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(AppError::invalid("year", format!("{year} is not a year"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_codes_come_from_the_name_unless_stored() {
        let none = ClientAccounting::default();
        assert_eq!(
            customer_code("Boulangeries Lefèvre SAS", &none),
            "CBOULANGERIES"
        );
        let stored = ClientAccounting {
            accounting_code: Some("411LEF".into()),
            ..Default::default()
        };
        assert_eq!(customer_code("Boulangeries Lefèvre SAS", &stored), "411LEF");
    }
}
