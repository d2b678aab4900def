//! The simulator's data: one organization with its bank accounts and transactions, API
//! keys, OAuth clients, codes and tokens, webhook subscriptions, and the movable clock that
//! settles, declines and reverses pending transactions.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::clockify::Rng;

/// A UUID-shaped id, deterministic from a kind and a number.
pub fn uuid_like(kind: u16, n: u64) -> String {
    format!(
        "{:08x}-{kind:04x}-4000-8000-{:012x}",
        0x0191_0000u32 | u32::from(kind),
        n & 0xFFFF_FFFF_FFFF
    )
}

pub(crate) const KIND_ORG: u16 = 1;
pub(crate) const KIND_ACCOUNT: u16 = 2;
pub(crate) const KIND_TX: u16 = 3;
pub(crate) const KIND_SUB: u16 = 4;
pub(crate) const KIND_EVENT: u16 = 5;
pub(crate) const KIND_MEMBERSHIP: u16 = 6;

/// The status of a simulated transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TxStatus {
    Pending,
    Completed,
    Declined,
    Reversed,
}

impl TxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TxStatus::Pending => "pending",
            TxStatus::Completed => "completed",
            TxStatus::Declined => "declined",
            TxStatus::Reversed => "reversed",
        }
    }

    pub fn parse(s: &str) -> Option<TxStatus> {
        Some(match s {
            "pending" => TxStatus::Pending,
            "completed" => TxStatus::Completed,
            "declined" => TxStatus::Declined,
            "reversed" => TxStatus::Reversed,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct AccountRec {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub main: bool,
    pub iban: String,
    pub bic: String,
    pub currency: String,
    /// Booked money at seeding time, before any seeded or added transaction.
    pub opening_cents: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct TxRec {
    pub id: String,
    pub transaction_id: String,
    pub account: usize,
    /// Positive; the direction is `credit`.
    pub amount_cents: i64,
    pub currency: String,
    pub credit: bool,
    pub operation_type: String,
    pub status: TxStatus,
    pub label: String,
    pub counterparty_name: String,
    pub counterparty_iban: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub emitted_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Status changes still to come, in time order.
    pub plan: Vec<(DateTime<Utc>, TxStatus)>,
}

impl TxRec {
    /// Signed effect on the booked balance.
    pub fn booked_cents(&self) -> i64 {
        match (self.status, self.credit) {
            (TxStatus::Completed, true) => self.amount_cents,
            (TxStatus::Completed, false) => -self.amount_cents,
            _ => 0,
        }
    }

    /// Signed effect on the authorized balance (pending debits already count).
    pub fn authorized_cents(&self) -> i64 {
        match (self.status, self.credit) {
            (TxStatus::Pending, false) => -self.amount_cents,
            _ => self.booked_cents(),
        }
    }
}

/// A registered OAuth client.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OAuthClientRec {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct CodeRec {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub challenge: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

#[derive(Clone, Debug)]
pub struct AccessRec {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct RefreshRec {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    /// When it was first exchanged for a new one; refused after the grace period.
    pub rotated_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct SubscriptionRec {
    pub id: String,
    pub callback_url: String,
    pub types: Vec<String>,
    pub description: Option<String>,
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What to seed the organization with.
#[derive(Clone, Debug)]
pub struct QontoSeed {
    /// Distinguishes runs (ids, tokens and generated data).
    pub seed: u64,
    /// The organization login of API keys.
    pub slug: String,
    pub legal_name: String,
    /// The API key's secret part.
    pub secret_key: String,
    /// The simulated clock at start.
    pub start: DateTime<Utc>,
    /// `(name, IBAN, currency, opening balance in cents)`; the first is the main account.
    pub accounts: Vec<(String, String, String, i64)>,
    /// Completed transactions generated per account over the 90 days before `start`.
    pub transactions_per_account: usize,
    pub oauth_clients: Vec<OAuthClientRec>,
}

impl QontoSeed {
    /// One EUR account, a few dozen transactions, one OAuth client
    /// (`encaisse-test` / `encaisse-test-secret`, redirect `http://127.0.0.1/callback`).
    pub fn small(seed: u64) -> QontoSeed {
        QontoSeed {
            seed,
            slug: "atelier-durand-4821".into(),
            legal_name: "Atelier Durand SARL".into(),
            secret_key: format!("sk-sandbox-{seed:04x}"),
            start: Utc
                .with_ymd_and_hms(2026, 4, 1, 8, 0, 0)
                .single()
                .unwrap_or_else(Utc::now),
            accounts: vec![(
                "Compte principal".into(),
                "FR7616958000017283940556031".into(),
                "EUR".into(),
                2_500_000,
            )],
            transactions_per_account: 40,
            oauth_clients: vec![OAuthClientRec {
                client_id: "encaisse-test".into(),
                client_secret: "encaisse-test-secret".into(),
                redirect_uris: vec!["http://127.0.0.1/callback".into()],
            }],
        }
    }
}

/// Everything the simulator holds.
#[derive(Debug)]
pub struct QontoState {
    pub seed: u64,
    pub now: DateTime<Utc>,
    pub org_id: String,
    pub membership_id: String,
    pub slug: String,
    pub legal_name: String,
    pub secret_key: String,
    pub accounts: Vec<AccountRec>,
    pub transactions: Vec<TxRec>,
    pub clients: Vec<OAuthClientRec>,
    pub codes: HashMap<String, CodeRec>,
    pub access_tokens: HashMap<String, AccessRec>,
    pub refresh_tokens: HashMap<String, RefreshRec>,
    pub subscriptions: Vec<SubscriptionRec>,
    pub next_id: u64,
    /// Refresh grants answered with new tokens.
    pub refresh_grants: u64,
    /// Webhook deliveries made so far.
    pub deliveries: Vec<super::webhooks::Delivery>,
}

const PAYERS: [(&str, &str); 8] = [
    ("Boulangerie Martin SAS", "FR1420041010050500013M02606"),
    ("Garage Lefèvre", "FR7630006000011234567890189"),
    ("Cabinet Roux & Associés", "FR7610107001011234567890129"),
    ("Müller Maschinenbau GmbH", "DE89370400440532013000"),
    ("Hôtel des Alpes SA", "CH9300762011623852957"),
    ("Librairie Petit", "FR7617515900000400000000093"),
    ("Studio Nguyen", "FR7612548029989876543210917"),
    ("Transports Bernard SARL", "FR7611315000011234567890138"),
];

const SUPPLIERS: [(&str, &str); 4] = [
    ("URSSAF Ile-de-France", "direct_debit"),
    ("OVHcloud", "card"),
    ("EDF Entreprises", "direct_debit"),
    ("SNCF Connect", "card"),
];

impl QontoState {
    pub fn new(seed: &QontoSeed) -> QontoState {
        let mut s = QontoState {
            seed: seed.seed,
            now: seed.start,
            org_id: uuid_like(KIND_ORG, seed.seed),
            membership_id: uuid_like(KIND_MEMBERSHIP, seed.seed),
            slug: seed.slug.clone(),
            legal_name: seed.legal_name.clone(),
            secret_key: seed.secret_key.clone(),
            accounts: Vec::new(),
            transactions: Vec::new(),
            clients: seed.oauth_clients.clone(),
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            subscriptions: Vec::new(),
            next_id: 1,
            refresh_grants: 0,
            deliveries: Vec::new(),
        };
        for (i, (name, iban, currency, opening)) in seed.accounts.iter().enumerate() {
            let n = s.fresh();
            s.accounts.push(AccountRec {
                id: uuid_like(KIND_ACCOUNT, n),
                slug: format!("{}-bank-account-{}", seed.slug, i + 1),
                name: name.clone(),
                main: i == 0,
                iban: iban.replace(' ', ""),
                bic: "QNTOFRP1XXX".into(),
                currency: currency.clone(),
                opening_cents: *opening,
                updated_at: seed.start,
            });
        }
        let mut rng = Rng(seed.seed ^ 0x51_4f_4e_54_4f);
        for account in 0..s.accounts.len() {
            for k in 0..seed.transactions_per_account {
                // At least three hours back, so that settlement is in the past too.
                let back =
                    Duration::minutes(i64::try_from(rng.below(90 * 24 * 60)).unwrap_or(0) + 180);
                let at = seed.start - back;
                let credit = rng.below(4) != 0;
                let (name, iban, op, reference) = if credit {
                    let (n, i) = PAYERS[(rng.below(PAYERS.len() as u64)) as usize];
                    let r = format!("FACTURE F-2026-{:04}", 100 + k);
                    (n, Some(i.to_owned()), "transfer", Some(r))
                } else {
                    let (n, op) = SUPPLIERS[(rng.below(SUPPLIERS.len() as u64)) as usize];
                    (n, None, op, None)
                };
                let cents = i64::try_from(rng.below(400_000)).unwrap_or(0) + 1_000;
                let currency = s.accounts[account].currency.clone();
                s.push_tx(TxRec {
                    id: String::new(),
                    transaction_id: String::new(),
                    account,
                    amount_cents: cents,
                    currency,
                    credit,
                    operation_type: op.into(),
                    status: TxStatus::Completed,
                    label: name.to_uppercase(),
                    counterparty_name: name.into(),
                    counterparty_iban: iban,
                    reference,
                    note: None,
                    emitted_at: at,
                    settled_at: Some(at + Duration::hours(2)),
                    updated_at: at + Duration::hours(2) + Duration::seconds(5),
                    created_at: at,
                    plan: Vec::new(),
                });
            }
        }
        s
    }

    pub(crate) fn fresh(&mut self) -> u64 {
        let n = self.next_id;
        self.next_id += 1;
        n
    }

    /// A token: deterministic from the seed and a counter, unguessable enough for loopback.
    pub(crate) fn token(&mut self, prefix: &str) -> String {
        let n = self.fresh();
        let mut r = Rng(self.seed.wrapping_mul(0x9E37_79B9).wrapping_add(n));
        format!("{prefix}_{:016x}{:016x}", r.next_u64(), r.next_u64() ^ n)
    }

    /// Gives the transaction its ids and stores it; returns its index.
    pub(crate) fn push_tx(&mut self, mut t: TxRec) -> usize {
        let n = self.fresh();
        t.id = uuid_like(KIND_TX, n);
        t.transaction_id = format!("{}-t-{n}", self.slug);
        self.transactions.push(t);
        self.transactions.len() - 1
    }

    pub fn account_index(&self, id_or_iban: &str) -> Option<usize> {
        let compact = id_or_iban.replace(' ', "");
        self.accounts
            .iter()
            .position(|a| a.id == id_or_iban || a.iban.eq_ignore_ascii_case(&compact))
    }

    /// `(booked, authorized)` balance of an account, cents.
    pub fn balances(&self, account: usize) -> (i64, i64) {
        let opening = self.accounts.get(account).map_or(0, |a| a.opening_cents);
        self.transactions
            .iter()
            .filter(|t| t.account == account)
            .fold((opening, opening), |(b, a), t| {
                (b + t.booked_cents(), a + t.authorized_cents())
            })
    }

    /// Moves the clock forward and applies every planned status change now due, in time
    /// order. Returns the indices of the changed transactions, in the order they changed.
    pub fn advance(&mut self, by: Duration) -> Vec<usize> {
        let to = self.now + by.max(Duration::zero());
        let mut due: Vec<(DateTime<Utc>, usize)> = Vec::new();
        for (i, t) in self.transactions.iter().enumerate() {
            for (at, _) in t.plan.iter().filter(|(at, _)| *at <= to) {
                due.push((*at, i));
            }
        }
        due.sort();
        let mut changed = Vec::new();
        for (at, i) in due {
            let t = &mut self.transactions[i];
            let Some(pos) = t.plan.iter().position(|(a, _)| *a == at) else {
                continue;
            };
            let (_, status) = t.plan.remove(pos);
            t.status = status;
            t.updated_at = at;
            if status == TxStatus::Completed {
                t.settled_at = Some(at);
            }
            let account = t.account;
            self.accounts[account].updated_at = at;
            changed.push(i);
        }
        self.now = to;
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_is_deterministic_and_a_pending_transaction_settles_when_the_clock_moves() {
        let a = QontoState::new(&QontoSeed::small(7));
        let b = QontoState::new(&QontoSeed::small(7));
        assert_eq!(a.transactions.len(), 40);
        assert_eq!(
            a.transactions
                .iter()
                .map(|t| (t.id.clone(), t.amount_cents))
                .collect::<Vec<_>>(),
            b.transactions
                .iter()
                .map(|t| (t.id.clone(), t.amount_cents))
                .collect::<Vec<_>>()
        );
        let mut s = a;
        let now = s.now;
        let i = s.push_tx(TxRec {
            status: TxStatus::Pending,
            settled_at: None,
            plan: vec![
                (now + Duration::hours(1), TxStatus::Completed),
                (now + Duration::hours(3), TxStatus::Reversed),
            ],
            updated_at: now,
            ..s.transactions[0].clone()
        });
        assert!(s.advance(Duration::minutes(30)).is_empty());
        assert_eq!(s.advance(Duration::minutes(31)), vec![i]);
        assert_eq!(s.transactions[i].status, TxStatus::Completed);
        assert_eq!(s.transactions[i].settled_at, Some(now + Duration::hours(1)));
        assert_eq!(s.advance(Duration::hours(5)), vec![i]);
        assert_eq!(s.transactions[i].status, TxStatus::Reversed);
        assert_eq!(s.transactions[i].updated_at, now + Duration::hours(3));
    }
}
