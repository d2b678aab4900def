//! What can go wrong when reading a statement file; every error says where and what was
//! expected, so a user can open the file and fix it (or send it to us).

use std::fmt;

use crate::model::Format;

/// Where in the file a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A 1-based line of a text format (MT940, OFX, CSV; also malformed XML).
    Line(usize),
    /// An XPath-like element path in a camt document, e.g.
    /// `/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt`.
    Path(String),
    /// The file as a whole.
    File,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Path(p) => f.write_str(p),
            Location::File => f.write_str("file"),
        }
    }
}

/// Why a statement file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error(
        "unrecognised file: expected a camt.052/053/054 XML document, an MT940 statement, an OFX file or a CSV export"
    )]
    UnrecognisedFormat,
    #[error(
        "the CSV file matches no known bank export (Qonto, PostFinance, UBS): give a column mapping"
    )]
    CsvMappingNeeded,
    #[error("{format} {location}: expected {expected}{}", found_suffix(.found))]
    Invalid {
        format: Format,
        location: Location,
        expected: String,
        found: Option<String>,
    },
}

fn found_suffix(found: &Option<String>) -> String {
    match found {
        Some(f) => format!(", found `{}`", shorten(f)),
        None => String::new(),
    }
}

/// Keeps messages readable when the offending text is a whole line of garbage.
fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

impl ImportError {
    pub(crate) fn at_line(
        format: Format,
        line: usize,
        expected: impl Into<String>,
        found: Option<&str>,
    ) -> Self {
        ImportError::Invalid {
            format,
            location: Location::Line(line),
            expected: expected.into(),
            found: found.map(str::to_owned),
        }
    }

    pub(crate) fn at_path(
        format: Format,
        path: impl Into<String>,
        expected: impl Into<String>,
        found: Option<&str>,
    ) -> Self {
        ImportError::Invalid {
            format,
            location: Location::Path(path.into()),
            expected: expected.into(),
            found: found.map(str::to_owned),
        }
    }

    pub(crate) fn in_file(format: Format, expected: impl Into<String>) -> Self {
        ImportError::Invalid {
            format,
            location: Location::File,
            expected: expected.into(),
            found: None,
        }
    }

    /// Where the problem is, when the error points into the file.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ImportError::Invalid { location, .. } => Some(location),
            _ => None,
        }
    }
}
