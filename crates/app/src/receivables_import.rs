//! `encaisse invoice import FILE.csv`: open invoices issued by another tool, so a new user can
//! reconcile from day one.
//!
//! Header (exactly these names, any order, other columns ignored):
//! `number,client_name,client_iban,currency,gross_amount,paid_amount,issue_date,due_date,payment_reference`.
//! `client_iban`, `paid_amount` and `payment_reference` may be empty; dates are ISO 8601;
//! amounts use a dot. Each row becomes an *external* issued invoice: the number is the file's
//! (not drawn from our sequence), there is no frozen document, and one line carries the gross
//! amount (VAT category O: the breakdown lives in the other tool). Clients are matched by name
//! (case-insensitive) or created. The whole file is checked first: any error imports nothing.
//! Re-importing changes nothing (`external_ref = import:<number>`).

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use chrono::NaiveDate;
use encaisse_core::identifiers::Iban;
use encaisse_core::invoice::{
    DocumentKind, Invoice, InvoiceEvent, InvoiceLine, InvoiceStatus, UnitCode, transition,
};
use encaisse_core::party::{Address, Client, LegalIds, PaymentTerms};
use encaisse_core::reference::{CreditorReference, PaymentReference, QrReference};
use encaisse_core::role::Permission;
use encaisse_core::vat::VatRate;
use encaisse_core::{Currency, Money};
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::reconciliation::FactRecord;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Actor;
use crate::{App, AppError, Result};

/// The columns of the file, in the documented order.
pub const RECEIVABLES_HEADER: [&str; 9] = [
    "number",
    "client_name",
    "client_iban",
    "currency",
    "gross_amount",
    "paid_amount",
    "issue_date",
    "due_date",
    "payment_reference",
];

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReceivablesImport {
    pub rows: usize,
    /// Invoices created.
    pub created: usize,
    /// Rows already imported before (nothing changed).
    pub unchanged: usize,
    pub clients_created: usize,
}

/// One valid row.
#[derive(Clone, Debug)]
struct Receivable {
    line: u64,
    number: String,
    client_name: String,
    client_iban: Option<String>,
    gross: Money,
    paid: Money,
    issue_date: NaiveDate,
    due_date: NaiveDate,
    reference: Option<PaymentReference>,
    free_reference: Option<String>,
}

fn amount(text: &str, currency: Currency) -> std::result::Result<Money, String> {
    let d = Decimal::from_str(text).map_err(|_| {
        format!(
            "`{text}` is not an amount: write it with a dot and no thousands separator (1234.50)"
        )
    })?;
    if d.scale() > currency.minor_digits() {
        return Err(format!(
            "`{text}` has more decimals than {currency} allows ({})",
            currency.minor_digits()
        ));
    }
    if d.is_sign_negative() {
        return Err(format!(
            "`{text}` is negative: import credit notes in the other tool's way, not here"
        ));
    }
    Ok(Money::new(d, currency))
}

fn date(text: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not an ISO date: write 2026-03-31"))
}

/// Reads and checks the whole file; every error names the line and the column.
fn parse_file(file: &str, bytes: &[u8]) -> Result<Vec<Receivable>> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| AppError::invalid(file, format!("line 1: cannot read the header: {e}")))?
        .clone();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for name in RECEIVABLES_HEADER {
        match headers.iter().position(|h| h == name) {
            Some(i) => {
                index.insert(name, i);
            }
            None => {
                return Err(AppError::invalid(
                    file,
                    format!(
                        "line 1: the header has no column `{name}`; the header must name {}",
                        RECEIVABLES_HEADER.join(",")
                    ),
                ));
            }
        }
    }
    let mut errors: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut numbers: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let get = |name: &str| {
            index
                .get(name)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
                .to_owned()
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let mut err = |column: &str, message: String| {
            errors.push(format!("line {line}, column {column}: {message}"))
        };
        let number = get("number");
        if number.is_empty() {
            err("number", "is empty: every invoice needs its number".into());
        } else if let Some(first) = numbers.insert(number.clone(), line) {
            err(
                "number",
                format!("`{number}` appears twice (also line {first})"),
            );
        }
        let client_name = get("client_name");
        if client_name.is_empty() {
            err("client_name", "is empty: name the client".into());
        }
        let iban_text = get("client_iban");
        let client_iban = if iban_text.is_empty() {
            None
        } else {
            let compact: String = iban_text.chars().filter(|c| !c.is_whitespace()).collect();
            match Iban::parse(&compact) {
                Ok(i) => Some(i.as_str().to_owned()),
                Err(e) => {
                    err(
                        "client_iban",
                        format!("`{iban_text}`: {e}; leave it empty if unknown"),
                    );
                    None
                }
            }
        };
        let currency = match Currency::parse(&get("currency")) {
            Ok(c) => Some(c),
            Err(e) => {
                err(
                    "currency",
                    format!("{e}; use an ISO 4217 code such as EUR or CHF"),
                );
                None
            }
        };
        let issue = date(&get("issue_date"))
            .map_err(|m| err("issue_date", m))
            .ok();
        let due = date(&get("due_date")).map_err(|m| err("due_date", m)).ok();
        if let (Some(i), Some(d)) = (issue, due)
            && d < i
        {
            err("due_date", format!("{d} is before the issue date {i}"));
        }
        let Some(currency) = currency else { continue };
        let gross = match amount(&get("gross_amount"), currency) {
            Ok(g) if g.is_zero() => {
                err(
                    "gross_amount",
                    "is zero: nothing is owed on this invoice".into(),
                );
                None
            }
            Ok(g) => Some(g),
            Err(m) => {
                err("gross_amount", m);
                None
            }
        };
        let paid_text = get("paid_amount");
        let paid = if paid_text.is_empty() {
            Some(Money::zero(currency))
        } else {
            amount(&paid_text, currency)
                .map_err(|m| err("paid_amount", m))
                .ok()
        };
        if let (Some(g), Some(p)) = (gross, paid)
            && p.amount() > g.amount()
        {
            err(
                "paid_amount",
                format!("{p} is more than the gross amount {g}"),
            );
        }
        let reference_text = get("payment_reference");
        let reference = if reference_text.is_empty() {
            None
        } else {
            let compact: String = reference_text
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            QrReference::parse(&compact)
                .map(PaymentReference::Qr)
                .or_else(|_| CreditorReference::parse(&compact).map(PaymentReference::Creditor))
                .ok()
        };
        if let (Some(gross), Some(paid), Some(issue_date), Some(due_date)) =
            (gross, paid, issue, due)
            && !number.is_empty()
            && !client_name.is_empty()
        {
            out.push(Receivable {
                line,
                free_reference: if reference.is_none() && !reference_text.is_empty() {
                    Some(reference_text)
                } else {
                    None
                },
                number,
                client_name,
                client_iban,
                gross,
                paid,
                issue_date,
                due_date,
                reference,
            });
        }
    }
    if !errors.is_empty() {
        let shown: Vec<String> = errors.iter().take(20).cloned().collect();
        let more = errors.len().saturating_sub(shown.len());
        let tail = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        return Err(AppError::invalid(
            file,
            format!(
                "{}{tail}; nothing was imported: fix the file and import it again",
                shown.join("; ")
            ),
        ));
    }
    Ok(out)
}

impl App {
    /// Imports open receivables from a CSV file (see the module docs).
    pub async fn import_receivables(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<ReceivablesImport> {
        actor.require(Permission::RecordPayments, "import receivables")?;
        let rows = parse_file(file_name, bytes)?;
        let org_id = actor.organization_id;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let org = tx.organization(org_id).await?;
        let mut report = ReceivablesImport {
            rows: rows.len(),
            ..ReceivablesImport::default()
        };
        let mut clients: HashMap<String, Uuid> = HashMap::new();
        let known_ibans: BTreeSet<String> = tx
            .reconciliation_facts(org_id)
            .await?
            .into_iter()
            .filter(|f| f.kind == "iban_of")
            .map(|f| f.subject)
            .collect();
        for r in &rows {
            let external_ref = format!("import:{}", r.number);
            if tx
                .invoice_id_by_external_ref(org_id, &external_ref)
                .await?
                .is_some()
            {
                report.unchanged += 1;
                continue;
            }
            if tx.invoice_id_by_number(org_id, &r.number).await?.is_some() {
                return Err(AppError::invalid(
                    file_name,
                    format!(
                        "line {}, column number: invoice {} exists already in encaisse; nothing was imported: remove that row",
                        r.line, r.number
                    ),
                ));
            }
            let key = r.client_name.to_lowercase();
            let client_id = match clients.get(&key) {
                Some(id) => *id,
                None => {
                    let id = match tx.client_by_name(org_id, &r.client_name).await? {
                        Some(c) => c.id,
                        None => {
                            let client = Client {
                                id: Uuid::now_v7(),
                                organization_id: org_id,
                                name: r.client_name.clone(),
                                ids: LegalIds::default(),
                                address: Address {
                                    street: None,
                                    building_number: None,
                                    postal_code: String::new(),
                                    city: String::new(),
                                    country: org.address.country,
                                },
                                email: None,
                                language: org.language,
                                currency: r.gross.currency(),
                                terms: PaymentTerms {
                                    days: org.terms.days,
                                },
                                requires_purchase_order: false,
                            };
                            let id = tx
                                .insert_client(&client, Some(&format!("import-client:{key}")), now)
                                .await?;
                            tx.append_audit(NewAuditEvent {
                                organization_id: org_id,
                                actor: &actor.label,
                                action: "client.imported",
                                entity_type: "client",
                                entity_id: &id.to_string(),
                                before: None,
                                after: Some(
                                    serde_json::json!({ "name": client.name, "file": file_name }),
                                ),
                                at: now,
                            })
                            .await?;
                            report.clients_created += 1;
                            id
                        }
                    };
                    clients.insert(key, id);
                    id
                }
            };
            if let Some(iban) = &r.client_iban
                && !known_ibans.contains(iban)
            {
                tx.insert_reconciliation_fact(
                    org_id,
                    &FactRecord {
                        kind: "iban_of".into(),
                        subject: iban.clone(),
                        client_id,
                    },
                    &actor.label,
                    now,
                )
                .await?;
            }
            let currency = r.gross.currency();
            let mut status = InvoiceStatus::Issued;
            if !r.paid.is_zero() {
                let event = if r.paid == r.gross {
                    InvoiceEvent::FullPayment
                } else {
                    InvoiceEvent::PartialPayment
                };
                status = transition(status, event)?;
            }
            let vat = VatRate::parse("O", Decimal::ZERO)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
            let inv = Invoice {
                id: Uuid::now_v7(),
                organization_id: org_id,
                client_id,
                kind: DocumentKind::Invoice,
                status,
                disputed: false,
                number: Some(r.number.clone()),
                currency,
                issue_date: Some(r.issue_date),
                due_date: Some(r.due_date),
                service_period: None,
                buyer_reference: None,
                purchase_order: None,
                notes: r
                    .free_reference
                    .as_ref()
                    .map(|f| format!("Payment reference in the other tool: {f}")),
                lines: vec![InvoiceLine {
                    description: format!("Receivable {} imported from {file_name}", r.number),
                    quantity: Decimal::ONE,
                    unit: UnitCode::one(),
                    unit_price: r.gross.amount(),
                    discount_percent: Decimal::ZERO,
                    vat,
                    time_entry_ids: Vec::new(),
                }],
                corrects: None,
                payment_reference: r.reference.clone(),
                paid: r.paid,
            };
            let totals = inv
                .totals()
                .map_err(|e| AppError::invalid(file_name, format!("line {}: {e}", r.line)))?;
            if !tx
                .insert_invoice(&inv, &totals, Some(&external_ref), now)
                .await?
            {
                report.unchanged += 1;
                continue;
            }
            tx.set_invoice_origin(org_id, inv.id, "external").await?;
            tx.append_audit(NewAuditEvent {
                organization_id: org_id,
                actor: &actor.label,
                action: "invoice.imported",
                entity_type: "invoice",
                entity_id: &inv.id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "number": r.number, "client": r.client_name, "gross": r.gross.to_decimal_string(),
                    "paid": r.paid.to_decimal_string(), "status": status, "issue_date": r.issue_date,
                    "due_date": r.due_date, "file": file_name, "origin": "external",
                })),
                at: now,
            })
            .await?;
            report.created += 1;
        }
        tx.commit().await?;
        Ok(report)
    }
}
