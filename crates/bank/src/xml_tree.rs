//! A small element tree over quick-xml, keyed by **local names** so that camt documents read
//! the same whatever their namespace (`camt.053.001.02`, `.04`, `.08`, prefixed or not).
//!
//! Statements are small (kilobytes to a few megabytes), so a tree is simpler to query than a
//! streaming state machine and lets errors name the element path. Nesting is capped so that a
//! hostile document cannot exhaust the stack.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// Deeper than any camt document (about 12 levels) by a wide margin.
const MAX_DEPTH: usize = 64;

/// An XML element: local name, attributes by local name, its own text (trimmed) and children.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

/// A document that is not well-formed XML, with the 1-based line of the problem.
#[derive(Debug)]
pub(crate) struct XmlError {
    pub line: usize,
    pub message: String,
}

impl Element {
    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name, in document order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Descends through first children with these names (`at(&["Refs", "EndToEndId"])`).
    pub fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, name| e.child(name))
    }

    /// The trimmed text of the element at `path`, when present and not empty.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)
            .map(|e| e.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// The value of an attribute, by local name.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a whole document into its root element.
pub(crate) fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    let line_of = |pos: u64| -> usize {
        let end = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
        let prefix = text.as_bytes().get(..end).unwrap_or_default();
        prefix.iter().filter(|b| **b == b'\n').count() + 1
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(|e| XmlError {
            line: line_of(reader.error_position()),
            message: e.to_string(),
        })?;
        let here = || line_of(reader.buffer_position());
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError {
                        line: here(),
                        message: format!("elements nested deeper than {MAX_DEPTH} levels"),
                    });
                }
                stack.push(element_of(&start).map_err(|message| XmlError {
                    line: here(),
                    message,
                })?);
            }
            Event::Empty(start) => {
                let element = element_of(&start).map_err(|message| XmlError {
                    line: here(),
                    message,
                })?;
                attach(&mut stack, &mut root, element);
            }
            Event::End(_) => {
                if let Some(mut element) = stack.pop() {
                    let trimmed = element.text.trim();
                    if trimmed.len() != element.text.len() {
                        element.text = trimmed.to_owned();
                    }
                    attach(&mut stack, &mut root, element);
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let ch = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    match r.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    }
                };
                let Some(ch) = ch else {
                    return Err(XmlError {
                        line: here(),
                        message: format!("unknown entity `&{};`", r.as_ref()),
                    });
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(ch);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError {
            line: line_of(reader.buffer_position()),
            message: format!("element <{}> is never closed", open.name),
        });
    }
    root.ok_or(XmlError {
        line: 1,
        message: "no root element".to_owned(),
    })
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => {
            if root.is_none() {
                *root = Some(element);
            }
        }
    }
}

fn element_of(start: &BytesStart<'_>) -> Result<Element, String> {
    let name = start.local_name().as_ref().to_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("bad attribute in <{name}>: {e}"))?;
        let key = attribute.key.local_name().as_ref().to_owned();
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad attribute value in <{name}>: {e}"))?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Element {
        name,
        attributes,
        text: String::new(),
        children: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn names_are_local_whatever_the_prefix() {
        let root =
            parse(r#"<x:Doc xmlns:x="urn:a"><x:Amt x:Ccy="EUR"> 1.50 </x:Amt></x:Doc>"#).unwrap();
        assert_eq!(root.name, "Doc");
        let amt = root.child("Amt").unwrap();
        assert_eq!(amt.text, "1.50");
        assert_eq!(amt.attribute("Ccy"), Some("EUR"));
    }

    #[test]
    fn entities_are_resolved_without_eating_spaces() {
        let root = parse("<a><b>Dupont &amp; Fils &#233;</b></a>").unwrap();
        assert_eq!(root.text_at(&["b"]), Some("Dupont & Fils é"));
    }

    #[test]
    fn mismatched_tags_name_the_line() {
        let err = parse("<a>\n<b>\n</c>\n</a>").unwrap_err();
        assert_eq!(err.line, 3, "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = "<a>".repeat(10_000);
        let err = parse(&doc).unwrap_err();
        assert!(err.message.contains("deeper"), "{}", err.message);
    }
}
