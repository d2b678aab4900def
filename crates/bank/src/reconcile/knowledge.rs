//! What confirmations and rejections taught: which IBAN and which payer name belong to which
//! client, which client pays for which other (a parent company, an accountant), and which
//! payer is certainly not which client.
//!
//! The application persists it as [`Fact`]s (one row each) and rebuilds it with
//! [`Knowledge::from_facts`]; the engine only reads it.

use std::collections::{BTreeSet, HashMap, HashSet};

use uuid::Uuid;

use super::input::Txn;
use super::normalize::normalize_name;

/// How a payer is recognised.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PayerKey {
    /// Electronic form, upper case.
    Iban(String),
    /// The normalized name ([`normalize_name`](super::normalize_name)).
    Name(String),
}

/// One learned fact, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fact {
    /// Payments from this IBAN come from this client.
    IbanOf { iban: String, client_id: Uuid },
    /// This normalized payer name is this client.
    NameOf { name: String, client_id: Uuid },
    /// `payer` (a client) pays invoices of `client_id`.
    PaysFor { payer: Uuid, client_id: Uuid },
    /// A person said this payer is not this client.
    NotClient { payer: PayerKey, client_id: Uuid },
}

/// The learned facts, indexed for the engine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Knowledge {
    iban_to_client: HashMap<String, Uuid>,
    name_aliases: HashMap<String, Uuid>,
    parent_payers: HashMap<Uuid, BTreeSet<Uuid>>,
    rejected: HashSet<(PayerKey, Uuid)>,
}

impl Knowledge {
    pub fn new() -> Knowledge {
        Knowledge::default()
    }

    /// Rebuilds from stored facts; later facts win where two disagree.
    pub fn from_facts(facts: impl IntoIterator<Item = Fact>) -> Knowledge {
        let mut k = Knowledge::new();
        for fact in facts {
            k.apply(fact);
        }
        k
    }

    /// Every fact, in a stable order, for storage.
    pub fn facts(&self) -> Vec<Fact> {
        let mut out: Vec<Fact> = Vec::new();
        out.extend(self.iban_to_client.iter().map(|(iban, c)| Fact::IbanOf {
            iban: iban.clone(),
            client_id: *c,
        }));
        out.extend(self.name_aliases.iter().map(|(name, c)| Fact::NameOf {
            name: name.clone(),
            client_id: *c,
        }));
        for (payer, clients) in &self.parent_payers {
            out.extend(clients.iter().map(|c| Fact::PaysFor {
                payer: *payer,
                client_id: *c,
            }));
        }
        out.extend(self.rejected.iter().map(|(payer, c)| Fact::NotClient {
            payer: payer.clone(),
            client_id: *c,
        }));
        out.sort();
        out
    }

    /// Adds one fact.
    pub fn apply(&mut self, fact: Fact) {
        match fact {
            Fact::IbanOf { iban, client_id } => {
                self.iban_to_client.insert(iban, client_id);
            }
            Fact::NameOf { name, client_id } => {
                self.name_aliases.insert(name, client_id);
            }
            Fact::PaysFor { payer, client_id } => {
                self.learn_pays_for(payer, client_id);
            }
            Fact::NotClient { payer, client_id } => {
                self.rejected.insert((payer, client_id));
            }
        }
    }

    /// The client this IBAN was confirmed for.
    pub fn client_of_iban(&self, iban: &str) -> Option<Uuid> {
        self.iban_to_client.get(iban).copied()
    }

    /// The client this normalized payer name was confirmed for.
    pub fn client_of_name(&self, normalized_name: &str) -> Option<Uuid> {
        self.name_aliases.get(normalized_name).copied()
    }

    /// The clients `payer` is known to pay for.
    pub fn paid_for(&self, payer: Uuid) -> impl Iterator<Item = Uuid> + '_ {
        self.parent_payers
            .get(&payer)
            .into_iter()
            .flatten()
            .copied()
    }

    /// True when a person said this payer is not this client.
    pub fn is_rejected(&self, payer: &PayerKey, client_id: Uuid) -> bool {
        self.rejected.contains(&(payer.clone(), client_id))
    }

    /// A person confirmed that `txn` pays invoices of `client_id`. An unknown IBAN or name
    /// becomes the client's; one already known as another client makes that client a payer
    /// for this one (a parent company, an accountant); earlier rejections are withdrawn.
    pub fn learn_confirmed(&mut self, txn: &Txn, client_id: Uuid) {
        for key in payer_keys(txn) {
            self.rejected.remove(&(key.clone(), client_id));
            let known = match &key {
                PayerKey::Iban(iban) => {
                    *self.iban_to_client.entry(iban.clone()).or_insert(client_id)
                }
                PayerKey::Name(name) => *self.name_aliases.entry(name.clone()).or_insert(client_id),
            };
            if known != client_id {
                self.learn_pays_for(known, client_id);
            }
        }
    }

    /// A person rejected that `txn` pays invoices of `client_id`: what tied its IBAN or name
    /// to that client is forgotten, and the pair is never proposed from the payer alone
    /// again (an invoice number or reference in a later payment still counts).
    pub fn learn_rejected(&mut self, txn: &Txn, client_id: Uuid) {
        for key in payer_keys(txn) {
            let known = match &key {
                PayerKey::Iban(iban) => self.iban_to_client.get(iban).copied(),
                PayerKey::Name(name) => self.name_aliases.get(name).copied(),
            };
            if known == Some(client_id) {
                match &key {
                    PayerKey::Iban(iban) => self.iban_to_client.remove(iban),
                    PayerKey::Name(name) => self.name_aliases.remove(name),
                };
            } else if let Some(payer) = known
                && let Some(set) = self.parent_payers.get_mut(&payer)
            {
                set.remove(&client_id);
            }
            self.rejected.insert((key, client_id));
        }
    }

    /// `payer` (a client) pays invoices of `client_id`.
    pub fn learn_pays_for(&mut self, payer: Uuid, client_id: Uuid) {
        if payer != client_id {
            self.parent_payers
                .entry(payer)
                .or_default()
                .insert(client_id);
        }
    }
}

/// The keys a transaction's payer is known by: its IBAN and its normalized name.
pub(crate) fn payer_keys(txn: &Txn) -> Vec<PayerKey> {
    let mut keys = Vec::new();
    if let Some(iban) = txn.counterparty_iban.as_deref().filter(|i| !i.is_empty()) {
        keys.push(PayerKey::Iban(iban.to_ascii_uppercase()));
    }
    if let Some(name) = txn.counterparty_name.as_deref() {
        let n = normalize_name(name);
        if !n.is_empty() {
            keys.push(PayerKey::Name(n));
        }
    }
    keys
}
