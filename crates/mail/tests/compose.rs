//! Composed messages, byte for byte (insta snapshots with a fixed date; boundaries derive from
//! the Message-ID), and the properties readers and mail clients rely on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/facts.rs"]
mod facts;

use std::collections::BTreeMap;

use encaisse_core::language::Language;
use encaisse_mail::{
    Composer, Jurisdiction, MailKind, MessageRef, MessageTopic, ReminderLevel, Sender, TemplateSet,
};
use facts::{FactsBuilder, INVOICE, ORG, composer, mailbox};

fn raw(m: &encaisse_mail::OutgoingMessage) -> String {
    String::from_utf8(m.raw().to_vec()).unwrap()
}

#[test]
fn french_invoice_with_its_pdf() {
    let m = composer()
        .compose(&FactsBuilder::invoice().build())
        .unwrap();
    insta::assert_snapshot!("fr_invoice", raw(&m));
}

#[test]
fn french_final_notice_states_penalties_and_the_40_euro_indemnity() {
    let m = composer()
        .compose(
            &FactsBuilder::invoice()
                .kind(MailKind::Reminder(ReminderLevel::Final))
                .date(2026, 5, 15)
                .attachments(vec![])
                .build(),
        )
        .unwrap();
    assert!(m.text.contains("L441-10"), "{}", m.text);
    assert!(
        m.text
            .contains("indemnité forfaitaire pour frais de recouvrement de 40 €")
    );
    assert!(m.text.contains("45 jours de retard"), "{}", m.text);
    insta::assert_snapshot!("fr_final_notice", raw(&m));
}

#[test]
fn swiss_german_reminders_follow_the_mahnung_levels() {
    let subject = |level| {
        composer()
            .compose(
                &FactsBuilder::invoice()
                    .language(Language::De)
                    .jurisdiction(Jurisdiction::Switzerland)
                    .chf()
                    .kind(MailKind::Reminder(level))
                    .build(),
            )
            .unwrap()
    };
    assert!(
        subject(ReminderLevel::Friendly)
            .subject
            .starts_with("Zahlungserinnerung")
    );
    assert!(
        subject(ReminderLevel::Firm)
            .subject
            .starts_with("1. Mahnung")
    );
    let last = subject(ReminderLevel::Final);
    assert!(last.subject.starts_with("Letzte Mahnung"));
    assert!(last.text.contains("Art. 104 OR"), "{}", last.text);
    assert!(last.text.contains("Betreibung"));
    assert!(!last.text.contains("40 €"));
    // Swiss number format.
    assert!(last.text.contains("CHF\u{a0}2'000.00"), "{}", last.text);
    insta::assert_snapshot!("ch_de_final_notice_text", last.text);
}

#[test]
fn english_approval_request() {
    let m = composer()
        .compose(
            &FactsBuilder::invoice()
                .language(Language::En)
                .kind(MailKind::ApprovalRequest)
                .approver("Ana", "Bob")
                .attachments(vec![])
                .build(),
        )
        .unwrap();
    assert_eq!(
        m.subject,
        "To approve: invoice of €1,234.56 for Brasserie Müller & Fils"
    );
    insta::assert_snapshot!("en_approval_html", m.html);
}

#[test]
fn accented_names_and_subjects_are_rfc2047_encoded() {
    let m = composer()
        .compose(&FactsBuilder::invoice().build())
        .unwrap();
    let text = raw(&m);
    let headers = text.split("\r\n\r\n").next().unwrap();
    assert!(headers.is_ascii(), "headers must be 7-bit: {headers}");
    assert!(
        headers.contains("Subject: Facture FA-2026-0042 =?utf-8?"),
        "{headers}"
    );
    assert!(headers.contains("From: =?utf-8?"), "{headers}");
    assert!(m.subject.contains("Société"));
}

#[test]
fn reminders_stay_in_the_invoice_thread() {
    let c = composer();
    let invoice = c.compose(&FactsBuilder::invoice().build()).unwrap();
    let third = c
        .compose(
            &FactsBuilder::invoice()
                .kind(MailKind::Reminder(ReminderLevel::Final))
                .build(),
        )
        .unwrap();
    let root = invoice.message_id.clone();
    assert_eq!(root.topic, MessageTopic::Invoice);
    assert_eq!(third.references[0], root);
    assert_eq!(third.references.len(), 3);
    assert_eq!(third.in_reply_to.as_ref().unwrap().n, 2);
    let text = raw(&third);
    assert!(text.contains(&format!("References: {}", root)), "{text}");
    assert!(text.contains("In-Reply-To: <rem."), "{text}");
    assert!(text.contains("Reply-To: =?utf-8?"), "{text}");
    // The Message-ID parses back to the organization and the invoice.
    let parsed: MessageRef = third.message_id.to_string().parse().unwrap();
    assert_eq!(
        (parsed.organization_id, parsed.document_id, parsed.n),
        (ORG, INVOICE, 3)
    );
}

#[test]
fn composing_twice_gives_the_same_bytes() {
    let f = FactsBuilder::invoice().build();
    assert_eq!(
        composer().compose(&f).unwrap().raw(),
        composer().compose(&f).unwrap().raw()
    );
}

#[test]
fn an_organization_can_override_a_template_and_variables_are_escaped_in_html() {
    let templates = TemplateSet::with_overrides(BTreeMap::from([(
        "en/invoice.txt".to_owned(),
        "{% block subject %}Bill {{ invoice_number }}{% endblock %}{% block body %}Hi {{ client_name }}, pay {{ amount }} by {{ due_date }}.{% endblock %}".to_owned(),
    )]))
    .unwrap();
    let c = Composer::new(Sender::new(mailbox("a@b.example"), None), templates);
    let m = c
        .compose(&FactsBuilder::invoice().language(Language::En).build())
        .unwrap();
    assert_eq!(m.subject, "Bill FA-2026-0042");
    assert_eq!(
        m.text,
        "Hi Brasserie Müller & Fils, pay €1,234.56 by 2026-03-31.\n"
    );
    assert!(m.html.contains("Müller &amp; Fils"), "{}", m.html);
    // Other kinds and languages keep the shipped text.
    let fr = c.compose(&FactsBuilder::invoice().build()).unwrap();
    assert!(fr.subject.starts_with("Facture"));
}

#[test]
fn a_message_without_recipient_is_refused() {
    let err = composer()
        .compose(&FactsBuilder::invoice().to(&[]).build())
        .unwrap_err();
    assert!(err.to_string().contains("no recipient"));
}
