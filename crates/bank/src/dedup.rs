//! The deduplication key of a bank transaction.
//!
//! The same movement reaches us several times: a file imported twice, two statements whose
//! periods overlap, a Swiss camt.053 and the camt.054 that details the same booking. The
//! importer stores transactions under [`crate::BankTransaction::dedup_key`] and skips a key it
//! already has, so the key must be **equal for the same movement** and **different for two
//! movements**, even two that look alike (two customers paying 100.00 the same day into the
//! same batch).
//!
//! # How it is built
//!
//! `dedup_key = hex(sha256(fields joined by U+001F))` over, in this order:
//!
//! 1. `encaisse-bank/dedup/v1` — a version tag, so the recipe can change without collisions;
//! 2. the account: its IBAN, else the account id as written, upper-cased, spaces removed;
//! 3. the booking date (`YYYY-MM-DD`);
//! 4. the currency and the signed amount in minor units (`-75425`), or the exact decimal if
//!    the bank gave more decimals than the currency has;
//! 5. the [`bank_reference`](crate::BankTransaction::bank_reference), trimmed;
//! 6. one detail discriminator, the first present of: the structured creditor reference
//!    (QRR/RF), the end-to-end id, and — only when the bank gave no reference at all — the
//!    remittance text plus the counterparty account or name (upper-cased, spaces removed);
//! 7. for the n-th (n ≥ 2) transaction of the same file with identical fields 2–6, `#n`.
//!
//! # Why these fields
//!
//! - Account, date, amount and bank reference are what a bank itself uses to identify a
//!   booking, and they are present, identical, in every export of that booking (camt.053
//!   and camt.054 share the `AcctSvcrRef` of a detail and its amount; MT940 and OFX repeat
//!   their references in overlapping statements).
//! - Bank references are not unique enough on their own: Swiss banks give every detail of a
//!   QR batch the batch's package id as `AcctSvcrRef`, and many files carry no reference
//!   at all (`NONREF`, camt without `AcctSvcrRef`). The QRR/RF reference and the end-to-end
//!   id are what the payer sent, so they separate two payments of one batch and are the same
//!   in the statement and the notification. Free text is used only as a last resort because
//!   banks truncate and re-wrap it differently from one format to the other.
//! - Status and value date are left out on purpose: a pending movement that gets booked
//!   should keep its key; descriptions (`AddtlNtryInf`) differ between camt.053 and .054.
//! - The occurrence counter keeps two genuinely identical lines of one file (two 5.00 fees
//!   the same day without references) as two transactions; re-importing the same file or an
//!   overlapping one numbers them the same way.
//!
//! We prefer a missed duplicate (visible: a payment appears twice and the user deletes one)
//! to a false merge (invisible: a real payment is dropped), hence the detail discriminator.
//!
//! Not recognised as duplicates: a camt.053 that carries only a batch total and the camt.054
//! with its details (different amounts — replacing a batch by its details is the
//! reconciliation engine's decision), and the same movement exported in two different
//! formats (different reference schemes).

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::model::{BankTransaction, Statement};

const SEPARATOR: char = '\u{1F}';

/// Computes the key of one transaction of `account` (IBAN or account id), for its
/// `occurrence`-th appearance (1-based) among identical transactions of the same file.
pub fn compute_dedup_key(account: &str, tx: &BankTransaction, occurrence: usize) -> String {
    let mut material = key_material(account, tx);
    if occurrence > 1 {
        material.push(SEPARATOR);
        material.push('#');
        material.push_str(&occurrence.to_string());
    }
    hex::encode(Sha256::digest(material.as_bytes()))
}

/// Fills [`BankTransaction::dedup_key`] of every transaction of one file.
pub(crate) fn assign_dedup_keys(statements: &mut [Statement]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for statement in statements.iter_mut() {
        let account = statement
            .account_iban
            .as_ref()
            .map(|i| i.as_str().to_owned())
            .unwrap_or_else(|| statement.account_id.clone());
        for tx in &mut statement.transactions {
            let material = key_material(&account, tx);
            let count = seen.entry(material).or_insert(0);
            *count += 1;
            tx.dedup_key = compute_dedup_key(&account, tx, *count);
        }
    }
}

fn key_material(account: &str, tx: &BankTransaction) -> String {
    let amount = match tx.amount.to_minor() {
        Ok(minor) => minor.to_string(),
        Err(_) => tx.amount.amount().normalize().to_string(),
    };
    let fields = [
        "encaisse-bank/dedup/v1".to_owned(),
        compact(account),
        tx.booking_date.format("%Y-%m-%d").to_string(),
        tx.amount.currency().code().to_owned(),
        amount,
        tx.bank_reference.trim().to_owned(),
        detail(tx),
    ];
    let mut material = String::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            material.push(SEPARATOR);
        }
        material.push_str(field);
    }
    material
}

fn detail(tx: &BankTransaction) -> String {
    if let Some(reference) = tx.structured_reference.as_deref().filter(|s| !s.is_empty()) {
        return format!("S:{}", compact(reference));
    }
    if let Some(e2e) = tx.end_to_end_id.as_deref().filter(|s| !s.is_empty()) {
        return format!("E:{}", e2e.trim());
    }
    if tx.bank_reference.trim().is_empty() {
        let remittance = tx.remittance_unstructured.as_deref().unwrap_or_default();
        let party = tx
            .counterparty_account
            .as_deref()
            .or(tx.counterparty_name.as_deref())
            .unwrap_or_default();
        return format!("R:{}{SEPARATOR}{}", compact(remittance), compact(party));
    }
    String::new()
}

fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}
