//! The demo's bank: a quarter of the French demo company's account, written as a camt.053
//! file from its actual open invoices — exact references, numbers with typos, grouped,
//! partial and fee-reduced payments, a parent company paying for its subsidiary, payments
//! naming nothing, refunds, interest and the usual debits — imported through the same path
//! as a bank's file, then reconciled; what is not certain stays waiting for review.
//!
//! Runs once per installation: an account that already has transactions is left alone.

// Amounts in minor units are written euros_cents (`1_200_00` is 1200.00), as accountants read them.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::{Duration, NaiveDate};
use encaisse_bank::camt_writer::{CamtEntry, camt053};
use encaisse_core::Money;
use encaisse_core::party::Organization;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::auth::Actor;
use crate::{App, AppError, Result};

/// What the demo's bank part did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DemoBank {
    pub transactions: usize,
    pub applied: usize,
    pub suggested: usize,
    pub unmatched: usize,
}

/// A valid French IBAN for a demo payer (`n` makes it distinct).
fn payer_iban(n: u64) -> String {
    let bban = format!(
        "30004{:05}{:011}{:02}",
        100 + n % 900,
        7_000_000 + n,
        n % 97
    );
    let digits: String = format!("{bban}FR00")
        .chars()
        .map(|c| match c.to_digit(36) {
            Some(d) if c.is_ascii_alphabetic() => d.to_string(),
            Some(d) => d.to_string(),
            None => String::new(),
        })
        .collect();
    let rem = digits
        .bytes()
        .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    format!("FR{:02}{bban}", 98 - rem)
}

/// The number with one digit changed the way a payer's typing does.
fn with_typo(number: &str) -> String {
    let mut chars: Vec<char> = number.chars().collect();
    if let Some(i) = chars.iter().rposition(|c| c.is_ascii_digit()) {
        // The letter O for a zero, else two digits swapped.
        if chars[i] == '0' {
            chars[i] = 'O';
        } else if i > 0 && chars[i - 1].is_ascii_digit() {
            chars.swap(i, i - 1);
        }
    }
    chars.into_iter().collect()
}

fn cents(m: &Money, delta: i64) -> Money {
    Money::new(m.amount() + Decimal::new(delta, 2), m.currency())
}

impl App {
    /// Writes, imports and reconciles the demo quarter of `org`'s account as of `today`.
    pub(crate) async fn demo_bank(&self, today: NaiveDate, org: &Organization) -> Result<DemoBank> {
        let actor = Actor::system(org.id, "demo");
        let iban = org
            .iban
            .as_ref()
            .map(|i| i.as_str().to_owned())
            .ok_or_else(|| AppError::Conflict("the demo company has no IBAN".into()))?;
        let mut tx = self.store.read().await?;
        let already = tx.count_bank_transactions(org.id).await?;
        let open = tx.open_receivables(org.id).await?;
        tx.commit().await?;
        if already > 0 {
            return Ok(DemoBank::default());
        }
        let quarter_start = today - Duration::days(92);
        let open: Vec<_> = open
            .into_iter()
            .filter(|r| r.issue_date >= quarter_start - Duration::days(31))
            .collect();
        let mut entries: Vec<CamtEntry> = Vec::new();
        let mut n = 0u64;
        let mut reference = || {
            n += 1;
            format!("DEMO{:08}", n)
        };
        let mut used = vec![false; open.len()];
        for (i, inv) in open.iter().enumerate() {
            if used[i] {
                continue;
            }
            used[i] = true;
            let owed = inv
                .gross
                .checked_sub(&inv.paid)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
            let paid_on = (inv.issue_date + Duration::days(20 + (i as i64 * 7) % 35)).min(today);
            let payer = inv.client_name.to_uppercase();
            let client_iban = payer_iban(inv.client_id.as_u128() as u64 % 10_000);
            let structured = inv.payment_reference.clone();
            let entry = match i % 10 {
                // The payer's bank carries the RF reference of the invoice.
                0 | 5 => match structured {
                    Some(r) => CamtEntry::credit(&reference(), paid_on, owed)
                        .from(&payer, Some(&client_iban))
                        .reference(&r),
                    None => continue,
                },
                // The invoice number in the text.
                1 => CamtEntry::credit(&reference(), paid_on, owed)
                    .from(&payer, Some(&client_iban))
                    .text(&format!("Paiement facture {}", inv.number)),
                // A typo in the number.
                2 => CamtEntry::credit(&reference(), paid_on, owed)
                    .from(&payer, Some(&client_iban))
                    .text(&format!("FACT {}", with_typo(&inv.number))),
                // Two invoices of one client in one transfer.
                3 => {
                    let other = (i + 1..open.len())
                        .find(|&j| !used[j] && open[j].client_id == inv.client_id);
                    match other {
                        Some(j) => {
                            used[j] = true;
                            let second = open[j]
                                .gross
                                .checked_sub(&open[j].paid)
                                .map_err(|e| AppError::Conflict(e.to_string()))?;
                            let total = owed
                                .checked_add(&second)
                                .map_err(|e| AppError::Conflict(e.to_string()))?;
                            CamtEntry::credit(&reference(), paid_on, total)
                                .from(&payer, Some(&client_iban))
                                .text(&format!("Factures {} et {}", inv.number, open[j].number))
                        }
                        None => CamtEntry::credit(&reference(), paid_on, owed)
                            .from(&payer, Some(&client_iban))
                            .text(&format!("Reglement {}", inv.number)),
                    }
                }
                // An instalment.
                4 => {
                    let part = Money::new(
                        (owed.amount() * Decimal::new(4, 1)).round_dp(2),
                        owed.currency(),
                    );
                    CamtEntry::credit(&reference(), paid_on, part)
                        .from(&payer, Some(&client_iban))
                        .text(&format!("Acompte 1/2 facture {}", inv.number))
                }
                // The payer's bank took its fee.
                6 => CamtEntry::credit(&reference(), paid_on, cents(&owed, -350))
                    .from(&payer, Some(&client_iban))
                    .text(&format!("INV {} FRAIS DEDUITS", inv.number)),
                // The parent company pays for its subsidiary.
                7 => CamtEntry::credit(&reference(), paid_on, owed)
                    .from(
                        &format!(
                            "GROUPE {} HOLDING",
                            payer.split_whitespace().next().unwrap_or("DEMO")
                        ),
                        Some(&payer_iban(9_999)),
                    )
                    .on_behalf_of(&inv.client_name)
                    .text(&format!("Pour compte de filiale {}", inv.number)),
                // Only the amount and a private person's name: waits for review.
                8 => CamtEntry::credit(&reference(), paid_on, owed)
                    .from("M. OU MME J. DUPUIS", Some(&payer_iban(4_242)))
                    .text("VIREMENT"),
                // Still unpaid.
                _ => continue,
            };
            entries.push(entry);
        }
        // What else happens on an account in a quarter.
        let eur = |minor: i64| Money::from_minor(minor, org.currency);
        for month in 0..3i64 {
            let first = quarter_start + Duration::days(month * 30);
            entries.push(
                CamtEntry::debit(&reference(), first + Duration::days(1), eur(2_450_00))
                    .from("SCI DES TANNEURS", None)
                    .text("Loyer bureaux"),
            );
            entries.push(
                CamtEntry::debit(&reference(), first + Duration::days(27), eur(18_730_00))
                    .from("SALAIRES", None)
                    .text("Virement salaires"),
            );
            entries.push(
                CamtEntry::debit(&reference(), first + Duration::days(15), eur(6_212_00))
                    .from("URSSAF ILE DE FRANCE", None)
                    .text("Cotisations sociales"),
            );
            entries.push(
                CamtEntry::debit(&reference(), first + Duration::days(28), eur(12_90))
                    .code("ACMT", "MDOP", "CHRG")
                    .text("Frais de tenue de compte"),
            );
        }
        entries.push(
            CamtEntry::credit(
                &reference(),
                quarter_start + Duration::days(40),
                eur(1_260_00),
            )
            .from("OVH SAS", None)
            .code("PMNT", "RRCT", "RRTN")
            .text("Retour virement fournisseur"),
        );
        entries.push(
            CamtEntry::credit(&reference(), quarter_start + Duration::days(89), eur(38_12))
                .code("ACMT", "MDOP", "INTR")
                .text("Interets crediteurs trimestre"),
        );
        entries.push(
            CamtEntry::credit(
                &reference(),
                quarter_start + Duration::days(55),
                eur(312_40),
            )
            .from("AXA FRANCE IARD", None)
            .text("Remboursement sinistre 2026-118"),
        );
        entries.retain(|e| e.booking_date <= today);
        entries.sort_by_key(|e| e.booking_date);
        let xml = camt053(
            &format!("DEMO-{}", today.format("%Y-%m")),
            &iban,
            org.currency,
            eur(48_250_00),
            &entries,
        );
        let imported = self
            .import_bank_file(
                &actor,
                "demo-quarter.camt053.xml",
                xml.as_bytes(),
                None,
                &|_| {},
            )
            .await?;
        let run = self.reconcile(&actor, false).await?;
        Ok(DemoBank {
            transactions: imported.transactions,
            applied: run.applied,
            suggested: run.suggested,
            unmatched: run.unmatched,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn payer_ibans_are_valid() {
        for n in [0, 1, 42, 4_242, 9_999] {
            let iban = payer_iban(n);
            assert!(
                encaisse_core::identifiers::Iban::parse(&iban).is_ok(),
                "{iban}"
            );
        }
    }

    #[test]
    fn typos_change_one_character() {
        assert_eq!(with_typo("F-2026-00040"), "F-2026-0004O");
        assert_eq!(with_typo("F-2026-00042"), "F-2026-00024");
    }
}
