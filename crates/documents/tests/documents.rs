//! What goes into the CII and UBL of each kind of invoice, and what is refused before
//! anything is written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
mod xml_reading;

use encaisse_core::identifiers::Iban;
use encaisse_core::invoice::{InvoiceStatus, UnitCode};
use encaisse_core::reference::{PaymentReference, QrReference};
use encaisse_core::vat::VatCategory;
use encaisse_documents::ubl::UblError;
use encaisse_documents::{
    DocumentInput, DocumentOptions, ElectronicAddress, InputError, PaymentMeansCode, Profile,
    XmlError, cii, ubl,
};
use rust_decimal_macros::dec;
use support::*;
use xml_reading::{all, has, one};

fn input_err(f: &Fixture, options: DocumentOptions) -> InputError {
    DocumentInput::new(&f.org, &f.client, &f.invoice, &f.totals, options).unwrap_err()
}

fn refit(f: &mut Fixture) {
    f.totals = f.invoice.totals().unwrap();
}

#[test]
fn domestic_invoice_carries_parties_references_and_sepa_payment() {
    let f = domestic_fr();
    let xml = cii::to_xml(&f.input()).unwrap();
    assert_eq!(one(&xml, "rsm:ExchangedDocument/ram:ID"), "F-2026-00042");
    assert_eq!(one(&xml, "rsm:ExchangedDocument/ram:TypeCode"), "380");
    assert_eq!(one(&xml, "ram:BuyerReference"), "SERVICE-ACHATS");
    assert_eq!(
        one(
            &xml,
            "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"
        ),
        "PO-2026-117"
    );
    assert_eq!(
        all(&xml, "ram:SpecifiedLegalOrganization/ram:ID"),
        ["732829320", "303265045"]
    );
    assert_eq!(
        all(&xml, "ram:SpecifiedLegalOrganization/ram:ID@schemeID"),
        ["0002", "0002"]
    );
    assert_eq!(
        all(&xml, "ram:SpecifiedTaxRegistration/ram:ID"),
        ["FR44732829320", "FR40303265045"]
    );
    assert_eq!(
        all(&xml, "ram:SpecifiedTaxRegistration/ram:ID@schemeID"),
        ["VA", "VA"]
    );
    assert_eq!(
        all(&xml, "ram:URIUniversalCommunication/ram:URIID@schemeID"),
        ["0225", "0225"]
    );
    assert_eq!(
        one(&xml, "ram:PaymentReference"),
        f.invoice.payment_reference.as_ref().unwrap().as_str()
    );
    assert_eq!(
        one(
            &xml,
            "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"
        ),
        "58"
    );
    assert_eq!(one(&xml, "ram:IBANID"), "FR7630006000011234567890189");
    assert_eq!(one(&xml, "ram:BICID"), "BNPAFRPPXXX");
    assert_eq!(
        one(&xml, "ram:DueDateDateTime/udt:DateTimeString"),
        "20260302"
    );
    assert_eq!(
        one(&xml, "ram:SpecifiedTradePaymentTerms/ram:Description"),
        "Paiement à 30 jours, échéance le 02/03/2026"
    );
    assert_eq!(
        all(
            &xml,
            "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString"
        ),
        ["20260101"]
    );
    // The 10 % discount on line 2 is a line allowance: basis, percent, amount, reason.
    assert_eq!(
        one(&xml, "ram:SpecifiedTradeAllowanceCharge/ram:BasisAmount"),
        "1520.00"
    );
    assert_eq!(
        one(
            &xml,
            "ram:SpecifiedTradeAllowanceCharge/ram:CalculationPercent"
        ),
        "10.00"
    );
    assert_eq!(
        one(&xml, "ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount"),
        "152.00"
    );
    assert_eq!(
        one(&xml, "ram:SpecifiedTradeAllowanceCharge/ram:ReasonCode"),
        "95"
    );
    assert_eq!(
        all(&xml, "ram:IncludedNote/ram:SubjectCode"),
        ["BAR", "PMT", "PMD", "AAB"]
    );
}

#[test]
fn every_amount_has_exactly_two_decimals_and_no_element_is_empty() {
    for f in all_fixtures() {
        for xml in [
            cii::to_xml(&f.input()).unwrap(),
            ubl::to_xml(&f.input()).unwrap(),
        ] {
            let mut amounts = 0;
            for (path, text) in xml_reading::texts(&xml) {
                let amount = path.ends_with("Amount")
                    && !path.ends_with("ChargeAmount")
                    && !path.ends_with("PriceAmount");
                if amount {
                    amounts += 1;
                    let (_, decimals) = text.split_once('.').unwrap_or((&text, ""));
                    assert_eq!(decimals.len(), 2, "{}: {path} = {text}", f.name);
                }
            }
            assert!(amounts >= 6, "{}: amounts not found", f.name);
            for path in xml_reading::empty_elements(&xml) {
                // Only the delivery container the CII XSD makes mandatory may be empty.
                assert!(
                    path.ends_with("ram:ApplicableHeaderTradeDelivery"),
                    "{}: empty {path}",
                    f.name
                );
            }
        }
    }
}

fn all_fixtures() -> Vec<Fixture> {
    support::all()
}

#[test]
fn multi_rate_invoice_has_one_vat_breakdown_per_rate() {
    let f = multi_rate_fr();
    let xml = cii::to_xml(&f.input()).unwrap();
    let rates = all(
        &xml,
        "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent",
    );
    assert_eq!(rates, ["5.50", "10.00", "20.00"]);
    let bases = all(
        &xml,
        "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:BasisAmount",
    );
    let taxes = all(
        &xml,
        "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount",
    );
    let expected: Vec<(String, String)> = f
        .totals
        .breakdown
        .iter()
        .map(|b| (b.taxable.to_decimal_string(), b.tax.to_decimal_string()))
        .collect();
    assert_eq!(bases.into_iter().zip(taxes).collect::<Vec<_>>(), expected);
    assert!(!has(&xml, "ram:ExemptionReason"));
}

#[test]
fn reverse_charge_names_the_buyer_vat_id_and_the_exemption() {
    let f = reverse_charge_de();
    let xml = cii::to_xml(&f.input()).unwrap();
    assert_eq!(
        one(
            &xml,
            "ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"
        ),
        "DE123456789"
    );
    assert_eq!(
        one(
            &xml,
            "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"
        ),
        "AE"
    );
    assert_eq!(one(&xml, "ram:ExemptionReasonCode"), "VATEX-EU-AE");
    assert!(one(&xml, "ram:ExemptionReason").starts_with("Reverse charge"));
    assert_eq!(one(&xml, "ram:TaxTotalAmount"), "0.00");
    let u = ubl::to_xml(&f.input()).unwrap();
    assert_eq!(
        one(&u, "cac:TaxCategory/cbc:TaxExemptionReasonCode"),
        "VATEX-EU-AE"
    );
    assert_eq!(
        one(
            &u,
            "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID@schemeID"
        ),
        "9930"
    );
}

#[test]
fn export_is_category_g_with_its_exemption_code() {
    let f = export_us();
    let xml = cii::to_xml(&f.input()).unwrap();
    assert_eq!(one(&xml, "ram:ExemptionReasonCode"), "VATEX-EU-G");
    assert!(!has(
        &xml,
        "ram:BuyerTradeParty/ram:SpecifiedTaxRegistration"
    ));
    // The buyer has no identifier: its e-mail is its electronic address.
    assert_eq!(
        one(
            &xml,
            "ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID@schemeID"
        ),
        "EM"
    );
}

#[test]
fn outside_scope_invoice_has_no_vat_ids_and_no_rates() {
    let f = outside_scope();
    let xml = cii::to_xml(&f.input()).unwrap();
    assert!(!has(&xml, "ram:SpecifiedTaxRegistration"));
    assert!(!has(&xml, "ram:RateApplicablePercent"));
    assert_eq!(one(&xml, "ram:ExemptionReasonCode"), "VATEX-EU-O");
    let u = ubl::to_xml(&f.input()).unwrap();
    assert!(!has(&u, "cac:PartyTaxScheme") && !has(&u, "cbc:Percent"));
}

#[test]
fn swiss_qr_iban_invoice_pays_the_qr_iban_with_the_qr_reference() {
    let f = swiss_qr_iban();
    let xml = cii::to_xml(&f.input()).unwrap();
    assert_eq!(one(&xml, "ram:InvoiceCurrencyCode"), "CHF");
    assert_eq!(one(&xml, "ram:IBANID"), "CH4431999123000889012");
    assert_eq!(
        one(&xml, "ram:PaymentReference"),
        "000104000000000000000000075"
    );
    assert_eq!(
        one(
            &xml,
            "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"
        ),
        "30"
    );
    assert_eq!(
        one(
            &xml,
            "ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID@schemeID"
        ),
        "0183"
    );
    assert_eq!(
        one(
            &xml,
            "ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"
        ),
        "CHE116281710"
    );
    assert_eq!(
        one(
            &xml,
            "ram:SellerTradeParty/ram:PostalTradeAddress/ram:LineOne"
        ),
        "Bahnhofstrasse 10"
    );
    let g = swiss_scor();
    let xml = cii::to_xml(&g.input()).unwrap();
    assert_eq!(one(&xml, "ram:IBANID"), "CH9300762011623852957");
    assert!(one(&xml, "ram:PaymentReference").starts_with("RF"));
}

#[test]
fn credit_note_is_381_and_references_the_corrected_invoice() {
    let f = credit_note_fr();
    let xml = cii::to_xml(&f.input()).unwrap();
    assert_eq!(one(&xml, "rsm:ExchangedDocument/ram:TypeCode"), "381");
    assert_eq!(
        one(&xml, "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
        "F-2026-00042"
    );
    assert_eq!(
        one(
            &xml,
            "ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString"
        ),
        "20260131"
    );
    // A credit note is refunded or offset: no payment means, no due date, but terms.
    assert!(!has(&xml, "ram:SpecifiedTradeSettlementPaymentMeans"));
    assert!(!has(&xml, "ram:DueDateDateTime"));
    assert!(one(&xml, "ram:SpecifiedTradePaymentTerms/ram:Description").contains("F-2026-00042"));
    let u = ubl::to_xml(&f.input()).unwrap();
    assert!(u.contains(
        "<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\""
    ));
    assert_eq!(one(&u, "cbc:CreditNoteTypeCode"), "381");
    assert_eq!(
        one(
            &u,
            "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
        ),
        "F-2026-00042"
    );
    assert_eq!(
        all(&u, "cac:CreditNoteLine/cbc:CreditedQuantity@unitCode"),
        ["C62"]
    );
    assert!(!has(&u, "cac:InvoiceLine"));
}

#[test]
fn a_120_line_invoice_keeps_every_line_in_order() {
    let f = large_fr();
    let xml = cii::to_xml(&f.input()).unwrap();
    let ids = all(&xml, "ram:AssociatedDocumentLineDocument/ram:LineID");
    assert_eq!(ids, (1..=120).map(|i| i.to_string()).collect::<Vec<_>>());
    let nets = all(
        &xml,
        "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
    );
    let expected: Vec<String> = f
        .totals
        .lines
        .iter()
        .map(|l| l.net.to_decimal_string())
        .collect();
    assert_eq!(nets, expected);
    assert_eq!(
        all(
            &xml,
            "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"
        )
        .len(),
        4
    );
    let u = ubl::to_xml(&f.input()).unwrap();
    assert_eq!(all(&u, "cac:InvoiceLine/cbc:ID").len(), 120);
}

#[test]
fn extended_ctc_fr_declares_its_guideline_and_framework() {
    let f = domestic_fr();
    let xml = cii::to_xml(&f.input_with(f.extended_ctc_fr_options())).unwrap();
    assert_eq!(
        one(
            &xml,
            "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
        ),
        "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr"
    );
    assert_eq!(
        one(
            &xml,
            "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"
        ),
        "S1"
    );
    let mut options = f.extended_ctc_fr_options();
    options.billing_framework = None;
    assert_eq!(input_err(&f, options), InputError::MissingBillingFramework);
}

#[test]
fn ubl_keeps_one_note_and_the_peppol_identifiers() {
    let f = domestic_fr();
    let u = ubl::to_xml(&f.input()).unwrap();
    assert_eq!(one(&u, "cbc:CustomizationID"), ubl::PEPPOL_CUSTOMIZATION_ID);
    assert_eq!(one(&u, "cbc:ProfileID"), ubl::PEPPOL_PROFILE_ID);
    let note = one(&u, "Invoice/cbc:Note");
    assert!(
        note.starts_with("Indemnité forfaitaire") && !note.contains("B2B"),
        "{note}"
    );
    assert_eq!(one(&u, "cbc:DueDate"), "2026-03-02");
    assert_eq!(
        one(&u, "cac:PaymentMeans/cbc:PaymentID"),
        f.invoice.payment_reference.as_ref().unwrap().as_str()
    );
    assert_eq!(
        one(
            &u,
            "cac:InvoiceLine/cac:AllowanceCharge/cbc:MultiplierFactorNumeric"
        ),
        "10.00"
    );
    assert_eq!(
        one(&u, "cac:LegalMonetaryTotal/cbc:PayableAmount"),
        f.totals.due.to_decimal_string()
    );
}

#[test]
fn ubl_refuses_what_peppol_would_reject() {
    let mut f = export_us();
    f.invoice.purchase_order = None;
    assert_eq!(
        ubl::to_xml(&f.input()).unwrap_err(),
        UblError::MissingBuyerOrOrderReference
    );
    let mut f = export_us();
    f.client.email = None;
    let e = ubl::to_xml(&f.input()).unwrap_err();
    assert!(
        matches!(e, UblError::MissingElectronicAddress { party: "buyer", .. }),
        "{e}"
    );
    assert!(e.to_string().contains("BT-49"));
}

#[test]
fn explicit_options_override_the_derived_values() {
    let f = swiss_scor();
    let options = DocumentOptions {
        payment_means: Some(PaymentMeansCode::SepaCreditTransfer),
        buyer_electronic_address: Some(
            ElectronicAddress::new("EM", "ap@seeblick.example").unwrap(),
        ),
        payment_terms: Some("Zahlbar netto".into()),
        ..DocumentOptions::default()
    };
    let xml = cii::to_xml(&f.input_with(options)).unwrap();
    assert_eq!(
        one(
            &xml,
            "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"
        ),
        "58"
    );
    assert_eq!(
        one(
            &xml,
            "ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID"
        ),
        "ap@seeblick.example"
    );
    assert_eq!(
        one(&xml, "ram:SpecifiedTradePaymentTerms/ram:Description"),
        "Zahlbar netto"
    );
}

#[test]
fn drafts_and_incomplete_invoices_are_refused() {
    let mut f = domestic_fr();
    f.invoice.status = InvoiceStatus::Approved;
    assert_eq!(
        input_err(&f, f.options.clone()),
        InputError::NotIssued(InvoiceStatus::Approved)
    );
    let mut f = domestic_fr();
    f.invoice.number = None;
    assert_eq!(input_err(&f, f.options.clone()), InputError::MissingNumber);
    let mut f = domestic_fr();
    f.invoice.due_date = None;
    assert_eq!(input_err(&f, f.options.clone()), InputError::MissingDueDate);
    let mut f = domestic_fr();
    f.invoice.due_date = Some(date(2026, 1, 1));
    assert!(matches!(
        input_err(&f, f.options.clone()),
        InputError::DueBeforeIssue { .. }
    ));
    let mut f = credit_note_fr();
    f.invoice.corrects = None;
    assert_eq!(
        input_err(&f, f.options.clone()),
        InputError::CreditNoteWithoutInvoice
    );
    let mut f = domestic_fr();
    f.client.id = uuid::Uuid::from_u128(9);
    assert_eq!(
        input_err(&f, f.options.clone()),
        InputError::WrongParty("client")
    );
}

#[test]
fn totals_of_another_invoice_are_refused() {
    let f = domestic_fr();
    let other = multi_rate_fr();
    let e = DocumentInput::new(
        &f.org,
        &f.client,
        &f.invoice,
        &other.totals,
        f.options.clone(),
    )
    .unwrap_err();
    assert_eq!(e, InputError::TotalsMismatch);
}

#[test]
fn vat_categories_demand_their_identifiers() {
    let mut f = reverse_charge_de();
    f.client.ids.vat_id = None;
    assert_eq!(
        input_err(&f, f.options.clone()),
        InputError::BuyerVatIdRequired {
            category: VatCategory::ReverseCharge
        }
    );
    let mut f = domestic_fr();
    f.org = OrgBuilder::french().without_vat_id().build();
    let e = input_err(&f, f.options.clone());
    assert_eq!(
        e,
        InputError::SellerVatIdRequired {
            category: VatCategory::Standard
        }
    );
    assert!(e.to_string().contains("BT-31"));
    let mut f = domestic_fr();
    f.invoice.lines[0].vat = zero(VatCategory::OutsideScope);
    refit(&mut f);
    assert_eq!(
        input_err(&f, f.options.clone()),
        InputError::OutsideScopeMixed
    );
    let mut f = reverse_charge_de();
    for l in &mut f.invoice.lines {
        l.vat = zero(VatCategory::IntraCommunity);
    }
    f.invoice.service_period = None;
    refit(&mut f);
    assert_eq!(
        input_err(&f, f.options.clone()),
        InputError::IntraCommunityWithoutDate
    );
    let mut options = f.options.clone();
    options.delivery_date = Some(date(2026, 1, 20));
    let xml = cii::to_xml(&f.input_with(options)).unwrap();
    assert_eq!(
        one(
            &xml,
            "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString"
        ),
        "20260120"
    );
    assert_eq!(
        one(
            &xml,
            "ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID"
        ),
        "DE"
    );
}

#[test]
fn accounts_must_match_the_reference() {
    let mut f = domestic_fr();
    f.invoice.payment_reference = Some(PaymentReference::Qr(QrReference::generate("42").unwrap()));
    assert_eq!(
        input_err(&f, f.options.clone()),
        InputError::QrReferenceWithoutQrIban
    );
    let mut f = swiss_scor();
    f.org.iban = Some(Iban::parse("CH4431999123000889012").unwrap());
    assert!(matches!(
        input_err(&f, f.options.clone()),
        InputError::QrIbanAsNormalIban(_)
    ));
    let mut f = domestic_fr();
    f.org.iban = None;
    assert_eq!(input_err(&f, f.options.clone()), InputError::NoAccount);
    let f = domestic_fr();
    let mut options = f.options.clone();
    options.bic = Some("BNP".into());
    assert_eq!(input_err(&f, options), InputError::InvalidBic("BNP".into()));
}

#[test]
fn lines_are_checked_before_writing() {
    let mut f = domestic_fr();
    f.invoice.lines[1].unit = UnitCode("hours".into());
    assert!(matches!(
        input_err(&f, f.options.clone()),
        InputError::InvalidUnit { line: 2, .. }
    ));
    let mut f = domestic_fr();
    f.invoice.lines[0].description = "  ".into();
    assert_eq!(
        input_err(&f, f.options.clone()),
        InputError::EmptyDescription { line: 1 }
    );
    let mut f = domestic_fr();
    f.invoice.lines[0].quantity = dec!(1.23456);
    refit(&mut f);
    assert!(matches!(
        input_err(&f, f.options.clone()),
        InputError::QuantityTooPrecise { line: 1, .. }
    ));
    let mut f = domestic_fr();
    f.options.profile = Profile::ExtendedCtcFr;
    f.org.ids.siren = None;
    f.org.ids.siret = None;
    assert_eq!(
        input_err(&f, f.options.clone()),
        InputError::MissingSellerSiren
    );
    let mut f = swiss_scor();
    f.org.ids.siren = Some(encaisse_core::identifiers::Siren::parse("732829320").unwrap());
    let mut options = f.extended_ctc_fr_options();
    options.billing_framework = Some(encaisse_documents::BillingFramework::S1);
    assert_eq!(
        input_err(&f, options),
        InputError::CtcFrForeignCurrency(encaisse_core::Currency::CHF)
    );
}

#[test]
fn text_xml_cannot_carry_is_refused_with_the_element_named() {
    let mut f = domestic_fr();
    f.invoice.lines[0].description = "Développement\u{1}".into();
    let e = cii::to_xml(&f.input()).unwrap_err();
    assert_eq!(
        e,
        XmlError::InvalidCharacter {
            element: "ram:Name".into(),
            code: 1
        }
    );
    let e = ubl::to_xml(&f.input()).unwrap_err();
    assert!(e.to_string().contains("cbc:Name"), "{e}");
}

#[test]
fn special_characters_are_escaped_and_read_back() {
    let mut f = domestic_fr();
    f.invoice.lines[0].description = "R&D <phase 2> \"pilote\" l'été".into();
    let xml = cii::to_xml(&f.input()).unwrap();
    assert!(xml.contains("R&amp;D &lt;phase 2&gt; \"pilote\" l'été"));
    assert_eq!(
        all(&xml, "ram:SpecifiedTradeProduct/ram:Name")[0],
        "R&D <phase 2> \"pilote\" l'été"
    );
}

#[test]
fn output_is_deterministic() {
    let f = large_fr();
    assert_eq!(
        cii::to_xml(&f.input()).unwrap(),
        cii::to_xml(&f.input()).unwrap()
    );
    assert_eq!(
        ubl::to_xml(&f.input()).unwrap(),
        ubl::to_xml(&f.input()).unwrap()
    );
}
