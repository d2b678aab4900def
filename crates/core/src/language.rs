//! The languages encaisse speaks to people: French, English and German.

use serde::{Deserialize, Serialize};

/// A user-facing language. Documents, e-mails and the UI exist in each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Fr,
    En,
    De,
}

impl Language {
    /// Parses `fr`, `fr-CH`, `de_DE`, `English`… taking the primary subtag.
    pub fn parse(tag: &str) -> Option<Language> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" | "french" | "français" | "francais" => Some(Language::Fr),
            "en" | "english" | "anglais" => Some(Language::En),
            "de" | "german" | "deutsch" | "allemand" => Some(Language::De),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
            Language::De => "de",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_locale_tags() {
        assert_eq!(Language::parse("fr-CH"), Some(Language::Fr));
        assert_eq!(Language::parse("de_DE"), Some(Language::De));
        assert_eq!(Language::parse("EN"), Some(Language::En));
        assert_eq!(Language::parse("it"), None);
    }
}
