//! Mirrors of the time-billing types of `encaisse-app` (see [`super::mirrors`]).

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One draft of a run from time.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct DraftSummaryRow {
    pub client_id: Uuid,
    pub client: String,
    pub currency: String,
    /// Billed hours after rounding, decimal string.
    #[schema(example = "37.5")]
    pub hours: String,
    pub entries: usize,
    pub lines: usize,
    #[schema(example = "3562.50")]
    pub net: String,
    pub vat: String,
    pub gross: String,
    /// `null` in a dry run.
    pub invoice_id: Option<Uuid>,
    /// planned (dry run), created, or merged (added to the period's existing draft).
    pub outcome: String,
}

/// A client whose hours could not be billed.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct BlockedClient {
    pub client: String,
    /// What to fix (e.g. add the client's VAT number for reverse charge).
    pub reason: String,
    pub entries: usize,
}

/// What a drafting run did (or, dry, would do).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct DraftRunReport {
    /// `2026-10` or `2026-10-01..2026-10-15`.
    pub period: String,
    pub dry_run: bool,
    pub drafts: Vec<DraftSummaryRow>,
    /// Entries not billed, by reason: not_billable, no_rate, zero_duration, client_blocked,
    /// already_invoiced_at_source.
    pub skipped: std::collections::BTreeMap<String, usize>,
    pub blocked: Vec<BlockedClient>,
    /// Entries of fixed-fee projects waiting for a milestone.
    pub waiting_for_milestone: usize,
}

/// One edit of a draft's lines (`op` says which); indices start at 0.
#[derive(Serialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
#[allow(dead_code)]
pub enum LineEdit {
    /// Appends a line; its time entries become billed by the draft.
    Add { line: super::mirrors::DraftLine },
    /// Removes a line; its time entries are released.
    Remove { index: usize },
    /// Changes wording, quantity, unit price or discount of a line.
    Update {
        index: usize,
        description: Option<String>,
        quantity: Option<String>,
        unit_price: Option<String>,
        discount_percent: Option<String>,
    },
    /// Sets the discount of every line.
    Discount { percent: String },
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use encaisse_app::billing::{BlockedClient, DraftRunReport, DraftSummaryRow};
    use encaisse_app::draft_edits::LineEdit;
    use rust_decimal::Decimal;
    use serde_json::Value;
    use uuid::Uuid;

    fn keys(v: Value) -> BTreeSet<String> {
        v.as_object().unwrap().keys().cloned().collect()
    }

    fn schema_keys(name: &str) -> BTreeSet<String> {
        let doc = serde_json::to_value(super::super::openapi()).unwrap();
        doc["components"]["schemas"][name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}"))
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn time_mirrors_follow_the_app_types() {
        let row = DraftSummaryRow {
            client_id: Uuid::nil(),
            client: String::new(),
            currency: String::new(),
            hours: Decimal::ONE,
            entries: 1,
            lines: 1,
            net: String::new(),
            vat: String::new(),
            gross: String::new(),
            invoice_id: None,
            outcome: String::new(),
        };
        let blocked = BlockedClient {
            client: String::new(),
            reason: String::new(),
            entries: 1,
        };
        let report = DraftRunReport {
            period: String::new(),
            dry_run: true,
            drafts: vec![row.clone()],
            skipped: Default::default(),
            blocked: vec![blocked.clone()],
            waiting_for_milestone: 0,
        };
        assert_eq!(
            keys(serde_json::to_value(&row).unwrap()),
            schema_keys("DraftSummaryRow")
        );
        assert_eq!(
            keys(serde_json::to_value(&blocked).unwrap()),
            schema_keys("BlockedClient")
        );
        assert_eq!(
            keys(serde_json::to_value(&report).unwrap()),
            schema_keys("DraftRunReport")
        );
        // Every documented edit parses as the real type.
        for e in [
            serde_json::json!({"op": "remove", "index": 0}),
            serde_json::json!({"op": "discount", "percent": "5"}),
            serde_json::json!({"op": "update", "index": 1, "unit_price": "90.5"}),
        ] {
            serde_json::from_value::<LineEdit>(e.clone())
                .unwrap_or_else(|err| panic!("{e}: {err}"));
        }
        let doc = serde_json::to_value(super::super::openapi()).unwrap();
        let variants = doc["components"]["schemas"]["LineEdit"]["oneOf"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(variants, 4);
    }
}
