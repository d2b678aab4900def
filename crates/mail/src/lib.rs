//! # encaisse-mail — invoices and reminders, written and delivered
//!
//! Owns e-mail:
//! - [`compose`]: MIME messages built with lettre from per-language templates ([`templates`],
//!   FR/EN/DE, overridable per organization, sandboxed minijinja) — invoices, credit notes,
//!   reminder levels 1–3, approval requests — with the PDF attached, a [`message_id`] that
//!   encodes organization and document, threading headers and `Reply-To`;
//! - [`transport`]: one [`Transport`] trait and its implementations: [`smtp`] (lettre,
//!   rustls/ring, pooled), [`graph`] (Microsoft Graph: create then send, upload sessions,
//!   4 requests per mailbox), [`gmail`] (Gmail API raw send with `threadId`), [`file`] (.eml);
//! - [`config`]: the `mail.*` keys, [`build_transport`], and [`diagnose`] for `encaisse mail test`.
//!
//! Invariants:
//! - composing is deterministic (date given, boundaries derived from the `Message-ID`): the
//!   same facts give the same bytes, so a re-sent message carries the same `Message-ID`;
//! - every failure is [`SendError::Temporary`] (retry later) or [`SendError::Permanent`] (the
//!   server refused this message), with the server's answer;
//! - passwords and tokens never reach a log, an error or a `Debug` output;
//! - no database and no decision about *whether* to send: the outbox and dunning in
//!   `encaisse-app` decide; this crate writes and delivers.
//!
//! Called by `encaisse-app` (and `encaisse-cli` for `mail test` through it). Depends on
//! `encaisse-core`, `encaisse-documents` (the reader's number and date formats, so amounts
//! print as on the PDF) and `encaisse-connectors` (the HTTP retry transport, shared).

pub mod compose;
pub mod config;
pub mod diagnose;
pub mod file;
pub mod gmail;
pub mod graph;
mod http_api;
pub mod message_id;
pub mod oauth;
pub mod smtp;
pub mod templates;
pub mod transport;

pub use compose::{
    Attachment, ComposeError, Composer, Jurisdiction, MailFacts, MailKind, OutgoingMessage,
    ReminderLevel, Sender,
};
pub use config::{ConfigError, MailConfig, MailTransport, TransportChoice, build_transport};
pub use diagnose::{Diagnosis, Problem, diagnose};
pub use lettre::message::Mailbox;
pub use message_id::{MessageRef, MessageTopic, NotOurMessageId};
pub use templates::{TemplateError, TemplateSet};
pub use transport::{SendError, SendReceipt, Transport, TransportKind};

/// Installs the `ring` TLS provider once (rustls is built without a default one).
pub fn install_tls_provider() {
    encaisse_connectors::transport::install_tls_provider();
}
