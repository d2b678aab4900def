//! The reconciliation report: one row per allocation, fee write-off and client credit, and one
//! per transaction left for review, ignored or unmatched — what the application writes as CSV
//! (`bank_reference,invoice_number,amount,method,confidence,status`).

use super::decision::{Decision, Match};
use super::input::Txn;

/// The CSV header, in column order.
pub const REPORT_HEADER: [&str; 6] = [
    "bank_reference",
    "invoice_number",
    "amount",
    "method",
    "confidence",
    "status",
];

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRow {
    pub bank_reference: String,
    /// Empty for credit, unmatched and ignored rows.
    pub invoice_number: String,
    /// Plain decimal (`1234.50`).
    pub amount: String,
    /// The method (`reference`, `invoice_number`, …), `credit`, or empty.
    pub method: String,
    /// Two decimals, empty when there is no match.
    pub confidence: String,
    /// `auto`, `fee` (bank fee written off), `credit`, `suggested`, `unmatched`, `ignored`.
    pub status: String,
}

impl ReportRow {
    /// The fields in [`REPORT_HEADER`] order.
    pub fn fields(&self) -> [&str; 6] {
        [
            &self.bank_reference,
            &self.invoice_number,
            &self.amount,
            &self.method,
            &self.confidence,
            &self.status,
        ]
    }
}

/// The rows for a batch: `batch[i]` with `decisions[i]` (as [`super::reconcile`] returns
/// them). A suggestion reports its best candidate.
pub fn report_rows(batch: &[Txn], decisions: &[(String, Decision)]) -> Vec<ReportRow> {
    let mut rows = Vec::new();
    for (txn, (_, decision)) in batch.iter().zip(decisions) {
        let row =
            |invoice: &str, amount: String, method: &str, confidence: String, status: &str| {
                ReportRow {
                    bank_reference: txn.bank_reference.clone(),
                    invoice_number: invoice.to_owned(),
                    amount,
                    method: method.to_owned(),
                    confidence,
                    status: status.to_owned(),
                }
            };
        let whole = txn.amount.to_decimal_string();
        match decision {
            Decision::Auto(m) => push_match(&mut rows, m, "auto", &row),
            Decision::Suggest { candidates, .. } => match candidates.first() {
                Some(m) => push_match(&mut rows, m, "suggested", &row),
                None => rows.push(row("", whole, "", String::new(), "suggested")),
            },
            Decision::Unmatched(_) => rows.push(row("", whole, "", String::new(), "unmatched")),
            Decision::Ignored(_) => rows.push(row("", whole, "", String::new(), "ignored")),
        }
    }
    rows
}

fn push_match(
    rows: &mut Vec<ReportRow>,
    m: &Match,
    status: &str,
    row: &dyn Fn(&str, String, &str, String, &str) -> ReportRow,
) {
    let confidence = format!("{:.2}", m.confidence);
    for a in &m.allocations {
        rows.push(row(
            &a.invoice_number,
            a.amount.to_decimal_string(),
            m.method.as_str(),
            confidence.clone(),
            status,
        ));
        if !a.fee_write_off.is_zero() {
            let fee_status = if status == "auto" { "fee" } else { status };
            rows.push(row(
                &a.invoice_number,
                a.fee_write_off.to_decimal_string(),
                "fee",
                confidence.clone(),
                fee_status,
            ));
        }
    }
    if let Some(credit) = &m.credit {
        let credit_status = if status == "auto" { "credit" } else { status };
        rows.push(row(
            "",
            credit.amount.to_decimal_string(),
            "credit",
            confidence,
            credit_status,
        ));
    }
}

/// The report as CSV text (RFC 4180 quoting, `\n` line ends), header first.
pub fn report_csv(rows: &[ReportRow]) -> String {
    let mut out = String::new();
    let mut line = |fields: [&str; 6]| {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if f.contains([',', '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&f.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(f);
            }
        }
        out.push('\n');
    };
    line(REPORT_HEADER);
    for r in rows {
        line(r.fields());
    }
    out
}
