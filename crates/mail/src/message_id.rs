//! The `Message-ID` of every message encaisse sends encodes what it is about, so that a reply
//! or a bounce that quotes it (`In-Reply-To`, `References`, a DSN's original headers) leads
//! back to the organization and the document without a lookup table:
//! `<{kind}.{document_uuid}.{n}.{organization_uuid}@{domain}>`.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// What a message is about, as its `Message-ID` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageTopic {
    /// An invoice sent to its client (`inv`).
    Invoice,
    /// A credit note sent to its client (`cn`).
    CreditNote,
    /// A payment reminder of an invoice (`rem`); `n` is the reminder level.
    Reminder,
    /// An approval request sent to an approver about a draft (`apr`).
    Approval,
}

impl MessageTopic {
    pub fn tag(self) -> &'static str {
        match self {
            MessageTopic::Invoice => "inv",
            MessageTopic::CreditNote => "cn",
            MessageTopic::Reminder => "rem",
            MessageTopic::Approval => "apr",
        }
    }

    fn from_tag(tag: &str) -> Option<MessageTopic> {
        Some(match tag {
            "inv" => MessageTopic::Invoice,
            "cn" => MessageTopic::CreditNote,
            "rem" => MessageTopic::Reminder,
            "apr" => MessageTopic::Approval,
            _ => return None,
        })
    }
}

/// A parsed encaisse `Message-ID`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MessageRef {
    pub topic: MessageTopic,
    /// The invoice, credit note or draft the message is about.
    pub document_id: Uuid,
    /// Which message of that document and topic: the reminder level, or the send number
    /// (1 for the first send of an invoice, 2 for a re-send…). Retries of one send keep it,
    /// so a message delivered twice carries the same `Message-ID`.
    pub n: u32,
    pub organization_id: Uuid,
    /// The right-hand side: the sending domain.
    pub domain: String,
}

/// A `Message-ID` that encaisse did not write.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an encaisse Message-ID (expected <kind.document-uuid.n.organization-uuid@domain>)"
)]
pub struct NotOurMessageId(pub String);

impl MessageRef {
    /// The header value, angle brackets included.
    pub fn header_value(&self) -> String {
        self.to_string()
    }

    /// The `Message-ID` of the first message of the invoice's thread (the invoice itself,
    /// first send): what reminders name in `In-Reply-To`/`References`.
    pub fn thread_root(&self) -> MessageRef {
        MessageRef {
            topic: MessageTopic::Invoice,
            n: 1,
            ..self.clone()
        }
    }
}

impl fmt::Display for MessageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<{}.{}.{}.{}@{}>",
            self.topic.tag(),
            self.document_id.as_hyphenated(),
            self.n,
            self.organization_id.as_hyphenated(),
            self.domain
        )
    }
}

impl FromStr for MessageRef {
    type Err = NotOurMessageId;

    /// Accepts the value with or without angle brackets and surrounding spaces.
    fn from_str(s: &str) -> Result<MessageRef, NotOurMessageId> {
        let err = || NotOurMessageId(s.to_owned());
        let t = s.trim();
        let t = t
            .strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .unwrap_or(t);
        let (left, domain) = t.split_once('@').ok_or_else(err)?;
        if domain.is_empty() || domain.contains(['<', '>', '@', ' ']) {
            return Err(err());
        }
        let mut parts = left.split('.');
        let (Some(tag), Some(doc), Some(n), Some(org), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(err());
        };
        Ok(MessageRef {
            topic: MessageTopic::from_tag(tag).ok_or_else(err)?,
            document_id: Uuid::parse_str(doc).map_err(|_| err())?,
            n: n.parse().map_err(|_| err())?,
            organization_id: Uuid::parse_str(org).map_err(|_| err())?,
            domain: domain.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> MessageRef {
        MessageRef {
            topic: MessageTopic::Reminder,
            document_id: Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0042),
            n: 2,
            organization_id: Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001),
            domain: "mail.example.org".into(),
        }
    }

    #[test]
    fn a_message_id_round_trips() {
        let id = sample();
        let text = id.to_string();
        assert_eq!(
            text,
            "<rem.01930000-0000-7000-8000-000000000042.2.01930000-0000-7000-8000-000000000001@mail.example.org>"
        );
        assert_eq!(text.parse::<MessageRef>().unwrap(), id);
        assert_eq!(
            text.trim_matches(['<', '>']).parse::<MessageRef>().unwrap(),
            id
        );
    }

    #[test]
    fn the_thread_root_is_the_first_send_of_the_invoice() {
        let root = sample().thread_root();
        assert_eq!(root.topic, MessageTopic::Invoice);
        assert_eq!(root.n, 1);
        assert_eq!(root.document_id, sample().document_id);
    }

    #[test]
    fn foreign_message_ids_are_refused() {
        for bad in [
            "<CAF=abc@mail.gmail.com>",
            "<inv.not-a-uuid.1.01930000-0000-7000-8000-000000000001@x>",
            "<xyz.01930000-0000-7000-8000-000000000042.1.01930000-0000-7000-8000-000000000001@x>",
            "<inv.01930000-0000-7000-8000-000000000042.1.01930000-0000-7000-8000-000000000001@>",
            "<inv.01930000-0000-7000-8000-000000000042.1.01930000-0000-7000-8000-000000000001.9@x>",
            "",
        ] {
            assert!(bad.parse::<MessageRef>().is_err(), "{bad}");
        }
    }
}
