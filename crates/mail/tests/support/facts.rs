//! A builder of message facts for the tests (and the bench).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use encaisse_core::language::Language;
use encaisse_core::{Currency, Money};
use encaisse_mail::{
    Attachment, Composer, Jurisdiction, MailFacts, MailKind, Mailbox, Sender, TemplateSet,
};
use rust_decimal_macros::dec;
use uuid::Uuid;

pub const ORG: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001);
pub const INVOICE: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0042);

pub fn mailbox(s: &str) -> Mailbox {
    s.parse().unwrap()
}

pub fn composer() -> Composer {
    Composer::new(
        Sender::new(
            mailbox("Société Générale d'Études <factures@etudes.example>"),
            Some(mailbox("Comptabilité <compta@etudes.example>")),
        ),
        TemplateSet::builtin(),
    )
}

/// A fake PDF of `len` bytes (every byte value appears, so encodings are exercised).
pub fn pdf_bytes(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.extend((0..len.saturating_sub(9)).map(|i| (i * 7 % 256) as u8));
    v
}

pub struct FactsBuilder(MailFacts);

impl FactsBuilder {
    pub fn invoice() -> FactsBuilder {
        FactsBuilder(MailFacts {
            kind: MailKind::Invoice,
            language: Language::Fr,
            jurisdiction: Jurisdiction::France,
            organization_id: ORG,
            organization_name: "Société Générale d'Études".into(),
            document_id: INVOICE,
            document_number: "FA-2026-0042".into(),
            client_name: "Brasserie Müller & Fils".into(),
            amount: Money::new(dec!(1234.56), Currency::EUR),
            outstanding: Money::new(dec!(1234.56), Currency::EUR),
            due_date: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            view_url: Some("https://pay.etudes.example/v/k3Jx9".into()),
            penalty_rate: None,
            recipient_name: None,
            submitted_by: None,
            to: vec![mailbox("Hélène Müller <helene@brasserie.example>")],
            cc: vec![],
            send_number: 1,
            gmail_thread_id: None,
            attachments: vec![Attachment::pdf("FA-2026-0042.pdf", pdf_bytes(2048))],
            date: Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
        })
    }

    pub fn kind(mut self, k: MailKind) -> Self {
        self.0.kind = k;
        self
    }
    pub fn language(mut self, l: Language) -> Self {
        self.0.language = l;
        self
    }
    pub fn jurisdiction(mut self, j: Jurisdiction) -> Self {
        self.0.jurisdiction = j;
        self
    }
    pub fn chf(mut self) -> Self {
        self.0.amount = Money::new(dec!(4321.05), Currency::CHF);
        self.0.outstanding = Money::new(dec!(2000), Currency::CHF);
        self
    }
    pub fn date(mut self, y: i32, m: u32, d: u32) -> Self {
        self.0.date = Utc.with_ymd_and_hms(y, m, d, 8, 0, 0).unwrap();
        self
    }
    pub fn to(mut self, to: &[&str]) -> Self {
        self.0.to = to.iter().map(|s| mailbox(s)).collect();
        self
    }
    pub fn document(mut self, id: Uuid, number: &str) -> Self {
        self.0.document_id = id;
        self.0.document_number = number.into();
        self
    }
    pub fn attachments(mut self, a: Vec<Attachment>) -> Self {
        self.0.attachments = a;
        self
    }
    pub fn gmail_thread(mut self, t: &str) -> Self {
        self.0.gmail_thread_id = Some(t.into());
        self
    }
    pub fn approver(mut self, name: &str, by: &str) -> Self {
        self.0.recipient_name = Some(name.into());
        self.0.submitted_by = Some(by.into());
        self
    }
    pub fn build(self) -> MailFacts {
        self.0
    }
}
