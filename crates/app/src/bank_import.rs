//! Bank transactions in: statement files (`encaisse bank import`) and bank APIs (the Qonto
//! sync) both feed [`App::ingest_bank_transactions`], which stores each movement once.
//!
//! A movement is recognised by its key: the statement parser's `dedup_key` for files (stable
//! across re-imports and overlapping statements), `<provider>:<transaction id>` for an API.
//! A key never seen before may still name a movement another *kind* of source already
//! brought (a file and the API): it is linked to it when exactly one stored movement of the
//! same account has the same booking date and signed amount, came only from the other kind
//! of source, and its counterparty IBAN does not contradict. Linked keys are recorded, so the
//! next sighting through either source finds the movement at once.

use chrono::NaiveDate;
use encaisse_bank::{BankTransaction, FormatHint, Statement, TransactionStatus};
use encaisse_core::role::Permission;
use encaisse_core::{Currency, Money};
use encaisse_store::Tx;
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::bank::{BankAccount, BankBalance, NewBankTransaction};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Actor;
use crate::{App, AppError, Result};

/// Where movements come from. Stored as `file:<format>` or `api:<provider>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BankSource {
    /// A statement file (`camt.053`, `MT940`…) and its name, for messages.
    File { format: String, name: String },
    /// A bank API (`qonto`).
    Api { provider: String },
}

impl BankSource {
    /// The stored label (`file:camt.053`, `api:qonto`).
    pub fn label(&self) -> String {
        match self {
            BankSource::File { format, .. } => format!("file:{format}"),
            BankSource::Api { provider } => format!("api:{provider}"),
        }
    }
}

/// The kind of a stored source label: `file` or `api`.
fn family(source: &str) -> &str {
    source.split(':').next().unwrap_or(source)
}

/// The account the movements belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccountRef {
    /// Electronic form (no spaces), when known.
    pub iban: Option<String>,
    /// The bank's identifier of the account when there is no IBAN.
    pub account_id: String,
    pub currency: Currency,
    /// A name for people; the IBAN or account id when absent.
    pub label: Option<String>,
}

/// Where the bank says a movement stands. API sources move a movement through them; it is
/// stored once whatever its history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BankStatus {
    /// Booked on the account (Qonto `completed`).
    Booked,
    /// Announced, not booked yet: never allocated.
    Pending,
    /// For information only.
    Informational,
    /// Refused by the bank (Qonto `declined`): never money.
    Declined,
    /// Undone by the bank (Qonto `reversed`): allocations made on it are undone.
    Reversed,
}

impl BankStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BankStatus::Booked => "booked",
            BankStatus::Pending => "pending",
            BankStatus::Informational => "informational",
            BankStatus::Declined => "declined",
            BankStatus::Reversed => "reversed",
        }
    }

    /// Reads our words and Qonto's (`completed`).
    pub fn parse(s: &str) -> Option<BankStatus> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "booked" | "completed" | "settled" => BankStatus::Booked,
            "pending" => BankStatus::Pending,
            "informational" | "info" => BankStatus::Informational,
            "declined" => BankStatus::Declined,
            "reversed" => BankStatus::Reversed,
            _ => return None,
        })
    }

    /// Whether the movement is money on the account (or about to be).
    fn counts(self) -> bool {
        matches!(self, BankStatus::Booked | BankStatus::Pending)
    }
}

/// One movement as a source gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingTransaction {
    /// The source's stable key (statement `dedup_key`, `qonto:<transaction_id>`).
    pub dedup_key: String,
    /// The bank's reference (camt `AcctSvcrRef`…, Qonto `transaction_id`).
    pub bank_reference: String,
    pub booking_date: NaiveDate,
    pub value_date: Option<NaiveDate>,
    /// Signed: credit positive.
    pub amount: Money,
    pub status: BankStatus,
    pub is_reversal: bool,
    pub counterparty_name: Option<String>,
    pub counterparty_iban: Option<String>,
    pub counterparty_account: Option<String>,
    pub ultimate_counterparty_name: Option<String>,
    pub remittance: Option<String>,
    pub structured_reference: Option<String>,
    pub end_to_end_id: Option<String>,
    pub additional_info: Option<String>,
    /// camt `Domn/Fmly/SubFmly`, MT940 type, OFX `TRNTYPE`, or the API's operation type.
    pub bank_transaction_code: Option<String>,
    /// The source's own record, kept as is.
    pub raw: serde_json::Value,
}

impl IncomingTransaction {
    /// A parsed statement line.
    pub fn from_statement(tx: &BankTransaction) -> IncomingTransaction {
        let status = match tx.status {
            TransactionStatus::Booked => BankStatus::Booked,
            TransactionStatus::Pending => BankStatus::Pending,
            TransactionStatus::Informational => BankStatus::Informational,
        };
        IncomingTransaction {
            dedup_key: tx.dedup_key.clone(),
            bank_reference: tx.bank_reference.clone(),
            booking_date: tx.booking_date,
            value_date: tx.value_date,
            amount: tx.amount,
            status,
            is_reversal: tx.is_reversal,
            counterparty_name: tx.counterparty_name.clone(),
            counterparty_iban: tx.counterparty_iban.as_ref().map(|i| i.as_str().to_owned()),
            counterparty_account: tx.counterparty_account.clone(),
            ultimate_counterparty_name: tx.ultimate_counterparty_name.clone(),
            remittance: tx.remittance_unstructured.clone(),
            structured_reference: tx.structured_reference.clone(),
            end_to_end_id: tx.end_to_end_id.clone(),
            additional_info: tx.additional_info.clone(),
            bank_transaction_code: tx.bank_transaction_code.clone(),
            raw: serde_json::json!({
                "bank_reference": tx.bank_reference,
                "booking_date": tx.booking_date,
                "value_date": tx.value_date,
                "amount": tx.amount.to_decimal_string(),
                "currency": tx.amount.currency().code(),
                "status": format!("{:?}", tx.status),
                "counterparty_name": tx.counterparty_name,
                "counterparty_account": tx.counterparty_account,
                "remittance": tx.remittance_unstructured,
                "structured_reference": tx.structured_reference,
                "end_to_end_id": tx.end_to_end_id,
                "additional_info": tx.additional_info,
                "bank_transaction_code": tx.bank_transaction_code,
            }),
        }
    }
}

/// A balance the source states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatedBalance {
    /// `opening`, `closing` or `available`.
    pub kind: String,
    pub date: NaiveDate,
    pub amount: Money,
}

/// What an ingest did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// Movements stored for the first time.
    pub new: usize,
    /// Movements already stored (same key, or linked to one another source brought).
    pub known: usize,
    /// Of `known`: first seen through another kind of source, linked now.
    pub linked: usize,
    /// Movements whose bank status moved (pending → booked, → declined, → reversed).
    pub status_changed: usize,
    /// Allocations undone because the bank declined or reversed their movement.
    pub allocations_undone: usize,
    pub accounts_created: usize,
}

impl IngestReport {
    fn add(&mut self, o: &IngestReport) {
        self.new += o.new;
        self.known += o.known;
        self.linked += o.linked;
        self.status_changed += o.status_changed;
        self.allocations_undone += o.allocations_undone;
        self.accounts_created += o.accounts_created;
    }
}

/// What `encaisse bank import` did with a file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FileImportReport {
    pub format: String,
    pub statements: usize,
    pub transactions: usize,
    #[serde(flatten)]
    pub ingest: IngestReport,
}

impl App {
    /// Stores movements of one account from one source, each once: new keys insert, known
    /// keys update the bank status only. All in one transaction, audited as one event;
    /// `progress` is told how many movements were handled so far.
    pub async fn ingest_bank_transactions(
        &self,
        actor: &Actor,
        account: &BankAccountRef,
        source: &BankSource,
        transactions: &[IncomingTransaction],
        balances: &[StatedBalance],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<IngestReport> {
        actor.require(Permission::RecordPayments, "import bank transactions")?;
        let mut tx = self.store.write().await?;
        let report = self
            .ingest_in(
                &mut tx,
                actor,
                account,
                source,
                transactions,
                balances,
                progress,
            )
            .await?;
        tx.commit().await?;
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    async fn ingest_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        account: &BankAccountRef,
        source: &BankSource,
        transactions: &[IncomingTransaction],
        balances: &[StatedBalance],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<IngestReport> {
        let now = self.now();
        let org = actor.organization_id;
        let label = source.label();
        let account_ref = account
            .iban
            .clone()
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| account.account_id.clone());
        if account_ref.trim().is_empty() {
            return Err(AppError::invalid(
                "account",
                "the source names no account: pass the account's IBAN (--account IBAN)",
            ));
        }
        let display = account.label.clone().unwrap_or_else(|| account_ref.clone());
        let (acc, created) = tx
            .upsert_bank_account(
                org,
                &account_ref,
                account.iban.as_deref(),
                account.currency,
                &display,
                now,
            )
            .await?;
        let mut report = IngestReport {
            accounts_created: usize::from(created),
            ..IngestReport::default()
        };
        for (i, t) in transactions.iter().enumerate() {
            if t.amount.currency() != acc.currency {
                return Err(AppError::invalid(
                    format!("transactions[{i}].amount"),
                    format!(
                        "{} on account {} kept in {}: import each currency's statement into its own account",
                        t.amount, acc.account_ref, acc.currency
                    ),
                ));
            }
            let one = self.ingest_one(tx, actor, &acc, &label, t).await?;
            report.add(&one);
            if (i + 1) % 500 == 0 {
                progress(i + 1);
            }
        }
        progress(transactions.len());
        for b in balances {
            tx.insert_bank_balance(
                org,
                &BankBalance {
                    account_id: acc.id,
                    kind: b.kind.clone(),
                    date: b.date,
                    amount: b.amount,
                    source: label.clone(),
                },
                now,
            )
            .await?;
        }
        tx.append_audit(NewAuditEvent {
            organization_id: org,
            actor: &actor.label,
            action: "bank.transactions_ingested",
            entity_type: "bank_account",
            entity_id: &acc.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "source": label, "account": acc.account_ref, "new": report.new, "known": report.known,
                "linked": report.linked, "status_changed": report.status_changed,
                "allocations_undone": report.allocations_undone,
            })),
            at: now,
        })
        .await?;
        Ok(report)
    }

    async fn ingest_one(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        acc: &BankAccount,
        label: &str,
        t: &IncomingTransaction,
    ) -> Result<IngestReport> {
        let org = actor.organization_id;
        let now = self.now();
        let mut report = IngestReport::default();
        let existing = match tx.bank_transaction_id_by_key(org, &t.dedup_key).await? {
            Some(id) => Some(id),
            None => {
                let linked = self.same_movement_elsewhere(tx, org, acc, label, t).await?;
                if let Some(id) = linked {
                    tx.insert_bank_transaction_key(org, &t.dedup_key, id, label, now)
                        .await?;
                    report.linked += 1;
                }
                linked
            }
        };
        let Some(id) = existing else {
            let reconciliation =
                if t.status.counts() && !t.amount.is_negative() && !t.amount.is_zero() {
                    "unmatched"
                } else {
                    "ignored"
                };
            tx.insert_bank_transaction(
                &NewBankTransaction {
                    organization_id: org,
                    account_id: acc.id,
                    dedup_key: t.dedup_key.clone(),
                    source: label.to_owned(),
                    bank_reference: t.bank_reference.clone(),
                    booking_date: t.booking_date,
                    value_date: t.value_date,
                    amount: t.amount,
                    status: t.status.as_str().to_owned(),
                    is_reversal: t.is_reversal,
                    counterparty_name: t.counterparty_name.clone(),
                    counterparty_iban: t.counterparty_iban.clone(),
                    counterparty_account: t.counterparty_account.clone(),
                    ultimate_counterparty_name: t.ultimate_counterparty_name.clone(),
                    remittance: t.remittance.clone(),
                    structured_reference: t.structured_reference.clone(),
                    end_to_end_id: t.end_to_end_id.clone(),
                    additional_info: t.additional_info.clone(),
                    bank_transaction_code: t.bank_transaction_code.clone(),
                    raw_json: t.raw.to_string(),
                    reconciliation: reconciliation.to_owned(),
                },
                now,
            )
            .await?;
            report.new += 1;
            return Ok(report);
        };
        report.known += 1;
        let stored = tx.bank_transaction(org, id).await?;
        let stored_status = BankStatus::parse(&stored.status);
        // A file says nothing about a later status; only a move forward is taken: pending to
        // anything, booked to reversed. Never back to pending.
        let moves = match (stored_status, t.status) {
            (Some(from), to) if from == to => false,
            (Some(BankStatus::Pending), _) => true,
            (Some(BankStatus::Booked), BankStatus::Reversed | BankStatus::Declined) => true,
            _ => false,
        };
        if moves {
            tx.set_bank_transaction_status(org, id, t.status.as_str(), now)
                .await?;
            report.status_changed += 1;
            if !t.status.counts() {
                report.allocations_undone += self.undo_all_of_transaction(tx, actor, id).await?;
                tx.delete_suggestions_of_transaction(org, id).await?;
                tx.set_bank_transaction_reconciliation(org, id, "ignored", now)
                    .await?;
            }
        }
        Ok(report)
    }

    /// The one stored movement, brought only by the other kind of source, that this one is.
    async fn same_movement_elsewhere(
        &self,
        tx: &mut Tx,
        org: Uuid,
        acc: &BankAccount,
        label: &str,
        t: &IncomingTransaction,
    ) -> Result<Option<Uuid>> {
        let mine = family(label);
        let candidates = tx
            .bank_transactions_with_fingerprint(org, acc.id, t.booking_date, &t.amount)
            .await?;
        let fitting: Vec<Uuid> = candidates
            .into_iter()
            .filter(|c| c.key_sources.iter().all(|s| family(s) != mine))
            .filter(|c| match (&c.counterparty_iban, &t.counterparty_iban) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            })
            .map(|c| c.id)
            .collect();
        Ok(match fitting.as_slice() {
            [one] => Some(*one),
            _ => None,
        })
    }

    /// Reads a statement file (any supported format) and ingests every statement in it. A
    /// file that does not parse imports nothing; the error names the file and the line or
    /// element. `account` (an IBAN) is required when the file names no account.
    pub async fn import_bank_file(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        account: Option<&str>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<FileImportReport> {
        actor.require(Permission::RecordPayments, "import bank statements")?;
        let statements = encaisse_bank::parse(bytes, FormatHint::Detect)
            .map_err(|e| AppError::invalid(file_name, e))?;
        let forced = account
            .map(|a| {
                let compact: String = a.chars().filter(|c| !c.is_whitespace()).collect();
                encaisse_core::identifiers::Iban::parse(&compact)
                    .map(|i| i.as_str().to_owned())
                    .map_err(|e| AppError::invalid("--account", format!("{a}: {e}")))
            })
            .transpose()?;
        let mut report = FileImportReport {
            format: statements
                .first()
                .map(|s| s.format.name().to_owned())
                .unwrap_or_default(),
            statements: statements.len(),
            ..FileImportReport::default()
        };
        let mut tx = self.store.write().await?;
        let mut done = 0usize;
        for (n, st) in statements.iter().enumerate() {
            let account_ref = account_of(st, forced.as_deref()).ok_or_else(|| {
                AppError::invalid(
                    file_name,
                    format!(
                        "statement {} names no account: pass the account's IBAN with --account IBAN",
                        n + 1
                    ),
                )
            })?;
            if let Some(f) = forced.as_deref()
                && let Some(own) = st.account_iban.as_ref()
                && own.as_str() != f
            {
                return Err(AppError::invalid(
                    file_name,
                    format!(
                        "statement {} is for account {}, not {f}: drop --account or pass the right IBAN",
                        n + 1,
                        own.as_str()
                    ),
                ));
            }
            let incoming: Vec<IncomingTransaction> = st
                .transactions
                .iter()
                .map(IncomingTransaction::from_statement)
                .collect();
            let balances: Vec<StatedBalance> = [
                ("opening", st.opening_balance),
                ("closing", st.closing_balance),
            ]
            .into_iter()
            .filter_map(|(kind, b)| {
                b.map(|b| StatedBalance {
                    kind: kind.to_owned(),
                    date: b.date,
                    amount: b.amount,
                })
            })
            .collect();
            let source = BankSource::File {
                format: st.format.name().to_owned(),
                name: file_name.to_owned(),
            };
            let base = done;
            let one = self
                .ingest_in(
                    &mut tx,
                    actor,
                    &account_ref,
                    &source,
                    &incoming,
                    &balances,
                    &|k| progress(base + k),
                )
                .await?;
            done += incoming.len();
            report.transactions += incoming.len();
            report.ingest.add(&one);
        }
        tx.commit().await?;
        Ok(report)
    }
}

fn account_of(st: &Statement, forced: Option<&str>) -> Option<BankAccountRef> {
    let iban = forced
        .map(str::to_owned)
        .or_else(|| st.account_iban.as_ref().map(|i| i.as_str().to_owned()));
    if iban.is_none() && st.account_id.trim().is_empty() {
        return None;
    }
    Some(BankAccountRef {
        iban,
        account_id: st.account_id.clone(),
        currency: st.currency,
        label: None,
    })
}
