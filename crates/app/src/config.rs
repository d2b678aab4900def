//! Configuration, layered: defaults → `encaisse.toml` → `ENCAISSE_*` environment →
//! `ENCAISSE_*_FILE` (a file holding the value, for secrets) → command-line flags.
//!
//! Nested keys use a double underscore in the environment: `ENCAISSE_SERVER__LISTEN`.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::{AppError, Result};

/// The commented example printed by `encaisse config example`.
pub const EXAMPLE: &str = r#"# encaisse.toml — every key is optional; the values shown are the defaults.
# Each key can also be set in the environment: ENCAISSE_<KEY>, nested keys joined by a double
# underscore (ENCAISSE_SERVER__LISTEN), and secrets from a file with ENCAISSE_<KEY>_FILE
# (ENCAISSE_DATABASE_URL_FILE=/run/secrets/db_url).

# Where encaisse keeps its SQLite database, issued documents and backups.
# data_dir = "~/.local/share/encaisse"

# The database. Default: SQLite in the data directory (sqlite://<data_dir>/encaisse.db).
# Several instances sharing one PostgreSQL:
# database_url = "postgres://encaisse:secret@db.internal:5432/encaisse"

# Time zone in which invoices are dated and "today" is computed (IANA name).
timezone = "Europe/Paris"

# Log filter (tracing syntax): error, warn, info, debug, or per module.
log = "info"

[server]
# Address the web UI and API listen on.
listen = "127.0.0.1:8080"
# Public URL when behind a reverse proxy (used in links and to mark cookies Secure).
# public_url = "https://encaisse.example.com"

[security]
# Browser sessions expire after this many hours.
session_hours = 12

[secrets]
# API keys, OAuth tokens and mailbox passwords are stored sealed (XChaCha20-Poly1305) with this
# key. Default: `secret.key` in the data directory, created on first use — back it up with the
# database. Instances sharing one PostgreSQL must all be given the same key file:
# key_file = "/run/secrets/encaisse.key"     # base64 of 32 bytes: openssl rand -base64 32

# Validation of drafts before they leave: automatic rules and the approval circuit.
# These are the installation's defaults; an owner can change them per organization in the web
# UI (Settings → Validation), which then wins. The format is versioned (docs/validation.md).
[validation]
version = 1

# Severity of each rule: "block" (cannot be submitted or approved), "warn" (shown to the
# approver, no auto-approval) or "off".
# [validation.rules.buyer_identifiers]
# severity = "warn"
# require_siret_in_france = true
# require_uid_in_switzerland = true
# require_vat_id_in_eu = true
# [validation.rules.reverse_charge_vat_id]
# severity = "block"
# [validation.rules.amount_above]
# severity = "warn"
# threshold = 50000
# [validation.rules.unusual_amount]      # more than factor × the median of the last invoices
# severity = "warn"
# factor = 3
# history = 12
# min_history = 3
# [validation.rules.daily_hours]
# severity = "warn"
# max_hours_per_day = 10
# [validation.rules.non_positive_price]
# severity = "warn"
# [validation.rules.duplicate]           # same client, period and amount
# severity = "warn"
# [validation.rules.due_date]
# severity = "warn"
# max_days = 60
# [validation.rules.currency]            # invoice currency differs from the client's
# severity = "warn"
# [validation.rules.purchase_order]      # the client requires a PO number
# severity = "block"
# [validation.rules.stale_time_entries]
# severity = "warn"
# max_age_months = 6

# Who approves: below auto_approve_below (gross, invoice currency) a draft on which no rule
# warns is approved at once; up to single_approver_up_to one approver decides; above, an
# approver then an owner. Nobody approves a draft they created, edited or submitted.
[validation.approval]
auto_approve_below = 1000
single_approver_up_to = 10000
# [[validation.approval.clients]]
# client_id = "0190…"
# auto_approve_below = 0
"#;

/// The web server's settings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub listen: String,
    pub public_url: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
        }
    }
}

/// Authentication settings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    pub session_hours: u32,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig { session_hours: 12 }
    }
}

/// Where the key that seals stored secrets comes from (see `secrets`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct SecretsConfig {
    /// Base64 of 32 bytes. Prefer `key_file` or `ENCAISSE_SECRETS__KEY_FILE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// A file holding the base64 key; default `secret.key` in the data directory.
    pub key_file: Option<PathBuf>,
}

/// The whole configuration.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub timezone: String,
    pub log: String,
    pub server: ServerConfig,
    pub security: SecurityConfig,
    /// Default validation rules and approval policy of the organizations.
    pub validation: encaisse_core::approval::ValidationConfig,
    /// The key sealing API keys, tokens and passwords stored in the database.
    pub secrets: SecretsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: default_data_dir(),
            database_url: None,
            timezone: "Europe/Paris".into(),
            log: "info".into(),
            server: ServerConfig::default(),
            security: SecurityConfig::default(),
            validation: encaisse_core::approval::ValidationConfig::default(),
            secrets: SecretsConfig::default(),
        }
    }
}

fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("encaisse");
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(h) => PathBuf::from(h).join(".local/share/encaisse"),
        None => PathBuf::from("encaisse-data"),
    }
}

const ROOT_KEYS: [&str; 8] = [
    "data_dir",
    "database_url",
    "timezone",
    "log",
    "server",
    "security",
    "validation",
    "secrets",
];

/// Overrides given on the command line (highest precedence).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Config {
    /// Loads the layers. `file` is the `--config` path; without it, `encaisse.toml` in the
    /// data directory is read when present.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config> {
        let base = Figment::from(Serialized::defaults(Config::default()));
        let env = Env::prefixed("ENCAISSE_").split("__").filter(|k| {
            let k = k.as_str();
            !k.ends_with("_file")
                && ROOT_KEYS
                    .iter()
                    .any(|r| k == *r || k.starts_with(&format!("{r}.")))
        });
        // Where is the data dir, before reading a file that may live in it?
        let pre: Config = base
            .clone()
            .merge(env.clone())
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| AppError::Config(e.to_string()))?;
        let file = match file {
            Some(f) => {
                if !f.exists() {
                    return Err(AppError::Config(format!(
                        "config file {} does not exist; create it (see `encaisse config example`) or drop --config",
                        f.display()
                    )));
                }
                Some(f.to_path_buf())
            }
            None => Some(pre.data_dir.join("encaisse.toml")).filter(|p| p.exists()),
        };
        let mut fig = base;
        if let Some(f) = &file {
            fig = fig.merge(Toml::file(f));
        }
        fig = fig
            .merge(env)
            .merge(Serialized::defaults(secret_files()?))
            .merge(Serialized::defaults(overrides));
        let cfg: Config = fig.extract().map_err(|e| {
            AppError::Config(format!(
                "{e}{}; see `encaisse config example` for the keys",
                file.as_ref()
                    .map(|f| format!(" (in {} or the environment)", f.display()))
                    .unwrap_or_default()
            ))
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<()> {
        self.timezone.parse::<chrono_tz::Tz>().map_err(|_| {
            AppError::Config(format!(
                "timezone `{}` is not an IANA time zone such as Europe/Paris or Europe/Zurich",
                self.timezone
            ))
        })?;
        self.validation.validate().map_err(AppError::Config)?;
        if self.security.session_hours == 0 {
            return Err(AppError::Config(
                "security.session_hours must be at least 1".into(),
            ));
        }
        Ok(())
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        // Validated at load; fall back to Paris for hand-built configs.
        self.timezone.parse().unwrap_or(chrono_tz::Europe::Paris)
    }

    /// The database URL: configured, or SQLite in the data directory.
    pub fn database_url(&self) -> Result<String> {
        if let Some(u) = &self.database_url {
            return Ok(u.clone());
        }
        std::fs::create_dir_all(&self.data_dir).map_err(|e| {
            AppError::Config(format!(
                "cannot create the data directory {}: {e}; choose another with --data-dir",
                self.data_dir.display()
            ))
        })?;
        Ok(format!(
            "sqlite://{}",
            self.data_dir.join("encaisse.db").display()
        ))
    }

    /// Cookies get the `Secure` flag when the public URL is HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.server
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

/// `ENCAISSE_<KEY>_FILE=path` → the key's value read from the file (trailing newline removed).
/// Nested keys work the same way: `ENCAISSE_SECRETS__KEY_FILE` sets `secrets.key`.
fn secret_files() -> Result<figment::value::Dict> {
    let mut dict = figment::value::Dict::new();
    for (k, v) in std::env::vars_os() {
        let Some(k) = k.to_str() else { continue };
        let Some(key) = k
            .strip_prefix("ENCAISSE_")
            .and_then(|k| k.strip_suffix("_FILE"))
        else {
            continue;
        };
        let path: Vec<String> = key.split("__").map(str::to_ascii_lowercase).collect();
        if !ROOT_KEYS.contains(&path[0].as_str()) {
            continue;
        }
        let content = std::fs::read_to_string(&v).map_err(|e| {
            AppError::Config(format!(
                "{k} names {}, which cannot be read: {e}",
                PathBuf::from(&v).display()
            ))
        })?;
        let value: figment::value::Value = content.trim_end_matches(['\n', '\r']).to_owned().into();
        insert_nested(&mut dict, &path, value);
    }
    Ok(dict)
}

fn insert_nested(dict: &mut figment::value::Dict, path: &[String], value: figment::value::Value) {
    match path {
        [] => {}
        [last] => {
            dict.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let entry = dict
                .entry(first.clone())
                .or_insert_with(|| figment::value::Dict::new().into());
            if let figment::value::Value::Dict(_, inner) = entry {
                insert_nested(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses_and_equals_defaults_where_shown() {
        let cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(EXAMPLE))
            .extract()
            .unwrap();
        assert_eq!(cfg.server.listen, "127.0.0.1:8080");
        assert_eq!(cfg.timezone, "Europe/Paris");
        assert_eq!(
            cfg.validation,
            encaisse_core::approval::ValidationConfig::default()
        );
    }

    #[test]
    fn validation_rules_are_read_from_the_file() {
        let cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(
                "[validation.rules.amount_above]\nseverity = \"block\"\nthreshold = 20000\n\
                 [validation.approval]\nauto_approve_below = \"500.50\"\n",
            ))
            .extract()
            .unwrap();
        let v = &cfg.validation;
        assert_eq!(
            v.rules.amount_above.threshold,
            rust_decimal::Decimal::from(20_000)
        );
        assert_eq!(
            v.approval.auto_approve_below,
            rust_decimal::Decimal::new(50050, 2)
        );
        assert!(v.validate().is_ok());
        let r: std::result::Result<Config, _> =
            Figment::from(Serialized::defaults(Config::default()))
                .merge(Toml::string(
                    "[validation.rules.amount]\nseverity = \"warn\"\n",
                ))
                .extract();
        assert!(r.unwrap_err().to_string().contains("amount"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let r: std::result::Result<Config, _> =
            Figment::from(Serialized::defaults(Config::default()))
                .merge(Toml::string("[server]\nlisten_on = \"x\"\n"))
                .extract();
        assert!(r.unwrap_err().to_string().contains("listen_on"));
    }

    #[test]
    fn nested_keys_can_come_from_files() {
        let mut d = figment::value::Dict::new();
        insert_nested(
            &mut d,
            &["secrets".into(), "key".into()],
            "abc".to_owned().into(),
        );
        let cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Serialized::defaults(d))
            .extract()
            .unwrap();
        assert_eq!(cfg.secrets.key.as_deref(), Some("abc"));
    }

    #[test]
    fn secure_cookies_follow_the_public_url() {
        let mut c = Config::default();
        assert!(!c.secure_cookies());
        c.server.public_url = Some("https://x.example".into());
        assert!(c.secure_cookies());
    }
}
