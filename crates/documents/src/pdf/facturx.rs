//! The Factur-X part of the hybrid invoice: the CII XML travels as the PDF/A-3 associated
//! file `factur-x.xml` (written by krilla, see [`attachment`]), and the XMP metadata declares
//! it with the four `fx:` properties and the PDF/A extension schema describing them.
//!
//! krilla 0.8 cannot write custom XMP (LaurenzV/krilla#408), so [`declare_in_xmp`] patches
//! the XMP stream of the finished PDF with lopdf: it inserts two `rdf:Description`s before
//! `</rdf:RDF>` and lets lopdf rewrite the file (deterministically: no clock, no randomness).

use krilla::embed::AssociationKind;
use lopdf::{Document, Object};

use super::PdfError;
use super::paint::Attachment;
use crate::options::Profile;

/// The file name Factur-X requires.
pub const FILE_NAME: &str = "factur-x.xml";

/// The Factur-X XMP namespace (mixed case and trailing `#` are significant).
pub const NAMESPACE: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

/// `fx:ConformanceLevel` of a CII profile: EN 16931 is `EN 16931`; the French CTC profile
/// extends EXTENDED, so it declares `EXTENDED`.
pub fn conformance_level(profile: Profile) -> &'static str {
    match profile {
        Profile::En16931 => "EN 16931",
        Profile::ExtendedCtcFr => "EXTENDED",
    }
}

/// The CII XML as the associated file: `/AFRelationship /Alternative` (the XML is a full
/// invoice, equivalent to the visible one), MIME `text/xml`.
pub fn attachment(xml: String) -> Attachment {
    Attachment {
        name: FILE_NAME.to_owned(),
        description: "Factur-X invoice (UN/CEFACT CII)".to_owned(),
        mime: "text/xml",
        relationship: AssociationKind::Alternative,
        data: xml.into_bytes(),
    }
}

/// The `fx:` properties themselves.
fn fx_description(level: &str) -> String {
    format!(
        "<rdf:Description rdf:about=\"\" xmlns:fx=\"{NAMESPACE}\">\
<fx:DocumentType>INVOICE</fx:DocumentType><fx:DocumentFileName>{FILE_NAME}</fx:DocumentFileName>\
<fx:Version>1.0</fx:Version><fx:ConformanceLevel>{level}</fx:ConformanceLevel></rdf:Description>\n"
    )
}

/// The PDF/A extension schema entry (one `rdf:li` of `pdfaExtension:schemas`) describing
/// the four `fx:` properties.
fn schema_entry() -> String {
    let property = |name: &str, description: &str| {
        format!(
            "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name>\
<pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>\
<pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"
        )
    };
    format!(
        "<rdf:li rdf:parseType=\"Resource\"><pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>{NAMESPACE}</pdfaSchema:namespaceURI><pdfaSchema:prefix>fx</pdfaSchema:prefix>\
<pdfaSchema:property><rdf:Seq>{}{}{}{}</rdf:Seq></pdfaSchema:property></rdf:li>",
        property("DocumentFileName", "The name of the embedded XML document"),
        property(
            "DocumentType",
            "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"
        ),
        property(
            "Version",
            "The actual version of the standard applying to the embedded XML document"
        ),
        property(
            "ConformanceLevel",
            "The conformance level of the embedded XML document"
        ),
    )
}

/// `xmp` with the Factur-X declaration: the schema entry joins the `pdfaExtension:schemas`
/// bag krilla already writes (a second `pdfaExtension:schemas` property on the same
/// resource would be a duplicate), or comes in a description of its own when there is none.
fn patched_xmp(xmp: &str, level: &str) -> Option<String> {
    const BAG: &str = "<pdfaExtension:schemas><rdf:Bag>";
    let end = xmp.rfind("</rdf:RDF>")?;
    let mut out = String::with_capacity(xmp.len() + 2048);
    match xmp.find(BAG) {
        Some(bag) if bag < end => {
            let at = bag + BAG.len();
            out.push_str(&xmp[..at]);
            out.push_str(&schema_entry());
            out.push_str(&xmp[at..end]);
        }
        _ => {
            out.push_str(&xmp[..end]);
            out.push_str(&format!(
                "<rdf:Description rdf:about=\"\" xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" \
xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\
<pdfaExtension:schemas><rdf:Bag>{}</rdf:Bag></pdfaExtension:schemas></rdf:Description>\n",
                schema_entry()
            ));
        }
    }
    out.push_str(&fx_description(level));
    out.push_str(&xmp[end..]);
    Some(out)
}

/// Adds the Factur-X declaration for `profile` to the XMP metadata of `pdf`.
pub fn declare_in_xmp(pdf: &[u8], profile: Profile) -> Result<Vec<u8>, PdfError> {
    let patch = |e: lopdf::Error| PdfError::Patch(e.to_string());
    let mut doc = Document::load_mem(pdf).map_err(patch)?;
    let metadata = doc
        .catalog()
        .and_then(|c| c.get(b"Metadata"))
        .and_then(Object::as_reference)
        .map_err(patch)?;
    let stream = doc
        .get_object_mut(metadata)
        .and_then(Object::as_stream_mut)
        .map_err(patch)?;
    let xmp = std::str::from_utf8(&stream.content)
        .map_err(|_| PdfError::Patch("the XMP metadata is not UTF-8".into()))?;
    let patched = patched_xmp(xmp, conformance_level(profile))
        .ok_or_else(|| PdfError::Patch("the XMP metadata has no rdf:RDF element".into()))?;
    stream.set_plain_content(patched.into_bytes());
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    doc.save_to(&mut out)
        .map_err(|e| PdfError::Patch(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_match_the_profiles() {
        assert_eq!(conformance_level(Profile::En16931), "EN 16931");
        assert_eq!(conformance_level(Profile::ExtendedCtcFr), "EXTENDED");
    }

    #[test]
    fn the_schema_joins_an_existing_bag_once() {
        let krilla = "<x:xmpmeta><rdf:RDF><rdf:Description rdf:about=\"\"><pdfaExtension:schemas><rdf:Bag><rdf:li>mm</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description></rdf:RDF></x:xmpmeta>";
        let out = patched_xmp(krilla, "EN 16931").unwrap();
        assert_eq!(out.matches("<pdfaExtension:schemas>").count(), 1);
        assert_eq!(out.matches("<pdfaProperty:name>").count(), 4);
        assert!(
            out.contains("<rdf:Bag><rdf:li rdf:parseType=\"Resource\"><pdfaSchema:schema>Factur-X")
        );
        assert!(out.contains(
            "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel></rdf:Description>\n</rdf:RDF>"
        ));
        let bare = "<rdf:RDF></rdf:RDF>";
        let out = patched_xmp(bare, "EXTENDED").unwrap();
        assert_eq!(out.matches("<pdfaExtension:schemas>").count(), 1);
        assert_eq!(out.matches(NAMESPACE).count(), 2);
        assert!(patched_xmp("<x/>", "EXTENDED").is_none());
    }

    #[test]
    fn a_pdf_without_metadata_is_an_error_not_a_panic() {
        assert!(matches!(
            declare_in_xmp(b"not a pdf", Profile::En16931),
            Err(PdfError::Patch(_))
        ));
    }
}
