//! The open invoices indexed once per batch: by reference, by number (see [`super::numbers`]),
//! by client, by amount and by client name, so each transaction costs a few hash probes
//! however many invoices are open.

use std::collections::HashMap;

use chrono::NaiveDate;
use encaisse_core::{Currency, Money};
use uuid::Uuid;

use super::input::OpenInvoice;
use super::numbers::NumberIndex;
use super::payer::NameIndex;
use super::policy::FeeRule;
use super::typos::FxMap;

/// A short list of invoice (or client) positions; one entry costs no allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Postings {
    first: Option<u32>,
    rest: Vec<u32>,
}

impl Postings {
    pub(crate) fn push(&mut self, i: u32) {
        if self.first.is_none() {
            self.first = Some(i);
        } else {
            self.rest.push(i);
        }
    }

    pub(crate) fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.first.into_iter().chain(self.rest.iter().copied())
    }
}

/// FNV-1a over a tag byte and a string: a stable 64-bit key for the deletion index.
pub(crate) fn fnv1a(tag: u8, s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in std::iter::once(tag).chain(s.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Minor units of an amount, rounded to the currency's precision when finer.
pub(crate) fn minor(m: &Money) -> i64 {
    m.to_minor()
        .or_else(|_| m.rounded().to_minor())
        .unwrap_or(i64::MAX)
}

/// A client that owes money in this batch.
#[derive(Clone, Debug)]
pub(crate) struct ClientEntry {
    pub id: Uuid,
    pub name: String,
    /// Its open invoices, by due date then number.
    pub invoices: Vec<u32>,
}

/// The open invoices of a batch, indexed.
pub(crate) struct InvoiceIndex<'a> {
    pub invoices: &'a [OpenInvoice],
    /// Outstanding in minor units; zero for invoices left out (nothing owed, or issued after
    /// `today`: a payment may precede an invoice only if the invoice exists).
    pub outstanding: Vec<i64>,
    pub client_of: Vec<u32>,
    pub clients: Vec<ClientEntry>,
    pub client_ix: FxMap<Uuid, u32>,
    pub by_reference: FxMap<String, u32>,
    pub numbers: NumberIndex,
    pub by_amount: FxMap<(Currency, i64), Postings>,
    /// The fee tolerance, ready to use.
    pub fees: FeeRule,
    /// Per currency, (outstanding, invoice) sorted: invoices owing an amount in a range.
    pub by_owed: HashMap<Currency, Vec<(i64, u32)>>,
    pub names: NameIndex,
}

impl<'a> InvoiceIndex<'a> {
    pub(crate) fn new(
        invoices: &'a [OpenInvoice],
        today: NaiveDate,
        fees: FeeRule,
    ) -> InvoiceIndex<'a> {
        let usable = |inv: &OpenInvoice| inv.issue_date <= today && minor(&inv.outstanding) > 0;
        let outstanding: Vec<i64> = invoices
            .iter()
            .map(|inv| {
                if usable(inv) {
                    minor(&inv.outstanding)
                } else {
                    0
                }
            })
            .collect();
        let mut client_ix: FxMap<Uuid, u32> = FxMap::default();
        let mut clients: Vec<ClientEntry> = Vec::new();
        let mut client_of = Vec::with_capacity(invoices.len());
        let mut by_reference = FxMap::default();
        let mut by_amount: FxMap<(Currency, i64), Postings> = FxMap::default();
        for (i, inv) in invoices.iter().enumerate() {
            let c = *client_ix.entry(inv.client_id).or_insert_with(|| {
                clients.push(ClientEntry {
                    id: inv.client_id,
                    name: inv.client_name.clone(),
                    invoices: Vec::new(),
                });
                (clients.len() - 1) as u32
            });
            client_of.push(c);
            if outstanding[i] == 0 {
                continue;
            }
            let i = i as u32;
            clients[c as usize].invoices.push(i);
            if let Some(r) = &inv.payment_reference {
                by_reference.insert(r.as_str().to_owned(), i);
            }
            by_amount
                .entry((inv.currency, outstanding[i as usize]))
                .or_default()
                .push(i);
        }
        for client in &mut clients {
            client.invoices.sort_by(|a, b| {
                let (x, y) = (&invoices[*a as usize], &invoices[*b as usize]);
                x.due_date
                    .cmp(&y.due_date)
                    .then_with(|| x.number.cmp(&y.number))
            });
        }
        let numbers = NumberIndex::new(
            invoices
                .iter()
                .zip(&outstanding)
                .map(|(inv, o)| (*o > 0).then_some(inv.number.as_str())),
        );
        let names = NameIndex::new(clients.iter().map(|c| c.name.as_str()));
        let mut by_owed: HashMap<Currency, Vec<(i64, u32)>> = HashMap::new();
        for (i, o) in outstanding.iter().enumerate().filter(|(_, o)| **o > 0) {
            by_owed
                .entry(invoices[i].currency)
                .or_default()
                .push((*o, i as u32));
        }
        for list in by_owed.values_mut() {
            list.sort_unstable();
        }
        InvoiceIndex {
            invoices,
            outstanding,
            client_of,
            clients,
            client_ix,
            by_reference,
            numbers,
            by_amount,
            fees,
            by_owed,
            names,
        }
    }

    /// The open invoices owing between `low` and `high` minor units of `currency`, as
    /// (outstanding, invoice).
    pub(crate) fn owing_between(&self, currency: Currency, low: i64, high: i64) -> &[(i64, u32)] {
        let Some(list) = self.by_owed.get(&currency) else {
            return &[];
        };
        let from = list.partition_point(|e| e.0 < low);
        let to = list.partition_point(|e| e.0 <= high);
        &list[from..to.max(from)]
    }

    pub(crate) fn invoice(&self, i: u32) -> &'a OpenInvoice {
        &self.invoices[i as usize]
    }

    pub(crate) fn client(&self, c: u32) -> &ClientEntry {
        &self.clients[c as usize]
    }
}
