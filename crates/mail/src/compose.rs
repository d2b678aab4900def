//! Composing: from the facts of an invoice (or a draft awaiting approval) to a complete
//! RFC 5322 message built with lettre — text and HTML from the templates, the Factur-X PDF
//! attached, a `Message-ID` that names the organization and the document, `In-Reply-To` and
//! `References` that keep reminders in the invoice's thread, `Reply-To` to the monitored
//! mailbox, RFC 2047 encoded names and subjects.
//!
//! Composing is deterministic: the same facts give the same bytes (the date is a parameter
//! and the MIME boundaries derive from the `Message-ID`), so a message re-composed after a
//! crash is the message that may already have left.

use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::Money;
use encaisse_core::language::Language;
use encaisse_documents::pdf::locale::Locale;
use lettre::address::Envelope;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::message_id::{MessageRef, MessageTopic};
use crate::templates::{TemplateError, TemplateSet};

/// How firm a reminder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReminderLevel {
    /// Level 1: a friendly reminder (Zahlungserinnerung).
    Friendly = 1,
    /// Level 2: a firm reminder (1. Mahnung).
    Firm = 2,
    /// Level 3: the final notice (mise en demeure, letzte Mahnung).
    Final = 3,
}

impl ReminderLevel {
    pub fn number(self) -> u32 {
        self as u32
    }
}

/// What a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MailKind {
    Invoice,
    CreditNote,
    Reminder(ReminderLevel),
    /// A draft awaits the recipient's approval.
    ApprovalRequest,
}

impl MailKind {
    pub const ALL: [MailKind; 6] = [
        MailKind::Invoice,
        MailKind::CreditNote,
        MailKind::Reminder(ReminderLevel::Friendly),
        MailKind::Reminder(ReminderLevel::Firm),
        MailKind::Reminder(ReminderLevel::Final),
        MailKind::ApprovalRequest,
    ];

    /// The template file name without language and extension.
    pub fn template_stem(self) -> &'static str {
        match self {
            MailKind::Invoice => "invoice",
            MailKind::CreditNote => "credit_note",
            MailKind::Reminder(ReminderLevel::Friendly) => "reminder_1",
            MailKind::Reminder(ReminderLevel::Firm) => "reminder_2",
            MailKind::Reminder(ReminderLevel::Final) => "reminder_3",
            MailKind::ApprovalRequest => "approval",
        }
    }

    fn topic(self) -> MessageTopic {
        match self {
            MailKind::Invoice => MessageTopic::Invoice,
            MailKind::CreditNote => MessageTopic::CreditNote,
            MailKind::Reminder(_) => MessageTopic::Reminder,
            MailKind::ApprovalRequest => MessageTopic::Approval,
        }
    }
}

/// Whose law the wording of the final notice follows (the seller's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jurisdiction {
    /// French penalties and the 40 € recovery indemnity (Code de commerce L441-10, D441-5).
    France,
    /// Swiss default interest (CO art. 104) and debt enforcement; Swiss number formats.
    Switzerland,
    Other,
}

impl Jurisdiction {
    /// From an ISO 3166 country code.
    pub fn from_country(code: &str) -> Jurisdiction {
        match code.trim().to_ascii_uppercase().as_str() {
            "FR" => Jurisdiction::France,
            "CH" | "LI" => Jurisdiction::Switzerland,
            _ => Jurisdiction::Other,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Jurisdiction::France => "FR",
            Jurisdiction::Switzerland => "CH",
            Jurisdiction::Other => "",
        }
    }
}

/// A file attached to a message; the bytes are shared, not copied, between messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Arc<[u8]>,
}

impl Attachment {
    pub fn pdf(filename: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Attachment {
        Attachment {
            filename: filename.into(),
            content_type: "application/pdf".into(),
            bytes: bytes.into(),
        }
    }
}

/// Who sends: the organization's `From`, the monitored mailbox replies go to, and the domain
/// of the `Message-ID`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sender {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub message_id_domain: String,
}

impl Sender {
    /// The `Message-ID` domain defaults to the `From` address's domain.
    pub fn new(from: Mailbox, reply_to: Option<Mailbox>) -> Sender {
        let message_id_domain = from.email.domain().to_owned();
        Sender {
            from,
            reply_to,
            message_id_domain,
        }
    }
}

/// The facts a message is written from; the caller (the outbox worker, dunning) fills them.
#[derive(Clone, Debug)]
pub struct MailFacts {
    pub kind: MailKind,
    pub language: Language,
    pub jurisdiction: Jurisdiction,
    pub organization_id: Uuid,
    pub organization_name: String,
    /// The invoice, credit note or draft.
    pub document_id: Uuid,
    /// Its number (a draft's label for an approval request).
    pub document_number: String,
    pub client_name: String,
    /// The document's total.
    pub amount: Money,
    /// What remains to pay (reminders).
    pub outstanding: Money,
    pub due_date: NaiveDate,
    /// The public "view your invoice" page (or the approval page), when tracking is on.
    pub view_url: Option<String>,
    /// The late-payment penalty rate in percent stated on the invoice (French final notice).
    pub penalty_rate: Option<Decimal>,
    /// Approval requests: the approver's name and who submitted the draft.
    pub recipient_name: Option<String>,
    pub submitted_by: Option<String>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// Which send of this document (1 the first; a deliberate re-send takes the next number).
    /// Reminders use their level instead.
    pub send_number: u32,
    /// The Gmail thread of the invoice's first message, from its receipt (reminders).
    pub gmail_thread_id: Option<String>,
    pub attachments: Vec<Attachment>,
    /// The `Date:` of the message.
    pub date: DateTime<Utc>,
}

/// A message ready for any transport: the structured parts (Graph's JSON needs them) and the
/// formatted RFC 5322 bytes (SMTP, Gmail, Graph's MIME upload and files send those).
#[derive(Clone, Debug)]
pub struct OutgoingMessage {
    pub message_id: MessageRef,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
    pub in_reply_to: Option<MessageRef>,
    pub references: Vec<MessageRef>,
    pub gmail_thread_id: Option<String>,
    raw: Vec<u8>,
    envelope: Envelope,
}

impl OutgoingMessage {
    /// The whole message as it goes on the wire.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// `MAIL FROM` and `RCPT TO`.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }
}

/// A message that cannot be composed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("the message has no recipient; give the client an e-mail address")]
    NoRecipient,
    #[error("the message could not be built: {0}")]
    Build(String),
}

/// Writes messages with one organization's sender and templates.
#[derive(Debug)]
pub struct Composer {
    sender: Sender,
    templates: TemplateSet,
}

impl Composer {
    pub fn new(sender: Sender, templates: TemplateSet) -> Composer {
        Composer { sender, templates }
    }

    pub fn sender(&self) -> &Sender {
        &self.sender
    }

    /// The `Message-ID` a message with these facts gets.
    pub fn message_id(&self, facts: &MailFacts) -> MessageRef {
        let n = match facts.kind {
            MailKind::Reminder(level) => level.number(),
            _ => facts.send_number.max(1),
        };
        MessageRef {
            topic: facts.kind.topic(),
            document_id: facts.document_id,
            n,
            organization_id: facts.organization_id,
            domain: self.sender.message_id_domain.clone(),
        }
    }

    /// Composes the message.
    pub fn compose(&self, facts: &MailFacts) -> Result<OutgoingMessage, ComposeError> {
        if facts.to.is_empty() {
            return Err(ComposeError::NoRecipient);
        }
        let message_id = self.message_id(facts);
        let (in_reply_to, references) = thread_of(facts, &message_id);
        let rendered = self
            .templates
            .render(facts.kind, facts.language, &variables(facts))?;

        let mut b = lettre::Message::builder()
            .from(self.sender.from.clone())
            .subject(rendered.subject.clone())
            .date(SystemTime::from(facts.date))
            .message_id(Some(message_id.header_value()));
        if let Some(r) = &self.sender.reply_to {
            b = b.reply_to(r.clone());
        }
        for m in &facts.to {
            b = b.to(m.clone());
        }
        for m in &facts.cc {
            b = b.cc(m.clone());
        }
        if let Some(r) = &in_reply_to {
            b = b.in_reply_to(r.header_value());
        }
        if !references.is_empty() {
            let refs = references
                .iter()
                .map(MessageRef::header_value)
                .collect::<Vec<_>>()
                .join(" ");
            b = b.references(refs);
        }

        let boundary = boundary_seed(&message_id);
        let alternative = MultiPart::alternative()
            .boundary(format!("=_alt_{boundary}"))
            .singlepart(SinglePart::plain(rendered.text.clone()))
            .singlepart(SinglePart::html(rendered.html.clone()));
        let body = if facts.attachments.is_empty() {
            alternative
        } else {
            let mut mixed = MultiPart::mixed()
                .boundary(format!("=_mix_{boundary}"))
                .multipart(alternative);
            for a in &facts.attachments {
                let ct = ContentType::parse(&a.content_type)
                    .map_err(|e| ComposeError::Build(format!("{}: {e}", a.content_type)))?;
                mixed = mixed.singlepart(
                    lettre::message::Attachment::new(a.filename.clone()).body(a.bytes.to_vec(), ct),
                );
            }
            mixed
        };
        let message = b
            .multipart(body)
            .map_err(|e| ComposeError::Build(e.to_string()))?;
        Ok(OutgoingMessage {
            message_id,
            from: self.sender.from.clone(),
            reply_to: self.sender.reply_to.clone(),
            to: facts.to.clone(),
            cc: facts.cc.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            attachments: facts.attachments.clone(),
            in_reply_to,
            references,
            gmail_thread_id: facts.gmail_thread_id.clone(),
            envelope: message.envelope().clone(),
            raw: message.formatted(),
        })
    }
}

/// Reminders answer the invoice's first message and name the earlier reminders, so that
/// every client groups them in one conversation.
fn thread_of(facts: &MailFacts, id: &MessageRef) -> (Option<MessageRef>, Vec<MessageRef>) {
    let MailKind::Reminder(level) = facts.kind else {
        return (None, Vec::new());
    };
    let mut refs = vec![id.thread_root()];
    refs.extend((1..level.number()).map(|n| MessageRef { n, ..id.clone() }));
    (refs.last().cloned(), refs)
}

/// Hex digits derived from the `Message-ID`: boundaries are stable for one message and
/// cannot occur in base64 or quoted-printable content (they start with `=_`).
fn boundary_seed(id: &MessageRef) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.to_string().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The variables every template sees (documented in docs/mail.md).
fn variables(f: &MailFacts) -> minijinja::Value {
    let locale = Locale {
        language: f.language,
        swiss: f.jurisdiction == Jurisdiction::Switzerland,
    };
    let days_overdue = (f.date.date_naive() - f.due_date).num_days().max(0);
    let level = match f.kind {
        MailKind::Reminder(l) => l.number(),
        _ => 0,
    };
    minijinja::context! {
        client_name => &f.client_name,
        invoice_number => &f.document_number,
        amount => locale.money(&f.amount),
        outstanding => locale.money(&f.outstanding),
        currency => f.amount.currency().to_string(),
        due_date => locale.date(f.due_date),
        view_url => &f.view_url,
        organization => &f.organization_name,
        level => level,
        days_overdue => days_overdue,
        jurisdiction => f.jurisdiction.code(),
        penalty_rate => f.penalty_rate.map(|r| locale.percent(r)),
        recipient_name => &f.recipient_name,
        submitted_by => &f.submitted_by,
    }
}
