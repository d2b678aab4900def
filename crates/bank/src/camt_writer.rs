//! Writing a camt.053.001.08 statement: what `encaisse demo` and the tests feed to the same
//! import path a bank's file takes. Only what the reader needs is written: account, opening
//! and closing balances, and one entry per movement (one `TxDtls` each, or several for a
//! batch booking).

use chrono::NaiveDate;
use encaisse_core::{Currency, Money};

/// One movement of a statement to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CamtEntry {
    /// The bank's reference (`AcctSvcrRef` of the entry).
    pub bank_reference: String,
    pub booking_date: NaiveDate,
    /// Signed: credit positive.
    pub amount: Money,
    /// `PMNT/RCDT/ESCT` for a received transfer, `PMNT/ICDT/ESCT` for one sent,
    /// `PMNT/RRCT/RRTN` for a return, `ACMT/MDOP/INTR` for interest, `ACMT/MDOP/CHRG` for fees.
    pub code: (String, String, String),
    pub counterparty_name: Option<String>,
    pub counterparty_iban: Option<String>,
    /// `UltmtDbtr` (who the payer paid for).
    pub ultimate_name: Option<String>,
    pub remittance: Option<String>,
    /// A structured creditor reference (QRR or RF).
    pub structured_reference: Option<String>,
    pub end_to_end_id: Option<String>,
}

impl CamtEntry {
    /// A received credit transfer.
    pub fn credit(reference: &str, date: NaiveDate, amount: Money) -> CamtEntry {
        CamtEntry {
            bank_reference: reference.to_owned(),
            booking_date: date,
            amount,
            code: ("PMNT".into(), "RCDT".into(), "ESCT".into()),
            counterparty_name: None,
            counterparty_iban: None,
            ultimate_name: None,
            remittance: None,
            structured_reference: None,
            end_to_end_id: None,
        }
    }

    /// A transfer sent (amount given positive, written as a debit).
    pub fn debit(reference: &str, date: NaiveDate, amount: Money) -> CamtEntry {
        CamtEntry {
            code: ("PMNT".into(), "ICDT".into(), "ESCT".into()),
            ..CamtEntry::credit(reference, date, amount.negated())
        }
    }

    pub fn from(mut self, name: &str, iban: Option<&str>) -> CamtEntry {
        self.counterparty_name = Some(name.to_owned());
        self.counterparty_iban = iban.map(str::to_owned);
        self
    }

    pub fn text(mut self, remittance: &str) -> CamtEntry {
        self.remittance = Some(remittance.to_owned());
        self
    }

    pub fn reference(mut self, structured: &str) -> CamtEntry {
        self.structured_reference = Some(structured.to_owned());
        self
    }

    pub fn on_behalf_of(mut self, name: &str) -> CamtEntry {
        self.ultimate_name = Some(name.to_owned());
        self
    }

    pub fn code(mut self, domain: &str, family: &str, sub: &str) -> CamtEntry {
        self.code = (domain.into(), family.into(), sub.into());
        self
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn amount(m: &Money) -> String {
    let digits = m.currency().minor_digits() as usize;
    let a = m.amount().abs();
    format!("{a:.digits$}")
}

/// A statement of `iban` from `opening` (its balance the day before the first entry), with
/// its entries in order; the closing balance is computed.
pub fn camt053(
    statement_id: &str,
    iban: &str,
    currency: Currency,
    opening: Money,
    entries: &[CamtEntry],
) -> String {
    let first = entries.iter().map(|e| e.booking_date).min();
    let last = entries.iter().map(|e| e.booking_date).max();
    let mut closing = opening;
    for e in entries {
        closing = closing.checked_add(&e.amount).unwrap_or(closing);
    }
    let bal = |code: &str, m: &Money, d: Option<NaiveDate>| {
        format!(
            "<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{cur}\">{amt}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>",
            cur = currency.code(),
            amt = amount(m),
            ind = if m.is_negative() { "DBIT" } else { "CRDT" },
            date = d
                .map(|d| d.to_string())
                .unwrap_or_else(|| "2000-01-01".into()),
        )
    };
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>",
    );
    x.push_str(&format!(
        "<GrpHdr><MsgId>{id}</MsgId><CreDtTm>{d}T18:00:00</CreDtTm></GrpHdr><Stmt><Id>{id}</Id>",
        id = esc(statement_id),
        d = last
            .map(|d| d.to_string())
            .unwrap_or_else(|| "2000-01-01".into()),
    ));
    x.push_str(&format!(
        "<Acct><Id><IBAN>{}</IBAN></Id><Ccy>{}</Ccy></Acct>",
        esc(iban),
        currency.code()
    ));
    x.push_str(&bal("OPBD", &opening, first.and_then(|d| d.pred_opt())));
    x.push_str(&bal("CLBD", &closing, last));
    for e in entries {
        let credit = !e.amount.is_negative();
        let ind = if credit { "CRDT" } else { "DBIT" };
        x.push_str(&format!(
            "<Ntry><Amt Ccy=\"{cur}\">{amt}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>\
             <BookgDt><Dt>{d}</Dt></BookgDt><ValDt><Dt>{d}</Dt></ValDt><AcctSvcrRef>{r}</AcctSvcrRef>\
             <BkTxCd><Domn><Cd>{c0}</Cd><Fmly><Cd>{c1}</Cd><SubFmlyCd>{c2}</SubFmlyCd></Fmly></Domn></BkTxCd>\
             <NtryDtls><TxDtls>",
            cur = e.amount.currency().code(),
            amt = amount(&e.amount),
            d = e.booking_date,
            r = esc(&e.bank_reference),
            c0 = esc(&e.code.0),
            c1 = esc(&e.code.1),
            c2 = esc(&e.code.2),
        ));
        x.push_str(&format!(
            "<Refs><EndToEndId>{}</EndToEndId></Refs>",
            esc(e.end_to_end_id.as_deref().unwrap_or("NOTPROVIDED"))
        ));
        let role = if credit { "Dbtr" } else { "Cdtr" };
        if e.counterparty_name.is_some()
            || e.ultimate_name.is_some()
            || e.counterparty_iban.is_some()
        {
            x.push_str("<RltdPties>");
            if let Some(n) = &e.counterparty_name {
                x.push_str(&format!("<{role}><Pty><Nm>{}</Nm></Pty></{role}>", esc(n)));
            }
            if let Some(i) = &e.counterparty_iban {
                x.push_str(&format!(
                    "<{role}Acct><Id><IBAN>{}</IBAN></Id></{role}Acct>",
                    esc(i)
                ));
            }
            if let Some(u) = &e.ultimate_name {
                x.push_str(&format!(
                    "<Ultmt{role}><Pty><Nm>{}</Nm></Pty></Ultmt{role}>",
                    esc(u)
                ));
            }
            x.push_str("</RltdPties>");
        }
        if e.remittance.is_some() || e.structured_reference.is_some() {
            x.push_str("<RmtInf>");
            if let Some(r) = &e.remittance {
                x.push_str(&format!("<Ustrd>{}</Ustrd>", esc(r)));
            }
            if let Some(s) = &e.structured_reference {
                x.push_str(&format!(
                    "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{}</Ref></CdtrRefInf></Strd>",
                    esc(s)
                ));
            }
            x.push_str("</RmtInf>");
        }
        x.push_str("</TxDtls></NtryDtls></Ntry>");
    }
    x.push_str("</Stmt></BkToCstmrStmt></Document>\n");
    x
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::inconsistent_digit_grouping)]
    use super::*;
    use crate::{FormatHint, parse};

    #[test]
    fn a_written_statement_reads_back() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let eur = |m| Money::from_minor(m, Currency::EUR);
        let xml = camt053(
            "S1",
            "FR7630006000011234567890189",
            Currency::EUR,
            eur(1_000_00),
            &[
                CamtEntry::credit("B1", d, eur(1_200_00))
                    .from("Dupont & Fils", Some("FR1420041010050500013M02606"))
                    .text("Facture F-2026-00042")
                    .on_behalf_of("Dupont Lyon"),
                CamtEntry::debit("B2", d, eur(50_00)).from("Loyer SCI", None),
            ],
        );
        let st = parse(xml.as_bytes(), FormatHint::Detect).unwrap();
        let t = &st[0].transactions;
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].bank_reference, "B1");
        assert_eq!(t[0].amount, eur(1_200_00));
        assert_eq!(t[0].counterparty_name.as_deref(), Some("Dupont & Fils"));
        assert_eq!(
            t[0].ultimate_counterparty_name.as_deref(),
            Some("Dupont Lyon")
        );
        assert_eq!(
            t[0].remittance_unstructured.as_deref(),
            Some("Facture F-2026-00042")
        );
        assert_eq!(t[1].amount, eur(-50_00));
        assert_eq!(st[0].closing_balance.unwrap().amount, eur(2_150_00));
    }
}
