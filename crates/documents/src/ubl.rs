//! UBL 2.1 Invoice / CreditNote with the Peppol BIS Billing 3.0 customization.
//!
//! Same data as the CII ([`crate::cii`]), in the element order of the UBL 2.1 XSD. Peppol
//! adds rules of its own that the CEN artefacts do not check; those this writer can enforce
//! are enforced: one document note at most (PEPPOL-EN16931-R002), a buyer reference or an
//! order reference (R003), both parties' electronic addresses (R010, R020).

use encaisse_core::invoice::DocumentKind;
use encaisse_core::party::Address;
use encaisse_core::vat::{VatCategory, VatRate};

use crate::en16931;
use crate::input::{DocumentInput, legal_registration};
use crate::options::ElectronicAddress;
use crate::texts;
use crate::xml::{XmlDoc, XmlError};

/// BT-24 of a Peppol BIS Billing 3.0 document.
pub const PEPPOL_CUSTOMIZATION_ID: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
/// BT-23 of a Peppol BIS Billing 3.0 document (process P1, billing).
pub const PEPPOL_PROFILE_ID: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

const NS_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const NS_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const NS_CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const NS_CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

/// Why the UBL cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UblError {
    #[error(
        "Peppol BIS 3 needs a buyer reference (BT-10) or a purchase order number (BT-13) (PEPPOL-EN16931-R003): ask the client for one and set it on the invoice"
    )]
    MissingBuyerOrOrderReference,
    #[error(
        "Peppol BIS 3 needs the {party}'s electronic address ({term}, PEPPOL-EN16931-R010/R020): give the {party} a SIREN, Swiss UID, VAT number or e-mail, or set it in the document options"
    )]
    MissingElectronicAddress {
        party: &'static str,
        term: &'static str,
    },
    #[error(transparent)]
    Xml(#[from] XmlError),
}

/// The UBL XML of the document: `Invoice` for an invoice, `CreditNote` for a credit note.
pub fn to_xml(input: &DocumentInput<'_>) -> Result<String, UblError> {
    let invoice = input.invoice();
    if invoice
        .buyer_reference
        .as_deref()
        .is_none_or(|r| r.trim().is_empty())
        && invoice
            .purchase_order
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
    {
        return Err(UblError::MissingBuyerOrOrderReference);
    }
    let seller_address =
        input
            .seller_electronic_address()
            .ok_or(UblError::MissingElectronicAddress {
                party: "seller",
                term: "BT-34",
            })?;
    let buyer_address =
        input
            .buyer_electronic_address()
            .ok_or(UblError::MissingElectronicAddress {
                party: "buyer",
                term: "BT-49",
            })?;
    let credit = invoice.kind == DocumentKind::CreditNote;
    let (root, ns) = if credit {
        ("CreditNote", NS_CREDIT_NOTE)
    } else {
        ("Invoice", NS_INVOICE)
    };
    let mut doc = XmlDoc::new()?;
    doc.element(
        root,
        &[("xmlns", ns), ("xmlns:cac", NS_CAC), ("xmlns:cbc", NS_CBC)],
        |d| {
            header(d, input, credit)?;
            d.element("cac:AccountingSupplierParty", &[], |d| {
                let org = input.organization();
                party(
                    d,
                    Party {
                        endpoint: seller_address,
                        siret: org.ids.siret.as_ref().map(|s| s.as_str()),
                        address: &org.address,
                        vat_id: input.seller_vat_id(),
                        name: &org.legal_name,
                        legal: legal_registration(&org.ids),
                        email: None,
                    },
                )
            })?;
            d.element("cac:AccountingCustomerParty", &[], |d| {
                let client = input.client();
                party(
                    d,
                    Party {
                        endpoint: buyer_address,
                        siret: client.ids.siret.as_ref().map(|s| s.as_str()),
                        address: &client.address,
                        vat_id: input.buyer_vat_id(),
                        name: &client.name,
                        legal: legal_registration(&client.ids),
                        email: client.email.as_deref(),
                    },
                )
            })?;
            delivery(d, input)?;
            payment(d, input)?;
            taxes(d, input)?;
            monetary_total(d, input)?;
            for i in 0..invoice.lines.len() {
                line(d, input, i, credit)?;
            }
            Ok(())
        },
    )?;
    Ok(doc.finish()?)
}

fn header(d: &mut XmlDoc, input: &DocumentInput<'_>, credit: bool) -> Result<(), XmlError> {
    let invoice = input.invoice();
    d.leaf("cbc:CustomizationID", PEPPOL_CUSTOMIZATION_ID)?;
    d.leaf("cbc:ProfileID", PEPPOL_PROFILE_ID)?;
    d.leaf("cbc:ID", input.number())?;
    d.leaf("cbc:IssueDate", &en16931::date_iso(input.issue_date()))?;
    if credit {
        d.leaf("cbc:CreditNoteTypeCode", invoice.kind.type_code())?;
    } else {
        if let Some(due) = input.due_date() {
            d.leaf("cbc:DueDate", &en16931::date_iso(due))?;
        }
        d.leaf("cbc:InvoiceTypeCode", invoice.kind.type_code())?;
    }
    // Peppol allows one note (R002); the French processing marker (BAR) is CII-only.
    let texts: Vec<&str> = input
        .notes()
        .iter()
        .filter(|n| n.subject.as_deref() != Some("BAR"))
        .map(|n| n.text.trim())
        .filter(|t| !t.is_empty())
        .collect();
    if !texts.is_empty() {
        d.leaf("cbc:Note", &texts.join("\n"))?;
    }
    d.leaf("cbc:DocumentCurrencyCode", input.currency().code())?;
    d.leaf_opt("cbc:BuyerReference", invoice.buyer_reference.as_deref())?;
    if let Some(period) = invoice.service_period {
        d.element("cac:InvoicePeriod", &[], |d| {
            d.leaf("cbc:StartDate", &en16931::date_iso(period.start))?;
            d.leaf("cbc:EndDate", &en16931::date_iso(period.end))
        })?;
    }
    if let Some(po) = invoice
        .purchase_order
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    {
        d.element("cac:OrderReference", &[], |d| d.leaf("cbc:ID", po))?;
    }
    if let (true, Some(corrected)) = (credit, &invoice.corrects) {
        d.element("cac:BillingReference", &[], |d| {
            d.element("cac:InvoiceDocumentReference", &[], |d| {
                d.leaf("cbc:ID", &corrected.number)?;
                d.leaf("cbc:IssueDate", &en16931::date_iso(corrected.issue_date))
            })
        })?;
    }
    Ok(())
}

struct Party<'p> {
    endpoint: &'p ElectronicAddress,
    siret: Option<&'p str>,
    address: &'p Address,
    vat_id: Option<&'p str>,
    name: &'p str,
    legal: Option<(String, &'static str)>,
    email: Option<&'p str>,
}

fn party(d: &mut XmlDoc, p: Party<'_>) -> Result<(), XmlError> {
    d.element("cac:Party", &[], |d| {
        d.leaf_with(
            "cbc:EndpointID",
            &[("schemeID", p.endpoint.scheme())],
            p.endpoint.value(),
        )?;
        if let Some(siret) = p.siret {
            d.element("cac:PartyIdentification", &[], |d| {
                d.leaf_with("cbc:ID", &[("schemeID", en16931::ICD_SIRET)], siret)
            })?;
        }
        postal_address(d, "cac:PostalAddress", p.address)?;
        if let Some(vat) = p.vat_id {
            d.element("cac:PartyTaxScheme", &[], |d| {
                d.leaf("cbc:CompanyID", vat)?;
                tax_scheme(d)
            })?;
        }
        d.element("cac:PartyLegalEntity", &[], |d| {
            d.leaf("cbc:RegistrationName", p.name)?;
            if let Some((id, scheme)) = &p.legal {
                d.leaf_with("cbc:CompanyID", &[("schemeID", scheme)], id)?;
            }
            Ok(())
        })?;
        if let Some(email) = p.email.filter(|e| !e.trim().is_empty()) {
            d.element("cac:Contact", &[], |d| d.leaf("cbc:ElectronicMail", email))?;
        }
        Ok(())
    })
}

fn postal_address(d: &mut XmlDoc, name: &str, a: &Address) -> Result<(), XmlError> {
    d.element(name, &[], |d| {
        let street =
            en16931::street_line(a.street.as_deref(), a.building_number.as_deref(), a.country);
        d.leaf_opt("cbc:StreetName", street.as_deref())?;
        d.leaf_opt("cbc:CityName", Some(&a.city))?;
        d.leaf_opt("cbc:PostalZone", Some(&a.postal_code))?;
        d.element("cac:Country", &[], |d| {
            d.leaf("cbc:IdentificationCode", a.country.as_str())
        })
    })
}

fn tax_scheme(d: &mut XmlDoc) -> Result<(), XmlError> {
    d.element("cac:TaxScheme", &[], |d| d.leaf("cbc:ID", "VAT"))
}

fn delivery(d: &mut XmlDoc, input: &DocumentInput<'_>) -> Result<(), XmlError> {
    let date = input.options().delivery_date;
    let country = input.needs_delivery_country();
    if date.is_none() && !country {
        return Ok(());
    }
    d.element("cac:Delivery", &[], |d| {
        if let Some(date) = date {
            d.leaf("cbc:ActualDeliveryDate", &en16931::date_iso(date))?;
        }
        if country {
            d.element("cac:DeliveryLocation", &[], |d| {
                postal_address(d, "cac:Address", &input.client().address)
            })?;
        }
        Ok(())
    })
}

fn payment(d: &mut XmlDoc, input: &DocumentInput<'_>) -> Result<(), XmlError> {
    if let Some(p) = input.payment() {
        d.element("cac:PaymentMeans", &[], |d| {
            d.leaf("cbc:PaymentMeansCode", p.means.code())?;
            d.leaf("cbc:PaymentID", &p.reference)?;
            d.element("cac:PayeeFinancialAccount", &[], |d| {
                d.leaf("cbc:ID", p.account.as_str())?;
                if let Some(bic) = &p.bic {
                    d.element("cac:FinancialInstitutionBranch", &[], |d| {
                        d.leaf("cbc:ID", bic)
                    })?;
                }
                Ok(())
            })
        })?;
    }
    if let Some(terms) = input.payment_terms() {
        d.element("cac:PaymentTerms", &[], |d| d.leaf("cbc:Note", terms))?;
    }
    Ok(())
}

fn amount(
    d: &mut XmlDoc,
    name: &str,
    input: &DocumentInput<'_>,
    m: &encaisse_core::Money,
) -> Result<(), XmlError> {
    d.leaf_with(
        name,
        &[("currencyID", input.currency().code())],
        &en16931::amount(m),
    )
}

/// `cac:ClassifiedTaxCategory` / `cac:TaxCategory` content without the exemption.
fn category(d: &mut XmlDoc, vat: &VatRate) -> Result<(), XmlError> {
    d.leaf("cbc:ID", vat.category().code())?;
    // "Not subject to VAT" carries no rate (BR-O-05, BR-O-10).
    if vat.category() != VatCategory::OutsideScope {
        d.leaf("cbc:Percent", &en16931::percent(vat.percent()))?;
    }
    Ok(())
}

fn taxes(d: &mut XmlDoc, input: &DocumentInput<'_>) -> Result<(), XmlError> {
    let totals = input.totals();
    d.element("cac:TaxTotal", &[], |d| {
        amount(d, "cbc:TaxAmount", input, &totals.vat_total)?;
        for b in &totals.breakdown {
            d.element("cac:TaxSubtotal", &[], |d| {
                amount(d, "cbc:TaxableAmount", input, &b.taxable)?;
                amount(d, "cbc:TaxAmount", input, &b.tax)?;
                d.element("cac:TaxCategory", &[], |d| {
                    category(d, &b.rate)?;
                    let (reason, code) = input.exemption(b.rate.category());
                    d.leaf_opt("cbc:TaxExemptionReasonCode", code)?;
                    d.leaf_opt("cbc:TaxExemptionReason", reason)?;
                    tax_scheme(d)
                })
            })?;
        }
        Ok(())
    })
}

fn monetary_total(d: &mut XmlDoc, input: &DocumentInput<'_>) -> Result<(), XmlError> {
    let t = input.totals();
    d.element("cac:LegalMonetaryTotal", &[], |d| {
        amount(d, "cbc:LineExtensionAmount", input, &t.line_total)?;
        amount(d, "cbc:TaxExclusiveAmount", input, &t.tax_exclusive)?;
        amount(d, "cbc:TaxInclusiveAmount", input, &t.tax_inclusive)?;
        if !t.prepaid.is_zero() {
            amount(d, "cbc:PrepaidAmount", input, &t.prepaid)?;
        }
        amount(d, "cbc:PayableAmount", input, &t.due)
    })
}

fn line(
    d: &mut XmlDoc,
    input: &DocumentInput<'_>,
    index: usize,
    credit: bool,
) -> Result<(), XmlError> {
    let line = &input.invoice().lines[index];
    let amounts = &input.totals().lines[index];
    let (element, quantity) = if credit {
        ("cac:CreditNoteLine", "cbc:CreditedQuantity")
    } else {
        ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    };
    d.element(element, &[], |d| {
        d.leaf("cbc:ID", &(index + 1).to_string())?;
        d.leaf_with(
            quantity,
            &[("unitCode", &line.unit.0)],
            &en16931::quantity(line.quantity),
        )?;
        amount(d, "cbc:LineExtensionAmount", input, &amounts.net)?;
        if !amounts.allowance.is_zero() {
            d.element("cac:AllowanceCharge", &[], |d| {
                d.leaf("cbc:ChargeIndicator", "false")?;
                d.leaf("cbc:AllowanceChargeReasonCode", "95")?;
                d.leaf(
                    "cbc:AllowanceChargeReason",
                    texts::discount_reason(input.language()),
                )?;
                d.leaf(
                    "cbc:MultiplierFactorNumeric",
                    &en16931::percent(line.discount_percent),
                )?;
                amount(d, "cbc:Amount", input, &amounts.allowance)?;
                amount(d, "cbc:BaseAmount", input, &amounts.gross)
            })?;
        }
        d.element("cac:Item", &[], |d| {
            d.leaf("cbc:Name", &line.description)?;
            d.element("cac:ClassifiedTaxCategory", &[], |d| {
                category(d, &line.vat)?;
                tax_scheme(d)
            })
        })?;
        d.element("cac:Price", &[], |d| {
            d.leaf_with(
                "cbc:PriceAmount",
                &[("currencyID", input.currency().code())],
                &en16931::price(line.unit_price),
            )
        })
    })
}
