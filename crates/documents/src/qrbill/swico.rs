//! Swico S1 structured billing information (StrdBkgInf), the syntax Swiss accounting
//! software reads from the QR-bill: `//S1/10/<invoice no>/11/<date>/30/<UID>/32/<VAT>/40/<terms>`.

use crate::input::DocumentInput;

use super::format_amount;

/// Swico S1 billing information: invoice number (10), date (11), UID (30), VAT rates (32) and
/// payment terms in days (40); `/` and `\` in values are escaped with `\`.
pub fn billing_information(input: &DocumentInput<'_>) -> String {
    let esc = |v: &str| v.replace('\\', "\\\\").replace('/', "\\/");
    let mut s = format!(
        "//S1/10/{}/11/{}",
        esc(input.number()),
        input.issue_date().format("%y%m%d")
    );
    if let Some(uid) = &input.organization().ids.uid {
        let digits: String = uid
            .formatted()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        s.push_str(&format!("/30/{digits}"));
    }
    let rates: Vec<String> = match input.totals().breakdown.as_slice() {
        [only] => vec![only.rate.percent().normalize().to_string()],
        many => many
            .iter()
            .map(|b| {
                format!(
                    "{}:{}",
                    b.rate.percent().normalize(),
                    format_amount(b.taxable.amount())
                )
            })
            .collect(),
    };
    if !rates.is_empty() {
        s.push_str(&format!("/32/{}", rates.join(";")));
    }
    if let Some(due) = input.due_date() {
        let days = (due - input.issue_date()).num_days();
        s.push_str(&format!("/40/0:{days}"));
    }
    s
}
