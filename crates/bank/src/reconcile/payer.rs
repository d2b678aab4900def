//! Who paid: the clients a transaction's payer is tied to, by learned IBAN or name, by the
//! client's own name (up to case, accents, legal form, word order and the bank's 35-character
//! cut), or by the ultimate debtor the payment names.

use std::collections::HashMap;

use uuid::Uuid;

use super::decision::PayerLink;
use super::index::{InvoiceIndex, Postings};
use super::input::Txn;
use super::knowledge::{Knowledge, PayerKey, payer_keys};
use super::normalize::{folded_words, normalize_name, sorted_words};
use super::typos::FxMap;

/// A name shorter than this, once folded, is not searched as a truncated prefix.
const MIN_PREFIX_CHARS: usize = 20;

/// Client names, under their normalized form, their sorted words and their folded form.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    exact: FxMap<String, Postings>,
    sorted: FxMap<String, Postings>,
    /// (folded name, client), sorted, for prefix search.
    folded: Vec<(String, u32)>,
}

impl NameIndex {
    pub(crate) fn new<'a>(names: impl Iterator<Item = &'a str>) -> NameIndex {
        let mut index = NameIndex::default();
        for (c, name) in names.enumerate() {
            let c = c as u32;
            let normalized = normalize_name(name);
            if normalized.is_empty() {
                continue;
            }
            index
                .sorted
                .entry(sorted_words(&normalized))
                .or_default()
                .push(c);
            index.exact.entry(normalized).or_default().push(c);
            index.folded.push((folded_words(name), c));
        }
        index.folded.sort_unstable();
        index
    }

    /// The clients that bear this name, and how closely.
    pub(crate) fn lookup(&self, name: &str) -> Vec<(u32, PayerLink)> {
        self.lookup_normalized(name, &normalize_name(name))
    }

    /// [`NameIndex::lookup`] when the normalized name is at hand.
    fn lookup_normalized(&self, name: &str, normalized: &str) -> Vec<(u32, PayerLink)> {
        if normalized.is_empty() {
            return Vec::new();
        }
        if let Some(p) = self.exact.get(normalized) {
            return p.iter().map(|c| (c, PayerLink::ClientName)).collect();
        }
        if let Some(p) = self.sorted.get(&sorted_words(normalized)) {
            return p.iter().map(|c| (c, PayerLink::ClientName)).collect();
        }
        let folded = folded_words(name);
        if folded.len() < MIN_PREFIX_CHARS {
            return Vec::new();
        }
        let from = self
            .folded
            .partition_point(|(n, _)| n.as_str() < folded.as_str());
        let found: Vec<(u32, PayerLink)> = self.folded[from..]
            .iter()
            .take_while(|(n, _)| n.starts_with(&folded))
            .take(4)
            .map(|(_, c)| (*c, PayerLink::TruncatedName))
            .collect();
        if found.len() > 3 { Vec::new() } else { found }
    }
}

/// The payer of a transaction, as far as it is known.
#[derive(Clone, Debug, Default)]
pub(crate) struct Payer {
    /// The clients with open invoices the payer is tied to, strongest tie first.
    pub clients: Vec<(u32, PayerLink)>,
    /// The client a learned IBAN or name designates, open invoices or not.
    pub known_as: Option<Uuid>,
    /// Clients the known payer pays for.
    pub pays_for: Vec<Uuid>,
}

impl Payer {
    /// How the payer is tied to `client`, if at all.
    pub(crate) fn link_to(&self, client: u32) -> Option<PayerLink> {
        self.clients
            .iter()
            .find(|(c, _)| *c == client)
            .map(|(_, l)| *l)
    }

    /// True when the payer is learned as a client other than `client_id`, and not as one
    /// paying for it.
    pub(crate) fn is_another_client(&self, client_id: Uuid) -> bool {
        self.known_as
            .is_some_and(|k| k != client_id && !self.pays_for.contains(&client_id))
    }
}

/// Payers already resolved on one thread: a batch has far fewer payers than transactions,
/// and names are costly to normalize.
#[derive(Debug, Default)]
pub(crate) struct PayerCache(FxMap<String, Payer>);

/// Beyond this many payers the cache stops growing.
const PAYER_CACHE_MAX: usize = 100_000;

impl PayerCache {
    pub(crate) fn resolve(
        &mut self,
        txn: &Txn,
        index: &InvoiceIndex<'_>,
        knowledge: &Knowledge,
        batch_ibans: Option<&HashMap<String, Uuid>>,
    ) -> Payer {
        fn field(f: &Option<String>) -> &str {
            f.as_deref().unwrap_or("")
        }
        let key = format!(
            "{}\u{1f}{}\u{1f}{}",
            field(&txn.counterparty_iban),
            field(&txn.counterparty_name),
            field(&txn.ultimate_payer_name)
        );
        if let Some(payer) = self.0.get(&key) {
            return payer.clone();
        }
        let payer = resolve_payer(txn, index, knowledge, batch_ibans);
        if self.0.len() < PAYER_CACHE_MAX {
            self.0.insert(key, payer.clone());
        }
        payer
    }
}

/// Ties the transaction's payer to clients. Learned facts come first, then an IBAN that paid
/// this client's invoices by reference earlier in the batch (`batch_ibans`), and, when there
/// are some, names are not searched (a learned IBAN is better evidence than a similar name);
/// the ultimate debtor is always searched. Pairs a person rejected are left out.
pub(crate) fn resolve_payer(
    txn: &Txn,
    index: &InvoiceIndex<'_>,
    knowledge: &Knowledge,
    batch_ibans: Option<&HashMap<String, Uuid>>,
) -> Payer {
    let keys = payer_keys(txn);
    let mut payer = Payer::default();
    let add = |payer: &mut Payer, client: Uuid, link: PayerLink| {
        if let Some(&c) = index.client_ix.get(&client)
            && !keys.iter().any(|k| knowledge.is_rejected(k, client))
            && payer.link_to(c).is_none()
            && !index.client(c).invoices.is_empty()
        {
            payer.clients.push((c, link));
        }
    };
    for key in &keys {
        let (known, link) = match key {
            PayerKey::Iban(iban) => (knowledge.client_of_iban(iban), PayerLink::LearnedIban),
            PayerKey::Name(name) => (knowledge.client_of_name(name), PayerLink::LearnedName),
        };
        let Some(client) = known else { continue };
        payer.known_as.get_or_insert(client);
        add(&mut payer, client, link);
        for sub in knowledge.paid_for(client) {
            if !payer.pays_for.contains(&sub) {
                payer.pays_for.push(sub);
            }
            add(&mut payer, sub, PayerLink::PaysForClient);
        }
    }
    if payer.known_as.is_none()
        && let Some(PayerKey::Iban(iban)) = keys.first()
        && let Some(&client) = batch_ibans.and_then(|b| b.get(iban))
    {
        payer.known_as = Some(client);
        add(&mut payer, client, PayerLink::IbanInBatch);
    }
    if payer.known_as.is_none()
        && let Some(name) = txn.counterparty_name.as_deref()
    {
        let normalized = keys.iter().find_map(|k| match k {
            PayerKey::Name(n) => Some(n.as_str()),
            PayerKey::Iban(_) => None,
        });
        for (c, link) in index
            .names
            .lookup_normalized(name, normalized.unwrap_or(""))
        {
            add(&mut payer, index.client(c).id, link);
        }
    }
    if let Some(name) = txn.ultimate_payer_name.as_deref() {
        for (c, _) in index.names.lookup(name) {
            add(&mut payer, index.client(c).id, PayerLink::UltimateDebtor);
        }
    }
    payer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> NameIndex {
        NameIndex::new(
            [
                "Dupont Conseil SARL",
                "Boulangerie Pâtisserie du Vieux Moulin et Fils SARL",
                "Müller Treuhand AG",
            ]
            .into_iter(),
        )
    }

    #[test]
    fn legal_form_case_and_accents_do_not_matter() {
        assert_eq!(
            names().lookup("SARL DUPONT CONSEIL"),
            [(0, PayerLink::ClientName)]
        );
        assert_eq!(
            names().lookup("MUELLER TREUHAND"),
            [(2, PayerLink::ClientName)]
        );
    }

    #[test]
    fn a_name_cut_at_35_characters_is_recognised() {
        let cut: String = "BOULANGERIE PATISSERIE DU VIEUX MOULIN ET FILS SARL"
            .chars()
            .take(35)
            .collect();
        assert_eq!(names().lookup(&cut), [(1, PayerLink::TruncatedName)]);
    }

    #[test]
    fn a_short_prefix_is_not_a_name() {
        assert!(names().lookup("DUPONT").is_empty());
    }
}
