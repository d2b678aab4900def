//! The words printed on an invoice or credit note, in French, English and German.

use encaisse_core::invoice::DocumentKind;
use encaisse_core::language::Language;
use encaisse_core::vat::VatCategory;

/// Every fixed word of the printed document in one language.
pub struct Labels {
    pub invoice: &'static str,
    pub credit_note: &'static str,
    pub number: &'static str,
    pub bill_to: &'static str,
    pub issue_date: &'static str,
    pub due_date: &'static str,
    pub service_period: &'static str,
    pub delivery_date: &'static str,
    pub buyer_reference: &'static str,
    pub purchase_order: &'static str,
    pub corrected_invoice: &'static str,
    pub description: &'static str,
    pub quantity: &'static str,
    pub unit: &'static str,
    pub unit_price: &'static str,
    pub discount: &'static str,
    pub vat: &'static str,
    pub net_amount: &'static str,
    pub vat_summary: &'static str,
    pub rate: &'static str,
    pub taxable: &'static str,
    pub total_net: &'static str,
    pub total_vat: &'static str,
    pub total_gross: &'static str,
    pub prepaid: &'static str,
    pub amount_due: &'static str,
    pub credit_total: &'static str,
    pub payment: &'static str,
    pub account_holder: &'static str,
    pub payment_reference: &'static str,
    pub scan_to_pay: &'static str,
    pub notes: &'static str,
    pub page: &'static str,
    pub continued: &'static str,
    pub vat_number: &'static str,
    pub share_capital: &'static str,
}

const FR: Labels = Labels {
    invoice: "Facture",
    credit_note: "Avoir",
    number: "N°",
    bill_to: "Facturé à",
    issue_date: "Date d'émission",
    due_date: "Date d'échéance",
    service_period: "Période de prestation",
    delivery_date: "Date de livraison",
    buyer_reference: "Référence acheteur",
    purchase_order: "Bon de commande",
    corrected_invoice: "Facture d'origine",
    description: "Désignation",
    quantity: "Qté",
    unit: "Unité",
    unit_price: "Prix unit. HT",
    discount: "Remise",
    vat: "TVA",
    net_amount: "Montant HT",
    vat_summary: "Récapitulatif TVA",
    rate: "Taux",
    taxable: "Base HT",
    total_net: "Total HT",
    total_vat: "Total TVA",
    total_gross: "Total TTC",
    prepaid: "Déjà réglé",
    amount_due: "Net à payer",
    credit_total: "Montant de l'avoir",
    payment: "Règlement par virement",
    account_holder: "Titulaire",
    payment_reference: "Référence à indiquer",
    scan_to_pay: "Scanner pour payer",
    notes: "Notes",
    page: "Page",
    continued: "suite",
    vat_number: "N° TVA",
    share_capital: "au capital de",
};

const EN: Labels = Labels {
    invoice: "Invoice",
    credit_note: "Credit note",
    number: "No.",
    bill_to: "Bill to",
    issue_date: "Issue date",
    due_date: "Due date",
    service_period: "Service period",
    delivery_date: "Delivery date",
    buyer_reference: "Buyer reference",
    purchase_order: "Purchase order",
    corrected_invoice: "Corrected invoice",
    description: "Description",
    quantity: "Qty",
    unit: "Unit",
    unit_price: "Unit price",
    discount: "Disc.",
    vat: "VAT",
    net_amount: "Net amount",
    vat_summary: "VAT summary",
    rate: "Rate",
    taxable: "Taxable amount",
    total_net: "Total excl. VAT",
    total_vat: "Total VAT",
    total_gross: "Total incl. VAT",
    prepaid: "Already paid",
    amount_due: "Amount due",
    credit_total: "Credit amount",
    payment: "Payment by bank transfer",
    account_holder: "Account holder",
    payment_reference: "Payment reference",
    scan_to_pay: "Scan to pay",
    notes: "Notes",
    page: "Page",
    continued: "continued",
    vat_number: "VAT no.",
    share_capital: "share capital",
};

const DE: Labels = Labels {
    invoice: "Rechnung",
    credit_note: "Gutschrift",
    number: "Nr.",
    bill_to: "Rechnung an",
    issue_date: "Rechnungsdatum",
    due_date: "Fällig am",
    service_period: "Leistungszeitraum",
    delivery_date: "Lieferdatum",
    buyer_reference: "Ihre Referenz",
    purchase_order: "Bestellnummer",
    corrected_invoice: "Ursprüngliche Rechnung",
    description: "Beschreibung",
    quantity: "Menge",
    unit: "Einheit",
    unit_price: "Einzelpreis",
    discount: "Rabatt",
    vat: "MwSt.",
    net_amount: "Betrag netto",
    vat_summary: "MwSt.-Übersicht",
    rate: "Satz",
    taxable: "Nettobetrag",
    total_net: "Total netto",
    total_vat: "Total MwSt.",
    total_gross: "Total brutto",
    prepaid: "Bereits bezahlt",
    amount_due: "Zu zahlen",
    credit_total: "Gutschriftsbetrag",
    payment: "Zahlung per Überweisung",
    account_holder: "Kontoinhaber",
    payment_reference: "Zahlungsreferenz",
    scan_to_pay: "Zum Bezahlen scannen",
    notes: "Bemerkungen",
    page: "Seite",
    continued: "Fortsetzung",
    vat_number: "MwSt.-Nr.",
    share_capital: "Stammkapital",
};

pub fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Fr => &FR,
        Language::En => &EN,
        Language::De => &DE,
    }
}

impl Labels {
    pub fn title(&self, kind: DocumentKind) -> &'static str {
        match kind {
            DocumentKind::Invoice => self.invoice,
            DocumentKind::CreditNote => self.credit_note,
        }
    }
}

/// What a VAT category is called in the rate column when it is not a taxed rate.
pub fn category_name(category: VatCategory, language: Language) -> Option<&'static str> {
    use Language::*;
    use VatCategory::*;
    Some(match (category, language) {
        (Standard, _) => return None,
        (ZeroRated, Fr) => "Taux zéro",
        (ZeroRated, En) => "Zero rated",
        (ZeroRated, De) => "Nullsatz",
        (Exempt, Fr) => "Exonéré",
        (Exempt, En) => "Exempt",
        (Exempt, De) => "Befreit",
        (ReverseCharge, Fr) => "Autoliquidation",
        (ReverseCharge, En) => "Reverse charge",
        (ReverseCharge, De) => "Reverse Charge",
        (IntraCommunity, Fr) => "Livr. intracom.",
        (IntraCommunity, En) => "Intra-EU supply",
        (IntraCommunity, De) => "Ig. Lieferung",
        (Export, Fr) => "Export",
        (Export, En) => "Export",
        (Export, De) => "Ausfuhr",
        (OutsideScope, Fr) => "Hors champ",
        (OutsideScope, En) => "Out of scope",
        (OutsideScope, De) => "Nicht steuerbar",
    })
}

/// A UN/ECE Recommendation 20 unit as a reader expects it; unknown codes print as given.
pub fn unit_name(code: &str, language: Language) -> String {
    use Language::*;
    let name = match (code, language) {
        ("HUR", Fr | En) => "h",
        ("HUR", De) => "Std.",
        ("MIN", _) => "min",
        ("DAY", Fr) => "jour",
        ("DAY", En) => "day",
        ("DAY", De) => "Tag",
        ("WEE", Fr) => "semaine",
        ("WEE", En) => "week",
        ("WEE", De) => "Woche",
        ("MON", Fr) => "mois",
        ("MON", En) => "month",
        ("MON", De) => "Monat",
        ("ANN", Fr) => "an",
        ("ANN", En) => "year",
        ("ANN", De) => "Jahr",
        ("C62" | "H87" | "EA", Fr) => "u.",
        ("C62" | "H87" | "EA", En) => "pc",
        ("C62" | "H87" | "EA", De) => "Stk.",
        ("LS", Fr) => "forfait",
        ("LS", En) => "lump sum",
        ("LS", De) => "pauschal",
        ("KGM", _) => "kg",
        ("MTR", _) => "m",
        ("KMT", _) => "km",
        ("LTR", _) => "l",
        ("MTK", _) => "m²",
        _ => return code.to_owned(),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_a_title_for_each_kind() {
        for l in [Language::Fr, Language::En, Language::De] {
            assert!(!labels(l).title(DocumentKind::Invoice).is_empty());
            assert!(!labels(l).title(DocumentKind::CreditNote).is_empty());
        }
        assert_eq!(
            labels(Language::De).title(DocumentKind::CreditNote),
            "Gutschrift"
        );
    }

    #[test]
    fn units_are_readable() {
        assert_eq!(unit_name("HUR", Language::De), "Std.");
        assert_eq!(unit_name("C62", Language::Fr), "u.");
        assert_eq!(unit_name("XYZ", Language::Fr), "XYZ");
    }
}
