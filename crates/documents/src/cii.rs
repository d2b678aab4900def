//! Factur-X / ZUGFeRD cross-industry invoice (UN/CEFACT CII D16B, `rsm:CrossIndustryInvoice`)
//! in the EN 16931 profile, or the French EXTENDED-CTC-FR profile.
//!
//! The CII XSD is a strict `xs:sequence` everywhere: elements below are written in the order
//! of the Factur-X 1.09 EN 16931 XSD (the D22B EXTENDED-CTC-FR schema keeps that order).

use encaisse_core::invoice::DocumentKind;
use encaisse_core::party::Address;
use encaisse_core::vat::{VatCategory, VatRate};

use crate::en16931;
use crate::input::{DocumentInput, legal_registration};
use crate::options::ElectronicAddress;
use crate::texts;
use crate::xml::{XmlDoc, XmlError};

const NS_RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const NS_RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const NS_QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";
const NS_UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";

/// UNCL 5189 allowance reason "Discount".
const DISCOUNT_REASON_CODE: &str = "95";

/// The CII XML of the document.
pub fn to_xml(input: &DocumentInput<'_>) -> Result<String, XmlError> {
    let mut doc = XmlDoc::new()?;
    doc.element(
        "rsm:CrossIndustryInvoice",
        &[
            ("xmlns:rsm", NS_RSM),
            ("xmlns:ram", NS_RAM),
            ("xmlns:qdt", NS_QDT),
            ("xmlns:udt", NS_UDT),
        ],
        |d| {
            context(d, input)?;
            header(d, input)?;
            d.element("rsm:SupplyChainTradeTransaction", &[], |d| {
                for i in 0..input.invoice().lines.len() {
                    line(d, input, i)?;
                }
                agreement(d, input)?;
                delivery(d, input)?;
                settlement(d, input)
            })
        },
    )?;
    doc.finish()
}

fn context(d: &mut XmlDoc, input: &DocumentInput<'_>) -> Result<(), XmlError> {
    d.element("rsm:ExchangedDocumentContext", &[], |d| {
        if let Some(framework) = input.options().billing_framework {
            d.element(
                "ram:BusinessProcessSpecifiedDocumentContextParameter",
                &[],
                |d| d.leaf("ram:ID", framework.code()),
            )?;
        }
        d.element("ram:GuidelineSpecifiedDocumentContextParameter", &[], |d| {
            d.leaf("ram:ID", input.profile().guideline_id())
        })
    })
}

fn header(d: &mut XmlDoc, input: &DocumentInput<'_>) -> Result<(), XmlError> {
    d.element("rsm:ExchangedDocument", &[], |d| {
        d.leaf("ram:ID", input.number())?;
        d.leaf("ram:TypeCode", input.invoice().kind.type_code())?;
        date_time(d, "ram:IssueDateTime", input.issue_date())?;
        for note in input.notes() {
            d.element("ram:IncludedNote", &[], |d| {
                d.leaf("ram:Content", &note.text)?;
                d.leaf_opt("ram:SubjectCode", note.subject.as_deref())
            })?;
        }
        Ok(())
    })
}

fn date_time(d: &mut XmlDoc, name: &str, date: chrono::NaiveDate) -> Result<(), XmlError> {
    d.element(name, &[], |d| {
        d.leaf_with(
            "udt:DateTimeString",
            &[("format", "102")],
            &en16931::date_102(date),
        )
    })
}

fn line(d: &mut XmlDoc, input: &DocumentInput<'_>, index: usize) -> Result<(), XmlError> {
    let line = &input.invoice().lines[index];
    let amounts = &input.totals().lines[index];
    d.element("ram:IncludedSupplyChainTradeLineItem", &[], |d| {
        d.element("ram:AssociatedDocumentLineDocument", &[], |d| {
            d.leaf("ram:LineID", &(index + 1).to_string())
        })?;
        d.element("ram:SpecifiedTradeProduct", &[], |d| {
            d.leaf("ram:Name", &line.description)
        })?;
        d.element("ram:SpecifiedLineTradeAgreement", &[], |d| {
            d.element("ram:NetPriceProductTradePrice", &[], |d| {
                d.leaf("ram:ChargeAmount", &en16931::price(line.unit_price))
            })
        })?;
        d.element("ram:SpecifiedLineTradeDelivery", &[], |d| {
            d.leaf_with(
                "ram:BilledQuantity",
                &[("unitCode", &line.unit.0)],
                &en16931::quantity(line.quantity),
            )
        })?;
        d.element("ram:SpecifiedLineTradeSettlement", &[], |d| {
            d.element("ram:ApplicableTradeTax", &[], |d| {
                d.leaf("ram:TypeCode", "VAT")?;
                d.leaf("ram:CategoryCode", line.vat.category().code())?;
                rate(d, &line.vat)
            })?;
            if !amounts.allowance.is_zero() {
                d.element("ram:SpecifiedTradeAllowanceCharge", &[], |d| {
                    d.element("ram:ChargeIndicator", &[], |d| {
                        d.leaf("udt:Indicator", "false")
                    })?;
                    d.leaf(
                        "ram:CalculationPercent",
                        &en16931::percent(line.discount_percent),
                    )?;
                    d.leaf("ram:BasisAmount", &en16931::amount(&amounts.gross))?;
                    d.leaf("ram:ActualAmount", &en16931::amount(&amounts.allowance))?;
                    d.leaf("ram:ReasonCode", DISCOUNT_REASON_CODE)?;
                    d.leaf("ram:Reason", texts::discount_reason(input.language()))
                })?;
            }
            d.element(
                "ram:SpecifiedTradeSettlementLineMonetarySummation",
                &[],
                |d| d.leaf("ram:LineTotalAmount", &en16931::amount(&amounts.net)),
            )
        })
    })
}

/// BT-119 / BT-152: every category carries its rate (0 for the exempt ones) except "not
/// subject to VAT", which must not (BR-O-05, BR-O-10).
fn rate(d: &mut XmlDoc, vat: &VatRate) -> Result<(), XmlError> {
    if vat.category() == VatCategory::OutsideScope {
        return Ok(());
    }
    d.leaf(
        "ram:RateApplicablePercent",
        &en16931::percent(vat.percent()),
    )
}

fn agreement(d: &mut XmlDoc, input: &DocumentInput<'_>) -> Result<(), XmlError> {
    let invoice = input.invoice();
    let org = input.organization();
    let client = input.client();
    d.element("ram:ApplicableHeaderTradeAgreement", &[], |d| {
        d.leaf_opt("ram:BuyerReference", invoice.buyer_reference.as_deref())?;
        d.element("ram:SellerTradeParty", &[], |d| {
            let siret = org.ids.siret.as_ref().map(|s| s.as_str());
            party(
                d,
                Party {
                    global_siret: siret,
                    name: &org.legal_name,
                    legal: legal_registration(&org.ids),
                    contact_email: None,
                    address: &org.address,
                    electronic_address: input.seller_electronic_address(),
                    vat_id: input.seller_vat_id(),
                },
            )
        })?;
        d.element("ram:BuyerTradeParty", &[], |d| {
            let siret = client.ids.siret.as_ref().map(|s| s.as_str());
            party(
                d,
                Party {
                    global_siret: siret,
                    name: &client.name,
                    legal: legal_registration(&client.ids),
                    contact_email: client.email.as_deref(),
                    address: &client.address,
                    electronic_address: input.buyer_electronic_address(),
                    vat_id: input.buyer_vat_id(),
                },
            )
        })?;
        if let Some(po) = invoice
            .purchase_order
            .as_deref()
            .filter(|p| !p.trim().is_empty())
        {
            d.element("ram:BuyerOrderReferencedDocument", &[], |d| {
                d.leaf("ram:IssuerAssignedID", po)
            })?;
        }
        Ok(())
    })
}

struct Party<'p> {
    global_siret: Option<&'p str>,
    name: &'p str,
    legal: Option<(String, &'static str)>,
    contact_email: Option<&'p str>,
    address: &'p Address,
    electronic_address: Option<&'p ElectronicAddress>,
    vat_id: Option<&'p str>,
}

fn party(d: &mut XmlDoc, p: Party<'_>) -> Result<(), XmlError> {
    if let Some(siret) = p.global_siret {
        d.leaf_with("ram:GlobalID", &[("schemeID", en16931::ICD_SIRET)], siret)?;
    }
    d.leaf("ram:Name", p.name)?;
    if let Some((id, scheme)) = &p.legal {
        d.element("ram:SpecifiedLegalOrganization", &[], |d| {
            d.leaf_with("ram:ID", &[("schemeID", scheme)], id)
        })?;
    }
    if let Some(email) = p.contact_email.filter(|e| !e.trim().is_empty()) {
        d.element("ram:DefinedTradeContact", &[], |d| {
            d.element("ram:EmailURIUniversalCommunication", &[], |d| {
                d.leaf("ram:URIID", email)
            })
        })?;
    }
    postal_address(d, p.address)?;
    if let Some(a) = p.electronic_address {
        d.element("ram:URIUniversalCommunication", &[], |d| {
            d.leaf_with("ram:URIID", &[("schemeID", a.scheme())], a.value())
        })?;
    }
    if let Some(vat) = p.vat_id {
        d.element("ram:SpecifiedTaxRegistration", &[], |d| {
            d.leaf_with("ram:ID", &[("schemeID", "VA")], vat)
        })?;
    }
    Ok(())
}

fn postal_address(d: &mut XmlDoc, a: &Address) -> Result<(), XmlError> {
    d.element("ram:PostalTradeAddress", &[], |d| {
        d.leaf_opt("ram:PostcodeCode", Some(&a.postal_code))?;
        let street =
            en16931::street_line(a.street.as_deref(), a.building_number.as_deref(), a.country);
        d.leaf_opt("ram:LineOne", street.as_deref())?;
        d.leaf_opt("ram:CityName", Some(&a.city))?;
        d.leaf("ram:CountryID", a.country.as_str())
    })
}

fn delivery(d: &mut XmlDoc, input: &DocumentInput<'_>) -> Result<(), XmlError> {
    let ship_to = input.needs_delivery_country();
    let date = input.options().delivery_date;
    if !ship_to && date.is_none() {
        // Mandatory in the XSD even when there is nothing to say.
        return d.empty("ram:ApplicableHeaderTradeDelivery");
    }
    d.element("ram:ApplicableHeaderTradeDelivery", &[], |d| {
        if ship_to {
            let client = input.client();
            d.element("ram:ShipToTradeParty", &[], |d| {
                d.leaf("ram:Name", &client.name)?;
                postal_address(d, &client.address)
            })?;
        }
        if let Some(date) = date {
            d.element("ram:ActualDeliverySupplyChainEvent", &[], |d| {
                date_time(d, "ram:OccurrenceDateTime", date)
            })?;
        }
        Ok(())
    })
}

fn settlement(d: &mut XmlDoc, input: &DocumentInput<'_>) -> Result<(), XmlError> {
    let totals = input.totals();
    let invoice = input.invoice();
    d.element("ram:ApplicableHeaderTradeSettlement", &[], |d| {
        if let Some(p) = input.payment() {
            d.leaf("ram:PaymentReference", &p.reference)?;
        }
        d.leaf("ram:InvoiceCurrencyCode", input.currency().code())?;
        if let Some(p) = input.payment() {
            d.element("ram:SpecifiedTradeSettlementPaymentMeans", &[], |d| {
                d.leaf("ram:TypeCode", p.means.code())?;
                d.element("ram:PayeePartyCreditorFinancialAccount", &[], |d| {
                    d.leaf("ram:IBANID", p.account.as_str())
                })?;
                if let Some(bic) = &p.bic {
                    d.element("ram:PayeeSpecifiedCreditorFinancialInstitution", &[], |d| {
                        d.leaf("ram:BICID", bic)
                    })?;
                }
                Ok(())
            })?;
        }
        for b in &totals.breakdown {
            let category = b.rate.category();
            let (reason, code) = input.exemption(category);
            d.element("ram:ApplicableTradeTax", &[], |d| {
                d.leaf("ram:CalculatedAmount", &en16931::amount(&b.tax))?;
                d.leaf("ram:TypeCode", "VAT")?;
                d.leaf_opt("ram:ExemptionReason", reason)?;
                d.leaf("ram:BasisAmount", &en16931::amount(&b.taxable))?;
                d.leaf("ram:CategoryCode", category.code())?;
                d.leaf_opt("ram:ExemptionReasonCode", code)?;
                rate(d, &b.rate)
            })?;
        }
        if let Some(period) = invoice.service_period {
            d.element("ram:BillingSpecifiedPeriod", &[], |d| {
                date_time(d, "ram:StartDateTime", period.start)?;
                date_time(d, "ram:EndDateTime", period.end)
            })?;
        }
        if input.payment_terms().is_some() || input.due_date().is_some() {
            d.element("ram:SpecifiedTradePaymentTerms", &[], |d| {
                d.leaf_opt("ram:Description", input.payment_terms())?;
                if let Some(due) = input.due_date() {
                    date_time(d, "ram:DueDateDateTime", due)?;
                }
                Ok(())
            })?;
        }
        d.element(
            "ram:SpecifiedTradeSettlementHeaderMonetarySummation",
            &[],
            |d| {
                d.leaf("ram:LineTotalAmount", &en16931::amount(&totals.line_total))?;
                d.leaf(
                    "ram:TaxBasisTotalAmount",
                    &en16931::amount(&totals.tax_exclusive),
                )?;
                d.leaf_with(
                    "ram:TaxTotalAmount",
                    &[("currencyID", input.currency().code())],
                    &en16931::amount(&totals.vat_total),
                )?;
                d.leaf(
                    "ram:GrandTotalAmount",
                    &en16931::amount(&totals.tax_inclusive),
                )?;
                if !totals.prepaid.is_zero() {
                    d.leaf("ram:TotalPrepaidAmount", &en16931::amount(&totals.prepaid))?;
                }
                d.leaf("ram:DuePayableAmount", &en16931::amount(&totals.due))
            },
        )?;
        if let (DocumentKind::CreditNote, Some(corrected)) = (invoice.kind, &invoice.corrects) {
            d.element("ram:InvoiceReferencedDocument", &[], |d| {
                d.leaf("ram:IssuerAssignedID", &corrected.number)?;
                d.element("ram:FormattedIssueDateTime", &[], |d| {
                    d.leaf_with(
                        "qdt:DateTimeString",
                        &[("format", "102")],
                        &en16931::date_102(corrected.issue_date),
                    )
                })
            })?;
        }
        Ok(())
    })
}
