//! What changed between two versions of an invoice's lines, for the history.
//!
//! Lines are matched by position; a line whose every field changed still reads as "changed"
//! (its position is the identity a reader sees on the document).

use serde::{Deserialize, Serialize};

use crate::invoice::InvoiceLine;

/// One field of a line before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A change of one line (positions are 1-based).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum LineChange {
    Added {
        position: usize,
        description: String,
    },
    Removed {
        position: usize,
        description: String,
    },
    Changed {
        position: usize,
        description: String,
        fields: Vec<FieldChange>,
    },
}

fn fields(l: &InvoiceLine) -> [(&'static str, String); 6] {
    [
        ("description", l.description.clone()),
        ("quantity", l.quantity.normalize().to_string()),
        ("unit", l.unit.0.clone()),
        ("unit_price", l.unit_price.normalize().to_string()),
        (
            "discount_percent",
            l.discount_percent.normalize().to_string(),
        ),
        ("vat", l.vat.to_string()),
    ]
}

/// The line-level changes from `before` to `after`; empty when nothing changed.
pub fn diff(before: &[InvoiceLine], after: &[InvoiceLine]) -> Vec<LineChange> {
    let mut out = Vec::new();
    for i in 0..before.len().max(after.len()) {
        let position = i + 1;
        match (before.get(i), after.get(i)) {
            (Some(b), Some(a)) => {
                let changed: Vec<FieldChange> = fields(b)
                    .into_iter()
                    .zip(fields(a))
                    .filter(|((_, x), (_, y))| x != y)
                    .map(|((field, before), (_, after))| FieldChange {
                        field: field.to_owned(),
                        before,
                        after,
                    })
                    .collect();
                if !changed.is_empty() {
                    out.push(LineChange::Changed {
                        position,
                        description: a.description.clone(),
                        fields: changed,
                    });
                }
            }
            (None, Some(a)) => out.push(LineChange::Added {
                position,
                description: a.description.clone(),
            }),
            (Some(b), None) => out.push(LineChange::Removed {
                position,
                description: b.description.clone(),
            }),
            (None, None) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::invoice::UnitCode;
    use crate::vat::{VatCategory, VatRate};

    fn line(d: &str, q: rust_decimal::Decimal) -> InvoiceLine {
        InvoiceLine {
            description: d.into(),
            quantity: q,
            unit: UnitCode::hour(),
            unit_price: dec!(95),
            discount_percent: dec!(0),
            vat: VatRate::new(VatCategory::Standard, dec!(20)).unwrap(),
            time_entry_ids: vec![],
        }
    }

    #[test]
    fn changed_added_and_removed_lines_are_named() {
        let a = vec![line("Dev", dec!(10)), line("Audit", dec!(2))];
        assert!(diff(&a, &a).is_empty());
        let b = vec![line("Dev", dec!(12.50))];
        let d = diff(&a, &b);
        assert_eq!(d.len(), 2);
        assert_eq!(
            d[0],
            LineChange::Changed {
                position: 1,
                description: "Dev".into(),
                fields: vec![FieldChange {
                    field: "quantity".into(),
                    before: "10".into(),
                    after: "12.5".into()
                }]
            }
        );
        assert!(matches!(d[1], LineChange::Removed { position: 2, .. }));
        assert!(matches!(
            diff(&b, &a)[1],
            LineChange::Added { position: 2, .. }
        ));
    }
}
