//! The words documents print, in the languages encaisse speaks (French, English, German):
//! payment terms, credit-note terms, the French legal mentions, discount reasons and the
//! label of an invoice in payment messages.

use chrono::NaiveDate;
use encaisse_core::language::Language;

/// PMT, PMD and AAB mentions of a French B2B invoice.
pub fn french_b2b_mentions(language: Language) -> (&'static str, &'static str, &'static str) {
    match language {
        Language::Fr => (
            "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €.",
            "En cas de retard de paiement, des pénalités calculées à trois fois le taux d'intérêt légal sont exigibles dès le lendemain de la date d'échéance.",
            "Pas d'escompte pour paiement anticipé.",
        ),
        Language::En => (
            "Fixed compensation for recovery costs in case of late payment: EUR 40.",
            "Late payments incur penalties at three times the French legal interest rate from the day after the due date.",
            "No discount for early payment.",
        ),
        Language::De => (
            "Pauschale Entschädigung für Beitreibungskosten bei Zahlungsverzug: 40 EUR.",
            "Bei Zahlungsverzug werden ab dem Tag nach Fälligkeit Verzugszinsen in Höhe des dreifachen gesetzlichen Zinssatzes fällig.",
            "Kein Skonto bei vorzeitiger Zahlung.",
        ),
    }
}

/// The PMD mention with an explicit annual penalty rate (`rate` in percent).
pub fn late_payment_penalty(language: Language, rate: &str) -> String {
    match language {
        Language::Fr => format!(
            "En cas de retard de paiement, des pénalités au taux annuel de {rate} % sont exigibles dès le lendemain de la date d'échéance."
        ),
        Language::En => format!(
            "Late payments incur penalties at an annual rate of {rate}% from the day after the due date."
        ),
        Language::De => format!(
            "Bei Zahlungsverzug werden ab dem Tag nach Fälligkeit Verzugszinsen von {rate} % pro Jahr fällig."
        ),
    }
}

/// BT-139: reason of a line discount.
pub fn discount_reason(language: Language) -> &'static str {
    match language {
        Language::Fr => "Remise",
        Language::En => "Discount",
        Language::De => "Rabatt",
    }
}

/// "Invoice" as payment messages print it before the number.
pub fn invoice_label(language: Language) -> &'static str {
    match language {
        Language::Fr => "Facture",
        Language::En => "Invoice",
        Language::De => "Rechnung",
    }
}

pub fn credit_terms(language: Language, corrected: &str) -> String {
    match language {
        Language::Fr => {
            format!(
                "Avoir sur la facture {corrected}, à déduire du prochain règlement ou remboursé"
            )
        }
        Language::En => {
            format!(
                "Credit for invoice {corrected}, to be offset against the next payment or refunded"
            )
        }
        Language::De => format!(
            "Gutschrift zur Rechnung {corrected}, wird mit der nächsten Zahlung verrechnet oder erstattet"
        ),
    }
}

pub fn payment_terms(language: Language, issued: NaiveDate, due: NaiveDate) -> String {
    let days = (due - issued).num_days();
    match language {
        Language::Fr if days == 0 => {
            format!("Paiement à réception, le {}", due.format("%d/%m/%Y"))
        }
        Language::Fr => format!(
            "Paiement à {days} jours, échéance le {}",
            due.format("%d/%m/%Y")
        ),
        Language::En if days == 0 => format!("Payable on receipt, on {}", due.format("%Y-%m-%d")),
        Language::En => format!(
            "Payment within {days} days, due on {}",
            due.format("%Y-%m-%d")
        ),
        Language::De if days == 0 => format!("Zahlbar sofort, am {}", due.format("%d.%m.%Y")),
        Language::De => format!(
            "Zahlbar innerhalb von {days} Tagen, fällig am {}",
            due.format("%d.%m.%Y")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_terms_speak_the_language() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(
            payment_terms(Language::Fr, d(1, 31), d(3, 2)),
            "Paiement à 30 jours, échéance le 02/03/2026"
        );
        assert_eq!(
            payment_terms(Language::De, d(1, 31), d(1, 31)),
            "Zahlbar sofort, am 31.01.2026"
        );
        assert_eq!(
            payment_terms(Language::En, d(1, 1), d(1, 31)),
            "Payment within 30 days, due on 2026-01-31"
        );
    }
}
