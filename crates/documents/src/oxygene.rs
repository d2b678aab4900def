//! Sales documents for Memsoft Oxygène's import wizard, as XML shaped by a mapping file.
//!
//! **The element names are assumptions.** Memsoft documents that Oxygène (≥ 9.03) imports
//! sales documents from XML, but publishes neither the schema nor an example; no public
//! source gives the element names (see `reference/standards.md` §6 and `OXYGENE.md` in this
//! crate). So the structure lives in a versioned TOML [`Mapping`] that users adjust to
//! what their Oxygène expects — from a file exported by their own installation — without
//! recompiling. [`DEFAULT_MAPPING`] is a starting point modelled on the documented text
//! imports (dates `jj/mm/aaaa`, decimal comma, ISO 8859-15), not a verified format.

use std::collections::BTreeMap;

use encaisse_core::Money;
use encaisse_core::invoice::DocumentKind;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::input::DocumentInput;
use crate::xml::{XmlDoc, XmlError};

/// The mapping shipped with encaisse (`oxygene-mapping.toml`).
pub const DEFAULT_MAPPING: &str = include_str!("../oxygene-mapping.toml");

/// The mapping format versions this code reads.
pub const SUPPORTED_VERSION: u32 = 1;

/// Why the export failed. Each message says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum OxygeneError {
    #[error("the Oxygène mapping is not valid TOML or misses a key: {0}")]
    Toml(#[from] toml::de::Error),
    #[error(
        "the Oxygène mapping has version {0}, this encaisse reads version {SUPPORTED_VERSION}: update the file"
    )]
    Version(u32),
    #[error(
        "unknown source field `{0}` in the Oxygène mapping: see OXYGENE.md for the fields, or write const:TEXT"
    )]
    UnknownField(String),
    #[error("`{0}` is not a valid XML element name: use letters, digits, `_`, `-`, `.`")]
    ElementName(String),
    #[error("unsupported encoding `{0}`: use UTF-8 or ISO-8859-15")]
    Encoding(String),
    #[error("decimal_separator must be `,` or `.`, not `{0}`")]
    DecimalSeparator(String),
    #[error("document {0} has no Oxygène client code: give the client's code in Oxygène")]
    MissingClientCode(String),
    #[error(transparent)]
    Xml(#[from] XmlError),
}

/// What a mapped element is filled with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Kind,
    Number,
    IssueDate,
    DueDate,
    ClientCode,
    ClientName,
    ClientVatId,
    BuyerReference,
    PurchaseOrder,
    CorrectedInvoice,
    Currency,
    TotalNet,
    TotalVat,
    TotalGross,
    AmountDue,
    PaymentReference,
    Notes,
    LineNumber,
    ArticleCode,
    Description,
    Quantity,
    Unit,
    UnitPrice,
    DiscountPercent,
    VatRate,
    VatCategory,
    NetAmount,
    Constant(String),
}

impl Source {
    fn parse(name: &str) -> Result<Source, OxygeneError> {
        if let Some(text) = name.strip_prefix("const:") {
            return Ok(Source::Constant(text.to_owned()));
        }
        Ok(match name.trim() {
            "kind" => Source::Kind,
            "number" => Source::Number,
            "issue_date" => Source::IssueDate,
            "due_date" => Source::DueDate,
            "client_code" => Source::ClientCode,
            "client_name" => Source::ClientName,
            "client_vat_id" => Source::ClientVatId,
            "buyer_reference" => Source::BuyerReference,
            "purchase_order" => Source::PurchaseOrder,
            "corrected_invoice" => Source::CorrectedInvoice,
            "currency" => Source::Currency,
            "total_net" => Source::TotalNet,
            "total_vat" => Source::TotalVat,
            "total_gross" => Source::TotalGross,
            "amount_due" => Source::AmountDue,
            "payment_reference" => Source::PaymentReference,
            "notes" => Source::Notes,
            "line_number" => Source::LineNumber,
            "article_code" => Source::ArticleCode,
            "description" => Source::Description,
            "quantity" => Source::Quantity,
            "unit" => Source::Unit,
            "unit_price" => Source::UnitPrice,
            "discount_percent" => Source::DiscountPercent,
            "vat_rate" => Source::VatRate,
            "vat_category" => Source::VatCategory,
            "net_amount" => Source::NetAmount,
            other => return Err(OxygeneError::UnknownField(other.to_owned())),
        })
    }
}

#[derive(Deserialize)]
struct RawField {
    element: String,
    field: String,
}

#[derive(Deserialize)]
struct RawKinds {
    invoice: String,
    credit_note: String,
}

#[derive(Deserialize)]
struct RawArticles {
    default: String,
    #[serde(default)]
    by_unit: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawMapping {
    version: u32,
    encoding: String,
    date_format: String,
    decimal_separator: String,
    root: String,
    document: String,
    lines: String,
    line: String,
    document_kinds: RawKinds,
    articles: RawArticles,
    header: Vec<RawField>,
    line_fields: Vec<RawField>,
}

/// A checked mapping: element names and their sources, formats, article codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    latin9: bool,
    date_format: String,
    decimal_comma: bool,
    root: String,
    document: String,
    lines: Option<String>,
    line: String,
    invoice_kind: String,
    credit_note_kind: String,
    default_article: String,
    articles_by_unit: BTreeMap<String, String>,
    header: Vec<(String, Source)>,
    line_fields: Vec<(String, Source)>,
}

fn element_name(name: &str) -> Result<String, OxygeneError> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(OxygeneError::ElementName(name.to_owned()))
    }
}

fn fields(raw: Vec<RawField>) -> Result<Vec<(String, Source)>, OxygeneError> {
    raw.into_iter()
        .map(|f| Ok((element_name(&f.element)?, Source::parse(&f.field)?)))
        .collect()
}

impl Mapping {
    /// Reads and checks a mapping file.
    pub fn from_toml(text: &str) -> Result<Mapping, OxygeneError> {
        let raw: RawMapping = toml::from_str(text)?;
        if raw.version != SUPPORTED_VERSION {
            return Err(OxygeneError::Version(raw.version));
        }
        let latin9 = match raw.encoding.to_ascii_uppercase().as_str() {
            "UTF-8" | "UTF8" => false,
            "ISO-8859-15" | "LATIN-9" | "LATIN9" => true,
            _ => return Err(OxygeneError::Encoding(raw.encoding)),
        };
        let decimal_comma = match raw.decimal_separator.as_str() {
            "," => true,
            "." => false,
            other => return Err(OxygeneError::DecimalSeparator(other.to_owned())),
        };
        let lines = match raw.lines.trim() {
            "" => None,
            name => Some(element_name(name)?),
        };
        Ok(Mapping {
            latin9,
            date_format: raw.date_format,
            decimal_comma,
            root: element_name(&raw.root)?,
            document: element_name(&raw.document)?,
            lines,
            line: element_name(&raw.line)?,
            invoice_kind: raw.document_kinds.invoice,
            credit_note_kind: raw.document_kinds.credit_note,
            default_article: raw.articles.default,
            articles_by_unit: raw.articles.by_unit,
            header: fields(raw.header)?,
            line_fields: fields(raw.line_fields)?,
        })
    }

    /// The mapping shipped with encaisse.
    pub fn builtin() -> Result<Mapping, OxygeneError> {
        Mapping::from_toml(DEFAULT_MAPPING)
    }

    fn number(&self, value: Decimal) -> String {
        let s = value.to_string();
        if self.decimal_comma {
            s.replace('.', ",")
        } else {
            s
        }
    }

    fn amount(&self, m: &Money) -> String {
        let mut v = m.amount().round_dp(m.currency().minor_digits());
        v.rescale(m.currency().minor_digits());
        self.number(v)
    }
}

/// A document to export, with the client's code in Oxygène (clients must exist there).
pub struct OxygeneDocument<'a> {
    pub input: &'a DocumentInput<'a>,
    pub client_code: &'a str,
}

fn header_value(m: &Mapping, d: &OxygeneDocument<'_>, source: &Source) -> Option<String> {
    let input = d.input;
    let invoice = input.invoice();
    let t = input.totals();
    let date = |x: chrono::NaiveDate| x.format(&m.date_format).to_string();
    Some(match source {
        Source::Kind => match invoice.kind {
            DocumentKind::Invoice => m.invoice_kind.clone(),
            DocumentKind::CreditNote => m.credit_note_kind.clone(),
        },
        Source::Number => input.number().to_owned(),
        Source::IssueDate => date(input.issue_date()),
        Source::DueDate => date(input.due_date()?),
        Source::ClientCode => d.client_code.to_owned(),
        Source::ClientName => input.client().name.clone(),
        Source::ClientVatId => input.buyer_vat_id()?.to_owned(),
        Source::BuyerReference => invoice.buyer_reference.clone()?,
        Source::PurchaseOrder => invoice.purchase_order.clone()?,
        Source::CorrectedInvoice => invoice.corrects.as_ref()?.number.clone(),
        Source::Currency => input.currency().code().to_owned(),
        Source::TotalNet => m.amount(&t.tax_exclusive),
        Source::TotalVat => m.amount(&t.vat_total),
        Source::TotalGross => m.amount(&t.tax_inclusive),
        Source::AmountDue => m.amount(&t.due),
        Source::PaymentReference => invoice.payment_reference.as_ref()?.as_str().to_owned(),
        Source::Notes => invoice.notes.clone()?,
        Source::Constant(text) => text.clone(),
        // Line fields have no document-level value.
        _ => return None,
    })
}

fn line_value(
    m: &Mapping,
    d: &OxygeneDocument<'_>,
    index: usize,
    source: &Source,
) -> Option<String> {
    let line = d.input.invoice().lines.get(index)?;
    let amounts = d.input.totals().lines.get(index)?;
    Some(match source {
        Source::LineNumber => (index + 1).to_string(),
        Source::ArticleCode => m
            .articles_by_unit
            .get(&line.unit.0)
            .unwrap_or(&m.default_article)
            .clone(),
        Source::Description => line.description.clone(),
        Source::Quantity => m.number(line.quantity.normalize()),
        Source::Unit => line.unit.0.clone(),
        Source::UnitPrice => m.number(line.unit_price.normalize()),
        Source::DiscountPercent => m.number(line.discount_percent.normalize()),
        Source::VatRate => m.number(line.vat.percent().normalize()),
        Source::VatCategory => line.vat.category().code().to_owned(),
        Source::NetAmount => m.amount(&amounts.net),
        Source::Constant(text) => text.clone(),
        other => return header_value(m, d, other),
    })
}

/// The documents as one XML file for Oxygène's import wizard, shaped by `mapping`.
pub fn export(
    documents: &[OxygeneDocument<'_>],
    mapping: &Mapping,
) -> Result<Vec<u8>, OxygeneError> {
    for d in documents {
        if d.client_code.trim().is_empty() {
            return Err(OxygeneError::MissingClientCode(d.input.number().to_owned()));
        }
    }
    let encoding = if mapping.latin9 {
        "ISO-8859-15"
    } else {
        "UTF-8"
    };
    let mut doc = XmlDoc::with_encoding(encoding)?;
    doc.element(&mapping.root, &[], |x| {
        for d in documents {
            x.element(&mapping.document, &[], |x| {
                for (element, source) in &mapping.header {
                    x.leaf_opt(element, header_value(mapping, d, source).as_deref())?;
                }
                let write_lines = |x: &mut XmlDoc| {
                    for i in 0..d.input.invoice().lines.len() {
                        x.element(&mapping.line, &[], |x| {
                            for (element, source) in &mapping.line_fields {
                                x.leaf_opt(element, line_value(mapping, d, i, source).as_deref())?;
                            }
                            Ok(())
                        })?;
                    }
                    Ok(())
                };
                match &mapping.lines {
                    Some(container) => x.element(container, &[], write_lines),
                    None => write_lines(x),
                }
            })?;
        }
        Ok(())
    })?;
    let text = doc.finish()?;
    Ok(if mapping.latin9 {
        crate::fec::latin9(&text)
    } else {
        text.into_bytes()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_mapping_reads() {
        let m = Mapping::builtin().unwrap();
        assert!(m.latin9 && m.decimal_comma);
        assert_eq!(m.header[0], ("TYPE_PIECE".to_owned(), Source::Kind));
        assert_eq!(
            m.articles_by_unit.get("HUR").map(String::as_str),
            Some("HEURE")
        );
    }

    #[test]
    fn mistakes_in_a_mapping_are_named() {
        let bad_field = DEFAULT_MAPPING.replace("field = \"number\"", "field = \"numero\"");
        assert!(matches!(
            Mapping::from_toml(&bad_field),
            Err(OxygeneError::UnknownField(f)) if f == "numero"
        ));
        let bad_version = DEFAULT_MAPPING.replace("version = 1", "version = 2");
        assert!(matches!(
            Mapping::from_toml(&bad_version),
            Err(OxygeneError::Version(2))
        ));
        let bad_name = DEFAULT_MAPPING.replace("root = \"PIECES_VENTES\"", "root = \"1 PIECES\"");
        assert!(matches!(
            Mapping::from_toml(&bad_name),
            Err(OxygeneError::ElementName(_))
        ));
        assert!(matches!(
            Mapping::from_toml("version = 1"),
            Err(OxygeneError::Toml(_))
        ));
    }

    #[test]
    fn constants_are_written_as_given() {
        assert_eq!(
            Source::parse("const:VTE").unwrap(),
            Source::Constant("VTE".into())
        );
    }
}
