//! ISO 20022 camt.053 (statement), camt.054 (debit/credit notification) and camt.052
//! (intraday report): versions .001.02, .001.04 and .001.08 (tested), including the Swiss SPS
//! variants; later versions (.10, .12, .13) keep the same element tree and should read alike.
//!
//! Elements are matched by local name, so the namespace (and thus the version) does not
//! matter; the version differences that do matter are handled where they occur: `Sts` as
//! plain text (.02/.04) or `Sts/Cd` (.08+), party names as `Dbtr/Nm` or `Dbtr/Pty/Nm` (.08+),
//! transaction amounts as `TxDtls/Amt` (.04+) or `AmtDtls/TxAmt/Amt` (.02).
//!
//! One [`BankTransaction`] is produced per `TxDtls`; an entry without details produces one
//! from the entry alone. Amounts:
//! - an entry with a single `TxDtls` takes the **entry** amount and sign (`Ntry/Amt`,
//!   `Ntry/CdtDbtInd`): that is what was booked on the account, while the detail may state
//!   the instructed amount in another currency;
//! - in a batch (several `TxDtls`) each detail takes its own `TxDtls/Amt`, else
//!   `AmtDtls/TxAmt/Amt`, signed by its own `CdtDbtInd`, else the entry's; a batch detail
//!   without an amount is an error, since the batch total cannot be split.
//!
//! The counterparty is the debtor of a credit and the creditor of a debit — unless that
//! party's account is the statement's own account (some banks sign batch details from the
//! other side), in which case the other party is taken.

use chrono::NaiveDate;
use encaisse_core::identifiers::Iban;
use encaisse_core::{Currency, Money};
use rust_decimal::Decimal;

use crate::error::ImportError;
use crate::model::{Balance, BankTransaction, Format, Statement, TransactionStatus};
use crate::xml_tree::{self, Element};

/// Parses a camt.052, camt.053 or camt.054 document into one statement per `Rpt`, `Stmt` or
/// `Ntfctn`. Dedup keys are left empty; [`crate::parse`] fills them.
pub(crate) fn parse(text: &str) -> Result<Vec<Statement>, ImportError> {
    let guessed = format_in_text(text).unwrap_or(Format::Camt053);
    let root = xml_tree::parse(text)
        .map_err(|e| ImportError::at_line(guessed, e.line, "well-formed XML", Some(&e.message)))?;
    let (message, message_path) = message_element(&root).ok_or_else(|| {
        ImportError::at_path(
            guessed,
            format!("/{}", root.name),
            "a BkToCstmrStmt, BkToCstmrDbtCdtNtfctn or BkToCstmrAcctRpt message",
            None,
        )
    })?;
    let (format, item_name) = match message.name.as_str() {
        "BkToCstmrAcctRpt" => (Format::Camt052, "Rpt"),
        "BkToCstmrDbtCdtNtfctn" => (Format::Camt054, "Ntfctn"),
        _ => (Format::Camt053, "Stmt"),
    };
    let reader = CamtReader { format };
    message
        .children_named(item_name)
        .enumerate()
        .map(|(i, item)| reader.statement(item, &format!("{message_path}/{item_name}[{}]", i + 1)))
        .collect()
}

/// The camt flavour named in a document's text, for detection and early error messages.
pub(crate) fn format_in_text(text: &str) -> Option<Format> {
    if text.contains("BkToCstmrStmt") {
        Some(Format::Camt053)
    } else if text.contains("BkToCstmrDbtCdtNtfctn") {
        Some(Format::Camt054)
    } else if text.contains("BkToCstmrAcctRpt") {
        Some(Format::Camt052)
    } else {
        None
    }
}

const MESSAGES: [&str; 3] = ["BkToCstmrStmt", "BkToCstmrDbtCdtNtfctn", "BkToCstmrAcctRpt"];

fn message_element(root: &Element) -> Option<(&Element, String)> {
    if MESSAGES.contains(&root.name.as_str()) {
        return Some((root, format!("/{}", root.name)));
    }
    root.children
        .iter()
        .find(|c| MESSAGES.contains(&c.name.as_str()))
        .map(|m| (m, format!("/{}/{}", root.name, m.name)))
}

struct CamtReader {
    format: Format,
}

/// What an entry (`Ntry`) says, shared by its details.
struct Entry<'a> {
    path: String,
    amount: Decimal,
    currency: Currency,
    credit: bool,
    reversal: bool,
    status: TransactionStatus,
    booking_date: NaiveDate,
    value_date: Option<NaiveDate>,
    acct_svcr_ref: Option<&'a str>,
    ntry_ref: Option<&'a str>,
    code: Option<String>,
    additional_info: Option<&'a str>,
}

/// Debtor or creditor side of `RltdPties`.
#[derive(Default)]
struct Party<'a> {
    name: Option<&'a str>,
    account: Option<&'a str>,
    ultimate: Option<&'a str>,
}

impl CamtReader {
    fn error(&self, path: &str, expected: &str, found: Option<&str>) -> ImportError {
        ImportError::at_path(self.format, path, expected, found)
    }

    fn statement(&self, item: &Element, path: &str) -> Result<Statement, ImportError> {
        let account_text = item
            .text_at(&["Acct", "Id", "IBAN"])
            .or_else(|| item.text_at(&["Acct", "Id", "Othr", "Id"]));
        let account_iban = account_text.and_then(|a| Iban::parse(a).ok());
        let currency = self.statement_currency(item, path)?;

        let mut opening = None;
        let mut previous_closing = None;
        let mut closing = None;
        for (i, bal) in item.children_named("Bal").enumerate() {
            let bal_path = format!("{path}/Bal[{}]", i + 1);
            let code = bal
                .text_at(&["Tp", "CdOrPrtry", "Cd"])
                .or_else(|| bal.text_at(&["Tp", "CdOrPrtry", "Prtry"]));
            let slot = match code {
                Some("OPBD") => &mut opening,
                Some("PRCD") => &mut previous_closing,
                Some("CLBD") => &mut closing,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(self.balance(bal, &bal_path)?);
            }
        }

        let mut transactions = Vec::new();
        for (i, ntry) in item.children_named("Ntry").enumerate() {
            let entry = self.entry(ntry, format!("{path}/Ntry[{}]", i + 1))?;
            self.entry_transactions(ntry, &entry, account_text.unwrap_or(""), &mut transactions)?;
        }

        Ok(Statement {
            format: self.format,
            statement_id: item.text_at(&["Id"]).map(str::to_owned),
            account_iban,
            account_id: account_text.unwrap_or_default().to_owned(),
            currency,
            opening_balance: opening.or(previous_closing),
            closing_balance: closing,
            transactions,
        })
    }

    /// `Acct/Ccy`, else the currency of the first balance, else of the first entry.
    fn statement_currency(&self, item: &Element, path: &str) -> Result<Currency, ImportError> {
        if let Some(code) = item.text_at(&["Acct", "Ccy"]) {
            return Currency::parse(code).map_err(|_| {
                self.error(
                    &format!("{path}/Acct/Ccy"),
                    "an ISO 4217 currency code",
                    Some(code),
                )
            });
        }
        let first_amount = item
            .children_named("Bal")
            .chain(item.children_named("Ntry"))
            .find_map(|e| e.child("Amt"));
        match first_amount.and_then(|a| a.attribute("Ccy")) {
            Some(code) => Currency::parse(code).map_err(|_| {
                self.error(
                    &format!("{path}/Bal/Amt/@Ccy"),
                    "an ISO 4217 currency code",
                    Some(code),
                )
            }),
            None => Err(self.error(
                &format!("{path}/Acct/Ccy"),
                "the account currency (Acct/Ccy, or an amount with a Ccy attribute)",
                None,
            )),
        }
    }

    fn balance(&self, bal: &Element, path: &str) -> Result<Balance, ImportError> {
        let (amount, currency) = self.amount(bal, "Amt", path)?;
        let credit = self.credit_debit(bal, path)?;
        let date = self
            .optional_date(bal, "Dt", path)?
            .ok_or_else(|| self.error(&format!("{path}/Dt"), "a date (Dt/Dt or Dt/DtTm)", None))?;
        Ok(Balance {
            amount: Money::new(if credit { amount } else { -amount }, currency),
            date,
        })
    }

    fn entry<'a>(&self, ntry: &'a Element, path: String) -> Result<Entry<'a>, ImportError> {
        let (amount, currency) = self.amount(ntry, "Amt", &path)?;
        let credit = self.credit_debit(ntry, &path)?;
        let reversal = matches!(ntry.text_at(&["RvslInd"]), Some("true") | Some("1"));
        let status = self.status(ntry, &path)?;
        let booking = self.optional_date(ntry, "BookgDt", &path)?;
        let value_date = self.optional_date(ntry, "ValDt", &path)?;
        let booking_date = booking.or(value_date).ok_or_else(|| {
            self.error(
                &format!("{path}/BookgDt"),
                "a booking date (BookgDt/Dt or BookgDt/DtTm) or a value date",
                None,
            )
        })?;
        Ok(Entry {
            amount,
            currency,
            credit,
            reversal,
            status,
            booking_date,
            value_date,
            acct_svcr_ref: ntry.text_at(&["AcctSvcrRef"]),
            ntry_ref: ntry.text_at(&["NtryRef"]),
            code: ntry.child("BkTxCd").and_then(transaction_code),
            additional_info: ntry.text_at(&["AddtlNtryInf"]),
            path,
        })
    }

    fn entry_transactions(
        &self,
        ntry: &Element,
        entry: &Entry<'_>,
        own_account: &str,
        out: &mut Vec<BankTransaction>,
    ) -> Result<(), ImportError> {
        let details: Vec<(usize, usize, &Element)> = ntry
            .children_named("NtryDtls")
            .enumerate()
            .flat_map(|(d, dtls)| {
                dtls.children_named("TxDtls")
                    .enumerate()
                    .map(move |(t, tx)| (d, t, tx))
            })
            .collect();
        if details.is_empty() {
            out.push(self.transaction(entry, None, None, own_account, None)?);
            return Ok(());
        }
        let batch = details.len() > 1;
        let several_dtls = ntry.children_named("NtryDtls").count() > 1;
        for (k, (d, t, tx)) in details.into_iter().enumerate() {
            let dtls = if several_dtls {
                format!("NtryDtls[{}]", d + 1)
            } else {
                "NtryDtls".to_owned()
            };
            let path = format!("{}/{dtls}/TxDtls[{}]", entry.path, t + 1);
            let batch_index = batch.then_some(k + 1);
            out.push(self.transaction(entry, Some(tx), Some(&path), own_account, batch_index)?);
        }
        Ok(())
    }

    fn transaction(
        &self,
        entry: &Entry<'_>,
        tx: Option<&Element>,
        tx_path: Option<&str>,
        own_account: &str,
        batch_index: Option<usize>,
    ) -> Result<BankTransaction, ImportError> {
        let (amount, currency, credit) = match (tx, tx_path, batch_index) {
            (Some(tx), Some(path), Some(_)) => {
                let (amount, currency) = if tx.child("Amt").is_some() {
                    self.amount(tx, "Amt", path)?
                } else if let Some(amt_dtls) = tx.at(&["AmtDtls", "TxAmt"]) {
                    self.amount(amt_dtls, "Amt", &format!("{path}/AmtDtls/TxAmt"))?
                } else {
                    return Err(self.error(
                        &format!("{path}/Amt"),
                        "the amount of each transaction of a batch (TxDtls/Amt or AmtDtls/TxAmt/Amt)",
                        None,
                    ));
                };
                let credit = if tx.child("CdtDbtInd").is_some() {
                    self.credit_debit(tx, path)?
                } else {
                    entry.credit
                };
                (amount, currency, credit)
            }
            _ => (entry.amount, entry.currency, entry.credit),
        };
        let signed = Money::new(if credit { amount } else { -amount }, currency);

        let empty = Element::default();
        let tx = tx.unwrap_or(&empty);
        let (party, ultimate) = counterparty(tx, credit, own_account);
        let bank_reference = match tx.text_at(&["Refs", "AcctSvcrRef"]) {
            Some(own) => own.to_owned(),
            None => match (entry.acct_svcr_ref.or(entry.ntry_ref), batch_index) {
                (Some(base), Some(k)) => format!("{base}-{k}"),
                (Some(base), None) => base.to_owned(),
                (None, _) => String::new(),
            },
        };
        let remittance = tx.child("RmtInf");
        let unstructured = remittance.and_then(|r| {
            let parts: Vec<&str> = r
                .children_named("Ustrd")
                .map(|u| u.text.as_str())
                .filter(|t| !t.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        let structured = remittance.and_then(|r| {
            r.children_named("Strd")
                .find_map(|s| s.text_at(&["CdtrRefInf", "Ref"]))
        });
        let additional: Vec<&str> = [entry.additional_info, tx.text_at(&["AddtlTxInf"])]
            .into_iter()
            .flatten()
            .collect();

        Ok(BankTransaction {
            bank_reference,
            booking_date: entry.booking_date,
            value_date: entry.value_date,
            amount: signed,
            status: entry.status,
            is_reversal: entry.reversal,
            counterparty_name: party.name.or(party.ultimate).map(str::to_owned),
            counterparty_iban: party.account.and_then(|a| Iban::parse(a).ok()),
            counterparty_account: party.account.map(str::to_owned),
            ultimate_counterparty_name: ultimate.map(str::to_owned),
            remittance_unstructured: unstructured,
            structured_reference: structured.map(str::to_owned),
            end_to_end_id: tx
                .text_at(&["Refs", "EndToEndId"])
                .filter(|e| !e.eq_ignore_ascii_case("NOTPROVIDED"))
                .map(str::to_owned),
            additional_info: (!additional.is_empty()).then(|| additional.join(" | ")),
            bank_transaction_code: tx
                .child("BkTxCd")
                .and_then(transaction_code)
                .or_else(|| entry.code.clone()),
            dedup_key: String::new(),
        })
    }

    /// A non-negative decimal in `parent/name` with its `Ccy` attribute.
    fn amount(
        &self,
        parent: &Element,
        name: &str,
        parent_path: &str,
    ) -> Result<(Decimal, Currency), ImportError> {
        let path = format!("{parent_path}/{name}");
        let element = parent
            .child(name)
            .ok_or_else(|| self.error(&path, "an amount element", None))?;
        let text = element.text.as_str();
        let amount = parse_decimal(text).ok_or_else(|| {
            self.error(
                &path,
                "a non-negative decimal amount such as 1234.50",
                Some(text),
            )
        })?;
        let code = element.attribute("Ccy").ok_or_else(|| {
            self.error(
                &format!("{path}/@Ccy"),
                "a Ccy attribute (ISO 4217 code)",
                None,
            )
        })?;
        let currency = Currency::parse(code).map_err(|_| {
            self.error(
                &format!("{path}/@Ccy"),
                "an ISO 4217 currency code",
                Some(code),
            )
        })?;
        Ok((amount, currency))
    }

    /// `CdtDbtInd`: true for `CRDT`.
    fn credit_debit(&self, parent: &Element, parent_path: &str) -> Result<bool, ImportError> {
        match parent.text_at(&["CdtDbtInd"]) {
            Some("CRDT") => Ok(true),
            Some("DBIT") => Ok(false),
            other => Err(self.error(&format!("{parent_path}/CdtDbtInd"), "CRDT or DBIT", other)),
        }
    }

    fn status(&self, ntry: &Element, path: &str) -> Result<TransactionStatus, ImportError> {
        let Some(sts) = ntry.child("Sts") else {
            return Ok(TransactionStatus::Booked);
        };
        let code = if sts.children.is_empty() {
            Some(sts.text.as_str())
        } else {
            sts.text_at(&["Cd"]).or_else(|| sts.text_at(&["Prtry"]))
        };
        match code {
            Some("BOOK") => Ok(TransactionStatus::Booked),
            Some("PDNG") | Some("FUTR") => Ok(TransactionStatus::Pending),
            Some("INFO") => Ok(TransactionStatus::Informational),
            other => Err(self.error(
                &format!("{path}/Sts"),
                "a status BOOK, PDNG, FUTR or INFO",
                other,
            )),
        }
    }

    /// `parent/name/Dt` or the date part of `parent/name/DtTm`, when `name` is present.
    fn optional_date(
        &self,
        parent: &Element,
        name: &str,
        parent_path: &str,
    ) -> Result<Option<NaiveDate>, ImportError> {
        let Some(holder) = parent.child(name) else {
            return Ok(None);
        };
        let (text, leaf) = match (holder.text_at(&["Dt"]), holder.text_at(&["DtTm"])) {
            (Some(d), _) => (d, "Dt"),
            (None, Some(dt)) => (dt, "DtTm"),
            (None, None) => return Ok(None),
        };
        let date = text
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| {
                self.error(
                    &format!("{parent_path}/{name}/{leaf}"),
                    "an ISO date YYYY-MM-DD",
                    Some(text),
                )
            })?;
        Ok(Some(date))
    }
}

/// `Domn/Cd/Fmly/Cd/SubFmlyCd` as `PMNT/RCDT/ESCT`, else the proprietary code.
fn transaction_code(bk: &Element) -> Option<String> {
    if let Some(domain) = bk.text_at(&["Domn", "Cd"]) {
        let mut code = domain.to_owned();
        for part in [
            bk.text_at(&["Domn", "Fmly", "Cd"]),
            bk.text_at(&["Domn", "Fmly", "SubFmlyCd"]),
        ]
        .into_iter()
        .flatten()
        {
            code.push('/');
            code.push_str(part);
        }
        return Some(code);
    }
    bk.text_at(&["Prtry", "Cd"]).map(str::to_owned)
}

fn party<'a>(related: Option<&'a Element>, role: &str) -> Party<'a> {
    let Some(related) = related else {
        return Party::default();
    };
    let name_of = |e: Option<&'a Element>| {
        e.and_then(|e| e.text_at(&["Nm"]).or_else(|| e.text_at(&["Pty", "Nm"])))
    };
    let account = related.child(&format!("{role}Acct")).and_then(|a| {
        a.text_at(&["Id", "IBAN"])
            .or_else(|| a.text_at(&["Id", "Othr", "Id"]))
    });
    Party {
        name: name_of(related.child(role)),
        account,
        ultimate: name_of(related.child(&format!("Ultmt{role}"))),
    }
}

/// The other party of the movement and its ultimate party name.
fn counterparty<'a>(
    tx: &'a Element,
    credit: bool,
    own_account: &str,
) -> (Party<'a>, Option<&'a str>) {
    let related = tx.child("RltdPties");
    let debtor = party(related, "Dbtr");
    let creditor = party(related, "Cdtr");
    let (primary, other) = if credit {
        (debtor, creditor)
    } else {
        (creditor, debtor)
    };
    let is_own = |p: &Party<'_>| {
        !own_account.is_empty() && p.account.is_some_and(|a| same_account(a, own_account))
    };
    let chosen = if is_own(&primary) && !is_own(&other) && other.name.is_some() {
        other
    } else {
        primary
    };
    let ultimate = chosen.ultimate;
    (chosen, ultimate)
}

fn same_account(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect()
    };
    norm(a) == norm(b)
}

/// `1234.50`, `200000`, `0` — ISO 20022 decimals are unsigned with a dot.
fn parse_decimal(text: &str) -> Option<Decimal> {
    let ok_chars = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.chars().filter(|c| *c == '.').count() <= 1
        && text.chars().any(|c| c.is_ascii_digit());
    if !ok_chars {
        return None;
    }
    text.parse::<Decimal>().ok()
}
