//! A thin layer over quick-xml's event [`Writer`]: balanced elements by construction
//! (a closure per element), text escaped by quick-xml (`&`, `<`, `>` in text; quotes too in
//! attributes), and no element ever written empty.

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// Why an XML document could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error(
        "element <{element}> would be empty; e-invoice syntaxes forbid empty elements: fill in the value or leave the element out"
    )]
    Empty { element: String },
    #[error(
        "text of <{element}> contains the character U+{code:04X}, which XML 1.0 cannot carry: remove it from the source data"
    )]
    InvalidCharacter { element: String, code: u32 },
    #[error("the XML writer failed: {0}")]
    Write(String),
}

/// True for characters XML 1.0 documents may contain.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// An XML document being written, indented by two spaces.
pub struct XmlDoc {
    writer: Writer<Vec<u8>>,
}

impl XmlDoc {
    /// Starts a UTF-8 document with its XML declaration.
    pub fn new() -> Result<Self, XmlError> {
        Self::with_encoding("UTF-8")
    }

    /// Starts a document declaring `encoding`; the caller transcodes what
    /// [`XmlDoc::finish`] returns when it is not UTF-8.
    pub fn with_encoding(encoding: &str) -> Result<Self, XmlError> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some(encoding), None)))
            .map_err(write_error)?;
        Ok(XmlDoc { writer })
    }

    /// Writes `<name attrs…>` … `</name>` with the content `body` writes.
    pub fn element<F>(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        body: F,
    ) -> Result<(), XmlError>
    where
        F: FnOnce(&mut XmlDoc) -> Result<(), XmlError>,
    {
        let mut start = BytesStart::new(name);
        for (k, v) in attrs {
            check_text(name, v)?;
            start.push_attribute((*k, *v));
        }
        self.writer
            .write_event(Event::Start(start))
            .map_err(write_error)?;
        body(self)?;
        self.writer
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(write_error)
    }

    /// Writes `<name>text</name>`; refuses an empty text.
    pub fn leaf(&mut self, name: &str, text: &str) -> Result<(), XmlError> {
        self.leaf_with(name, &[], text)
    }

    /// Writes `<name attrs…>text</name>`; refuses an empty text.
    pub fn leaf_with(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        text: &str,
    ) -> Result<(), XmlError> {
        if text.trim().is_empty() {
            return Err(XmlError::Empty {
                element: name.to_owned(),
            });
        }
        check_text(name, text)?;
        let mut start = BytesStart::new(name);
        for (k, v) in attrs {
            check_text(name, v)?;
            start.push_attribute((*k, *v));
        }
        self.writer
            .write_event(Event::Start(start))
            .map_err(write_error)?;
        self.writer
            .write_event(Event::Text(BytesText::from_escaped(partial_escape(text))))
            .map_err(write_error)?;
        self.writer
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(write_error)
    }

    /// Writes `<name/>`: only for containers the XSD makes mandatory even when there is
    /// nothing to put in them.
    pub fn empty(&mut self, name: &str) -> Result<(), XmlError> {
        self.writer
            .write_event(Event::Empty(BytesStart::new(name)))
            .map_err(write_error)
    }

    /// Writes the leaf only when there is a non-blank value.
    pub fn leaf_opt(&mut self, name: &str, text: Option<&str>) -> Result<(), XmlError> {
        match text {
            Some(t) if !t.trim().is_empty() => self.leaf(name, t),
            _ => Ok(()),
        }
    }

    /// The finished document (ends with a newline).
    pub fn finish(self) -> Result<String, XmlError> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        String::from_utf8(bytes).map_err(|e| XmlError::Write(e.to_string()))
    }
}

fn check_text(element: &str, text: &str) -> Result<(), XmlError> {
    match text.chars().find(|c| !is_xml_char(*c)) {
        Some(c) => Err(XmlError::InvalidCharacter {
            element: element.to_owned(),
            code: u32::from(c),
        }),
        None => Ok(()),
    }
}

fn write_error(e: std::io::Error) -> XmlError {
    XmlError::Write(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_balanced_escaped_and_indented() {
        let mut doc = XmlDoc::new().unwrap();
        doc.element("a", &[("x", "1 & 2")], |d| {
            d.leaf("b", "<Müller & Söhne's>")?;
            d.leaf_opt("c", None)?;
            d.leaf_opt("c", Some("  "))
        })
        .unwrap();
        let xml = doc.finish().unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1 &amp; 2\">\n  <b>&lt;Müller &amp; Söhne's&gt;</b>\n</a>\n"
        );
    }

    #[test]
    fn empty_and_unrepresentable_text_is_refused() {
        let mut doc = XmlDoc::new().unwrap();
        assert_eq!(
            doc.leaf("ram:Name", " "),
            Err(XmlError::Empty {
                element: "ram:Name".into()
            })
        );
        let e = doc.leaf("ram:Name", "bell\u{7}").unwrap_err();
        assert!(e.to_string().contains("U+0007"), "{e}");
    }
}
