//! Secrets at rest: API keys, OAuth tokens and mailbox passwords are stored sealed with
//! XChaCha20-Poly1305 under the installation's secret key, never in clear.
//!
//! A sealed value reads `enc:v1:{key id}:{base64(nonce ‖ ciphertext)}`. The key id (8 hex
//! digits of the key's SHA-256) lets an instance that was given another key say so instead
//! of failing obscurely; the associated data binds a value to its organization and purpose,
//! so a sealed Clockify key copied into another organization's row does not open.
//!
//! The key comes from `secrets.key` (base64 of 32 bytes, also `ENCAISSE_SECRETS__KEY` or
//! `ENCAISSE_SECRETS__KEY_FILE`), else from `secrets.key_file`, else from `secret.key` in the
//! data directory, created (mode 0600) on first use. Several instances sharing PostgreSQL must
//! be given the same key.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Config;
use crate::{AppError, Result};

const PREFIX: &str = "enc:v1:";
const KEY_FILE: &str = "secret.key";

/// What a secret is for; part of the associated data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    ClockifyApiKey,
    QontoApiKey,
    QontoOAuthTokens,
    MailPassword,
    MailOAuthTokens,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::ClockifyApiKey => "clockify.api_key",
            Purpose::QontoApiKey => "qonto.api_key",
            Purpose::QontoOAuthTokens => "qonto.oauth_tokens",
            Purpose::MailPassword => "mail.password",
            Purpose::MailOAuthTokens => "mail.oauth_tokens",
        }
    }
}

/// Seals and opens secrets with the installation key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    key_id: String,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretBox")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl SecretBox {
    /// A box over 32 key bytes.
    pub fn from_key(key: &[u8; 32]) -> SecretBox {
        let digest = Sha256::digest(key);
        SecretBox {
            cipher: XChaCha20Poly1305::new(key.into()),
            key_id: hex::encode(&digest[..4]),
        }
    }

    /// The key of this installation, as the configuration says (see the module docs).
    pub fn load(config: &Config) -> Result<SecretBox> {
        if let Some(b64) = config.secrets.key.as_deref() {
            return parse_key(b64.trim(), "secrets.key");
        }
        let path = config
            .secrets
            .key_file
            .clone()
            .unwrap_or_else(|| config.data_dir.join(KEY_FILE));
        let created_here = config.secrets.key_file.is_none();
        match std::fs::read_to_string(&path) {
            Ok(s) => parse_key(s.trim(), &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && created_here => {
                create_key_file(&path)
            }
            Err(e) => Err(AppError::Config(format!(
                "the secret key file {} cannot be read: {e}; point secrets.key_file to a readable file \
                 holding the base64 of 32 random bytes (`openssl rand -base64 32`)",
                path.display()
            ))),
        }
    }

    /// The key's id (8 hex digits of its SHA-256), safe to show.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Seals `plain` for `organization` and `purpose`.
    pub fn seal(&self, organization: Uuid, purpose: Purpose, plain: &str) -> Result<String> {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let aad = associated_data(organization, purpose);
        let ct = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| AppError::Conflict("sealing a secret failed; try again".into()))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        Ok(format!("{PREFIX}{}:{}", self.key_id, STANDARD.encode(blob)))
    }

    /// Opens a sealed value. A value stored before secrets were sealed (no `enc:` prefix) is
    /// returned as is; [`is_sealed`] tells the caller to seal it again.
    pub fn open(&self, organization: Uuid, purpose: Purpose, stored: &str) -> Result<String> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let (kid, b64) = rest.split_once(':').ok_or_else(|| corrupt(purpose))?;
        if kid != self.key_id {
            return Err(AppError::Config(format!(
                "the stored {} was sealed with secret key {kid}, but this instance uses key {}: \
                 give every instance the same secrets.key_file, or connect the account again",
                purpose.label(),
                self.key_id
            )));
        }
        let blob = STANDARD.decode(b64).map_err(|_| corrupt(purpose))?;
        if blob.len() < 24 {
            return Err(corrupt(purpose));
        }
        let (nonce, ct) = blob.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| corrupt(purpose))?;
        let aad = associated_data(organization, purpose);
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| corrupt(purpose))?;
        String::from_utf8(plain).map_err(|_| corrupt(purpose))
    }
}

/// Whether a stored value is sealed (legacy values were stored in clear).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

fn associated_data(organization: Uuid, purpose: Purpose) -> String {
    format!("encaisse/{organization}/{}", purpose.label())
}

fn corrupt(purpose: Purpose) -> AppError {
    AppError::Conflict(format!(
        "the stored {} cannot be opened (altered, or sealed for another organization); connect the account again",
        purpose.label()
    ))
}

fn parse_key(b64: &str, origin: &str) -> Result<SecretBox> {
    let bytes = STANDARD.decode(b64).ok();
    let key: Option<[u8; 32]> = bytes.and_then(|b| b.try_into().ok());
    key.map(|k| SecretBox::from_key(&k)).ok_or_else(|| {
        AppError::Config(format!(
            "{origin} is not the base64 of 32 bytes; generate one with `openssl rand -base64 32`"
        ))
    })
}

fn create_key_file(path: &Path) -> Result<SecretBox> {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| cannot_write(path, e))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(mut f) => {
            f.write_all(format!("{}\n", STANDARD.encode(key)).as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| cannot_write(path, e))?;
            tracing::info!(path = %path.display(), "created the secret key file; back it up with the database");
            Ok(SecretBox::from_key(&key))
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let s = std::fs::read_to_string(path).map_err(|e| cannot_write(path, e))?;
            parse_key(s.trim(), &path.display().to_string())
        }
        Err(e) => Err(cannot_write(path, e)),
    }
}

fn cannot_write(path: &Path, e: std::io::Error) -> AppError {
    AppError::Config(format!(
        "the secret key file {} cannot be created: {e}; choose a writable --data-dir or set secrets.key_file",
        PathBuf::from(path).display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(b: u8) -> SecretBox {
        SecretBox::from_key(&[b; 32])
    }

    #[test]
    fn a_sealed_secret_opens_and_does_not_show_in_clear() {
        let b = boxed(7);
        let org = Uuid::now_v7();
        let s = b.seal(org, Purpose::ClockifyApiKey, "k3y-ü").unwrap();
        assert!(is_sealed(&s));
        assert!(!s.contains("k3y"));
        assert_eq!(b.open(org, Purpose::ClockifyApiKey, &s).unwrap(), "k3y-ü");
        // Two seals of one value differ (random nonce).
        assert_ne!(s, b.seal(org, Purpose::ClockifyApiKey, "k3y-ü").unwrap());
    }

    #[test]
    fn a_secret_does_not_open_for_another_organization_purpose_or_key() {
        let b = boxed(7);
        let org = Uuid::now_v7();
        let s = b.seal(org, Purpose::ClockifyApiKey, "secret").unwrap();
        assert!(b.open(Uuid::now_v7(), Purpose::ClockifyApiKey, &s).is_err());
        assert!(b.open(org, Purpose::QontoApiKey, &s).is_err());
        let other = boxed(8);
        let e = other
            .open(org, Purpose::ClockifyApiKey, &s)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(b.key_id()) && e.contains("same secrets.key_file"),
            "{e}"
        );
        // A flipped byte is refused.
        let mut t = s.clone().into_bytes();
        let last = t.len() - 3;
        t[last] = if t[last] == b'A' { b'B' } else { b'A' };
        let t = String::from_utf8(t).unwrap();
        assert!(b.open(org, Purpose::ClockifyApiKey, &t).is_err());
    }

    #[test]
    fn legacy_clear_values_open_as_they_are() {
        let b = boxed(1);
        assert_eq!(
            b.open(Uuid::now_v7(), Purpose::ClockifyApiKey, "plain")
                .unwrap(),
            "plain"
        );
        assert!(!is_sealed("plain"));
    }

    #[test]
    fn the_key_file_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let a = SecretBox::load(&cfg).unwrap();
        let b = SecretBox::load(&cfg).unwrap();
        assert_eq!(a.key_id(), b.key_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_configured_key_wins_and_a_bad_one_is_explained() {
        let mut cfg = Config::default();
        cfg.secrets.key = Some(STANDARD.encode([9u8; 32]));
        assert_eq!(SecretBox::load(&cfg).unwrap().key_id(), boxed(9).key_id());
        cfg.secrets.key = Some("c2hvcnQ=".into());
        let e = SecretBox::load(&cfg).unwrap_err().to_string();
        assert!(e.contains("32 bytes"), "{e}");
        let mut cfg = Config::default();
        cfg.secrets.key_file = Some(PathBuf::from("/nonexistent/encaisse.key"));
        let e = SecretBox::load(&cfg).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/encaisse.key"), "{e}");
    }
}
