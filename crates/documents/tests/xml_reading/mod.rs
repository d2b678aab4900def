//! Reads generated XML back for assertions: every text node with its element path.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use quick_xml::Reader;
use quick_xml::events::Event;

/// `(path, text)` of every text node, the path being `/`-joined qualified names
/// (`rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID`), plus `(path@attr, value)` for
/// attributes.
pub fn texts(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut out: Vec<(String, String)> = Vec::new();
    // Text and entity references of one element arrive as several events: join them.
    let mut continuing = false;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let piece = match &event {
            Event::Text(t) => Some(t.xml10_content().into_owned()),
            Event::GeneralRef(r) => Some(
                match r.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "?",
                }
                .to_owned(),
            ),
            _ => None,
        };
        if let Some(piece) = piece {
            match out.last_mut() {
                Some((_, text)) if continuing => text.push_str(&piece),
                _ => out.push((stack.join("/"), piece)),
            }
            continuing = true;
            continue;
        }
        if continuing && out.last().is_some_and(|(_, t)| t.trim().is_empty()) {
            out.pop();
        }
        continuing = false;
        match event {
            Event::Start(e) => {
                stack.push(e.name().as_ref().to_owned());
                let path = stack.join("/");
                for a in e.attributes() {
                    let a = a.unwrap();
                    let key = a.key.as_ref().to_owned();
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned();
                    out.push((format!("{path}@{key}"), value));
                }
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_owned();
                out.push((format!("{}/{name}", stack.join("/")), String::new()));
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Texts whose path ends with `suffix`.
pub fn all(xml: &str, suffix: &str) -> Vec<String> {
    texts(xml)
        .into_iter()
        .filter(|(p, _)| p.ends_with(suffix))
        .map(|(_, t)| t)
        .collect()
}

/// The single text whose path ends with `suffix`.
pub fn one(xml: &str, suffix: &str) -> String {
    let found = all(xml, suffix);
    assert_eq!(found.len(), 1, "expected one `{suffix}`, found {found:?}");
    found.into_iter().next().unwrap()
}

/// Whether an element path ending with `suffix` exists (text, attribute or empty element).
pub fn has(xml: &str, suffix: &str) -> bool {
    texts(xml)
        .iter()
        .any(|(p, _)| p.ends_with(suffix) || p.contains(&format!("{suffix}/")))
}

/// Paths of elements without any child or text (`<a/>` or `<a></a>`).
pub fn empty_elements(xml: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                if let Some(parent) = stack.last_mut() {
                    parent.1 = true;
                }
                stack.push((e.name().as_ref().to_owned(), false));
            }
            Event::Empty(e) => {
                if let Some(parent) = stack.last_mut() {
                    parent.1 = true;
                }
                let name = e.name().as_ref().to_owned();
                let path: Vec<&str> = stack.iter().map(|(n, _)| n.as_str()).collect();
                out.push(format!("{}/{name}", path.join("/")));
            }
            Event::Text(t) => {
                if !t.xml10_content().trim().is_empty()
                    && let Some(top) = stack.last_mut()
                {
                    top.1 = true;
                }
            }
            Event::GeneralRef(_) => {
                if let Some(top) = stack.last_mut() {
                    top.1 = true;
                }
            }
            Event::End(_) => {
                let path: Vec<&str> = stack.iter().map(|(n, _)| n.as_str()).collect();
                let joined = path.join("/");
                if let Some((_, had_content)) = stack.pop()
                    && !had_content
                {
                    out.push(joined);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}
