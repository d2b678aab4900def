//! The texts of every message, as minijinja templates: the ones shipped in the crate (one per
//! kind and language, under `templates/`) and the ones an organization overrides.
//!
//! A kind's template (`fr/reminder_3.txt`) defines two blocks, `subject` and `body` (plain
//! text, paragraphs separated by blank lines). The HTML part comes from `{lang}/{kind}.html`
//! when an organization provides one, otherwise from `layout.html`, which lays the text's
//! paragraphs out and turns the paragraph holding the "view your invoice" link into a button.
//!
//! Templates are sandboxed: no file system or network access, no loader beyond this set, a
//! fuel limit against runaway loops, and HTML auto-escaping for `.html` templates.

use std::collections::BTreeMap;

use encaisse_core::language::Language;
use minijinja::{Environment, UndefinedBehavior};

use crate::compose::MailKind;

/// Instructions a template may execute per rendering (loops in an override cannot hang us).
const FUEL: u64 = 50_000;

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

/// The templates shipped with encaisse.
const BUILTIN: &[(&str, &str)] = builtin![
    "layout.html",
    "fr/invoice.txt",
    "fr/credit_note.txt",
    "fr/reminder_1.txt",
    "fr/reminder_2.txt",
    "fr/reminder_3.txt",
    "fr/approval.txt",
    "en/invoice.txt",
    "en/credit_note.txt",
    "en/reminder_1.txt",
    "en/reminder_2.txt",
    "en/reminder_3.txt",
    "en/approval.txt",
    "de/invoice.txt",
    "de/credit_note.txt",
    "de/reminder_1.txt",
    "de/reminder_2.txt",
    "de/reminder_3.txt",
    "de/approval.txt",
];

/// A template that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "template `{name}` is not one encaisse uses; name it `{{fr|en|de}}/{{kind}}.txt`, `{{fr|en|de}}/{{kind}}.html` or `layout.html` with kind one of invoice, credit_note, reminder_1, reminder_2, reminder_3, approval"
    )]
    UnknownName { name: String },
    #[error(
        "template `{name}` does not compile: {detail}; fix the template (see docs/mail.md for the variables)"
    )]
    Syntax { name: String, detail: String },
    #[error(
        "template `{name}` must define the block `{block}` ({{% block {block} %}}…{{% endblock %}})"
    )]
    MissingBlock { name: String, block: &'static str },
    #[error(
        "template `{name}` failed to render: {detail}; check the variables it uses against docs/mail.md"
    )]
    Render { name: String, detail: String },
}

/// The shipped templates plus an organization's overrides, compiled once.
#[derive(Debug)]
pub struct TemplateSet {
    env: Environment<'static>,
    html_overrides: Vec<String>,
}

/// What one kind of message says, rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedText {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn is_known_name(name: &str) -> bool {
    if name == "layout.html" {
        return true;
    }
    let Some((lang, file)) = name.split_once('/') else {
        return false;
    };
    let Some((kind, ext)) = file.rsplit_once('.') else {
        return false;
    };
    matches!(lang, "fr" | "en" | "de")
        && matches!(ext, "txt" | "html")
        && MailKind::ALL.iter().any(|k| k.template_stem() == kind)
}

fn new_env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(20);
    env.set_keep_trailing_newline(false);
    env
}

impl TemplateSet {
    /// The shipped templates only.
    pub fn builtin() -> TemplateSet {
        // The shipped templates are compiled by `builtin_templates_compile` in the tests.
        match TemplateSet::with_overrides(BTreeMap::new()) {
            Ok(t) => t,
            Err(e) => unreachable!("shipped templates are tested to compile: {e}"),
        }
    }

    /// The shipped templates with an organization's overrides (name → source). Every override
    /// is checked here: a known name, valid syntax, the blocks a `.txt` needs.
    pub fn with_overrides(
        overrides: BTreeMap<String, String>,
    ) -> Result<TemplateSet, TemplateError> {
        let mut env = new_env();
        for (name, source) in BUILTIN {
            if !overrides.contains_key(*name) {
                env.add_template(name, source)
                    .map_err(|e| TemplateError::Syntax {
                        name: (*name).to_owned(),
                        detail: e.to_string(),
                    })?;
            }
        }
        let mut html_overrides = Vec::new();
        for (name, source) in overrides {
            if !is_known_name(&name) {
                return Err(TemplateError::UnknownName { name });
            }
            if name.ends_with(".txt") {
                for block in ["subject", "body"] {
                    if !source.contains(&format!("block {block}")) {
                        return Err(TemplateError::MissingBlock { name, block });
                    }
                }
            } else if name != "layout.html" {
                html_overrides.push(name.clone());
            }
            env.add_template_owned(name.clone(), source)
                .map_err(|e| TemplateError::Syntax {
                    name: name.clone(),
                    detail: e.to_string(),
                })?;
        }
        Ok(TemplateSet {
            env,
            html_overrides,
        })
    }

    /// Renders the subject, text and HTML of `kind` in `language` with `vars`.
    pub fn render(
        &self,
        kind: MailKind,
        language: Language,
        vars: &minijinja::Value,
    ) -> Result<RenderedText, TemplateError> {
        let name = format!("{}/{}.txt", language.code(), kind.template_stem());
        let render_err = |name: &str, e: minijinja::Error| TemplateError::Render {
            name: name.to_owned(),
            detail: e.to_string(),
        };
        let tmpl = self
            .env
            .get_template(&name)
            .map_err(|e| render_err(&name, e))?;
        let mut captured = tmpl
            .render_captured(vars)
            .map_err(|e| render_err(&name, e))?;
        let (subject, body) = captured
            .with_state_mut(|state| -> Result<_, minijinja::Error> {
                Ok((state.render_block("subject")?, state.render_block("body")?))
            })
            .map_err(|e| render_err(&name, e))?;
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = tidy_text(&body);

        let html_name = format!("{}/{}.html", language.code(), kind.template_stem());
        let view_url = vars
            .get_attr("view_url")
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        let html_vars = minijinja::context! {
            subject => &subject,
            lang => language.code(),
            paragraphs => paragraphs(&text, view_url.as_deref()),
            ..vars.clone()
        };
        let html_tmpl = if self.html_overrides.contains(&html_name) {
            html_name
        } else {
            "layout.html".to_owned()
        };
        let html = self
            .env
            .get_template(&html_tmpl)
            .and_then(|t| t.render(&html_vars))
            .map_err(|e| render_err(&html_tmpl, e))?;
        Ok(RenderedText {
            subject,
            text,
            html,
        })
    }
}

/// Trims the blank lines that `{% if %}` blocks leave and ends with one newline.
fn tidy_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut blank = 0;
    for line in body.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out.push('\n');
    out
}

/// The text's paragraphs for the HTML layout: `{lines, href, label}`; the paragraph that holds
/// the link becomes a button labelled with the words before the URL.
fn paragraphs(text: &str, view_url: Option<&str>) -> Vec<minijinja::Value> {
    text.split("\n\n")
        .map(|p| {
            if let Some(url) = view_url.filter(|u| !u.is_empty() && p.contains(u)) {
                let label = p
                    .split(url)
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_end_matches(':')
                    .trim();
                minijinja::context! { lines => Vec::<String>::new(), href => url, label => label }
            } else {
                minijinja::context! { lines => p.lines().collect::<Vec<_>>(), href => () }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_compile_and_define_both_blocks() {
        let set = TemplateSet::with_overrides(BTreeMap::new()).unwrap();
        for (name, source) in BUILTIN {
            assert!(set.env.get_template(name).is_ok(), "{name}");
            if name.ends_with(".txt") {
                assert!(source.contains("block subject") && source.contains("block body"));
            }
        }
        // Every kind in every language is shipped.
        for lang in ["fr", "en", "de"] {
            for k in MailKind::ALL {
                let name = format!("{lang}/{}.txt", k.template_stem());
                assert!(BUILTIN.iter().any(|(n, _)| *n == name), "{name} missing");
            }
        }
    }

    #[test]
    fn overrides_are_checked_when_loaded() {
        let one = |name: &str, src: &str| {
            TemplateSet::with_overrides(BTreeMap::from([(name.to_owned(), src.to_owned())]))
        };
        assert!(matches!(
            one(
                "fr/unknown.txt",
                "{% block subject %}{% endblock %}{% block body %}{% endblock %}"
            ),
            Err(TemplateError::UnknownName { .. })
        ));
        assert!(matches!(
            one("fr/invoice.txt", "{% block subject %}x{% endblock %}"),
            Err(TemplateError::MissingBlock { block: "body", .. })
        ));
        let err = one(
            "fr/invoice.txt",
            "{% block subject %}{{ x {% endblock %}{% block body %}{% endblock %}",
        )
        .unwrap_err();
        assert!(matches!(err, TemplateError::Syntax { .. }), "{err}");
        assert!(err.to_string().contains("fr/invoice.txt"));
    }

    #[test]
    fn an_endless_loop_in_an_override_runs_out_of_fuel() {
        let set = TemplateSet::with_overrides(BTreeMap::from([(
            "en/invoice.txt".to_owned(),
            "{% block subject %}s{% endblock %}{% block body %}{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}{% endblock %}".to_owned(),
        )]))
        .unwrap();
        let err = set
            .render(MailKind::Invoice, Language::En, &minijinja::context! {})
            .unwrap_err();
        assert!(matches!(err, TemplateError::Render { .. }), "{err}");
    }

    #[test]
    fn text_is_tidied_and_the_link_becomes_a_button() {
        assert_eq!(tidy_text("\nA\n\n\n\nB\nC  \n\n"), "A\n\nB\nC\n");
        let p = paragraphs("Hello\n\nView: https://x/y\n\nBye", Some("https://x/y"));
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].get_attr("label").unwrap().as_str(), Some("View"));
    }
}
