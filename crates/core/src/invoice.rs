//! Invoices and credit notes, and their lifecycle as explicit transitions.
//!
//! `Draft → PendingApproval → Approved → Issued → Sent → PartiallyPaid → Paid`,
//! `PendingApproval → Rejected → Draft`, `Approved → Draft` (withdrawn for edits),
//! `WrittenOff` for the uncollectable, `Cancelled` only by a credit note. `Disputed` is a flag
//! beside the status (it pauses dunning), not a status. An invalid transition is an error.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::{Currency, Money, MoneyError};
use crate::reference::PaymentReference;
use crate::totals::{self, LineInput, Totals, TotalsError};
use crate::vat::VatRate;

/// Where an invoice is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    PendingApproval,
    Rejected,
    Approved,
    Issued,
    Sent,
    PartiallyPaid,
    Paid,
    WrittenOff,
    Cancelled,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 10] = [
        InvoiceStatus::Draft,
        InvoiceStatus::PendingApproval,
        InvoiceStatus::Rejected,
        InvoiceStatus::Approved,
        InvoiceStatus::Issued,
        InvoiceStatus::Sent,
        InvoiceStatus::PartiallyPaid,
        InvoiceStatus::Paid,
        InvoiceStatus::WrittenOff,
        InvoiceStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::PendingApproval => "pending_approval",
            InvoiceStatus::Rejected => "rejected",
            InvoiceStatus::Approved => "approved",
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::Sent => "sent",
            InvoiceStatus::PartiallyPaid => "partially_paid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::WrittenOff => "written_off",
            InvoiceStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<InvoiceStatus> {
        InvoiceStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
    }

    /// Issued documents are frozen: their content never changes again.
    pub fn is_issued(self) -> bool {
        !matches!(
            self,
            InvoiceStatus::Draft
                | InvoiceStatus::PendingApproval
                | InvoiceStatus::Rejected
                | InvoiceStatus::Approved
        )
    }

    /// Money is still expected on it.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            InvoiceStatus::Issued | InvoiceStatus::Sent | InvoiceStatus::PartiallyPaid
        )
    }

    /// Lines may be edited.
    pub fn is_editable(self) -> bool {
        matches!(self, InvoiceStatus::Draft | InvoiceStatus::Rejected)
    }
}

impl fmt::Display for InvoiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happens to an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceEvent {
    SubmitForApproval,
    Approve,
    Reject,
    /// Back to draft: after a rejection, or an approved invoice withdrawn for edits.
    Reopen,
    Issue,
    MarkSent,
    /// A payment that leaves a balance.
    PartialPayment,
    /// A payment that settles the balance.
    FullPayment,
    /// A payment undone, leaving the invoice partly paid.
    PaymentUndonePartial,
    /// Every payment undone.
    PaymentUndoneAll,
    WriteOff,
    CancelByCreditNote,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an invoice that is {from} cannot {}: {}", event_verb(*.event), hint(*.from, *.event))]
pub struct TransitionError {
    pub from: InvoiceStatus,
    pub event: InvoiceEvent,
}

fn event_verb(e: InvoiceEvent) -> &'static str {
    match e {
        InvoiceEvent::SubmitForApproval => "be submitted for approval",
        InvoiceEvent::Approve => "be approved",
        InvoiceEvent::Reject => "be rejected",
        InvoiceEvent::Reopen => "be reopened as a draft",
        InvoiceEvent::Issue => "be issued",
        InvoiceEvent::MarkSent => "be marked as sent",
        InvoiceEvent::PartialPayment | InvoiceEvent::FullPayment => "receive a payment",
        InvoiceEvent::PaymentUndonePartial | InvoiceEvent::PaymentUndoneAll => {
            "have a payment undone"
        }
        InvoiceEvent::WriteOff => "be written off",
        InvoiceEvent::CancelByCreditNote => "be cancelled by a credit note",
    }
}

fn hint(from: InvoiceStatus, e: InvoiceEvent) -> &'static str {
    use InvoiceStatus::*;
    match (from, e) {
        (Draft | Rejected, InvoiceEvent::Issue) => "submit it and have it approved first",
        (PendingApproval, InvoiceEvent::Issue) => "it must be approved first",
        (s, _) if s.is_issued() && !s.is_open() => {
            "it is closed; issue a credit note to correct it"
        }
        (s, InvoiceEvent::Reopen | InvoiceEvent::Approve | InvoiceEvent::Reject)
            if s.is_issued() =>
        {
            "issued invoices never change; issue a credit note to correct it"
        }
        _ => "this step does not follow from its current status",
    }
}

/// The lifecycle: the next status, or a typed error. Never a silent no-op.
pub fn transition(
    from: InvoiceStatus,
    event: InvoiceEvent,
) -> Result<InvoiceStatus, TransitionError> {
    use InvoiceEvent as E;
    use InvoiceStatus as S;
    let to = match (from, event) {
        (S::Draft, E::SubmitForApproval) => S::PendingApproval,
        // Auto-approval (no rule warns, under the threshold) goes straight from draft.
        (S::Draft | S::PendingApproval, E::Approve) => S::Approved,
        (S::PendingApproval, E::Reject) => S::Rejected,
        (S::Rejected | S::Approved | S::PendingApproval, E::Reopen) => S::Draft,
        (S::Approved, E::Issue) => S::Issued,
        (S::Issued, E::MarkSent) => S::Sent,
        (S::Issued | S::Sent | S::PartiallyPaid, E::PartialPayment) => S::PartiallyPaid,
        (S::Issued | S::Sent | S::PartiallyPaid, E::FullPayment) => S::Paid,
        (S::Paid | S::PartiallyPaid, E::PaymentUndonePartial) => S::PartiallyPaid,
        // Payments undone bring it back to an open state; whether it was sent is history.
        (S::Paid | S::PartiallyPaid, E::PaymentUndoneAll) => S::Sent,
        (S::Issued | S::Sent | S::PartiallyPaid, E::WriteOff) => S::WrittenOff,
        (S::Issued | S::Sent | S::PartiallyPaid, E::CancelByCreditNote) => S::Cancelled,
        _ => return Err(TransitionError { from, event }),
    };
    Ok(to)
}

/// An invoice or a credit note (UNCL 1001 type 380 / 381).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Invoice,
    CreditNote,
}

impl DocumentKind {
    pub fn type_code(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "380",
            DocumentKind::CreditNote => "381",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::CreditNote => "credit_note",
        }
    }
    pub fn parse(s: &str) -> Option<DocumentKind> {
        match s {
            "invoice" => Some(DocumentKind::Invoice),
            "credit_note" => Some(DocumentKind::CreditNote),
            _ => None,
        }
    }
    pub fn sequence(self) -> crate::numbering::SequenceKind {
        match self {
            DocumentKind::Invoice => crate::numbering::SequenceKind::Invoice,
            DocumentKind::CreditNote => crate::numbering::SequenceKind::CreditNote,
        }
    }
}

/// UN/ECE Recommendation 20 unit code (`HUR` hour, `DAY` day, `C62` one).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnitCode(pub String);

impl UnitCode {
    pub fn hour() -> Self {
        UnitCode("HUR".into())
    }
    pub fn day() -> Self {
        UnitCode("DAY".into())
    }
    pub fn one() -> Self {
        UnitCode("C62".into())
    }
}

/// One invoice line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: Decimal,
    pub unit: UnitCode,
    /// Net unit price in the invoice currency (may carry up to 4 decimals).
    pub unit_price: Decimal,
    pub discount_percent: Decimal,
    pub vat: VatRate,
    /// Source time entries billed on this line (an entry is billed at most once).
    #[serde(default)]
    pub time_entry_ids: Vec<Uuid>,
}

impl InvoiceLine {
    pub fn input(&self) -> LineInput {
        LineInput {
            quantity: self.quantity,
            unit_price: self.unit_price,
            discount_percent: self.discount_percent,
            vat: self.vat,
        }
    }
}

/// The service period (BG-14).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// What a credit note corrects (BG-3: BT-25 number, BT-26 date).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectedInvoice {
    pub invoice_id: Uuid,
    pub number: String,
    pub issue_date: NaiveDate,
}

/// An invoice or credit note with everything needed to compute and print it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub client_id: Uuid,
    pub kind: DocumentKind,
    pub status: InvoiceStatus,
    pub disputed: bool,
    /// Assigned at issue; `None` for drafts.
    pub number: Option<String>,
    pub currency: Currency,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub service_period: Option<Period>,
    /// BT-10 buyer reference.
    pub buyer_reference: Option<String>,
    /// BT-13 purchase order.
    pub purchase_order: Option<String>,
    pub notes: Option<String>,
    pub lines: Vec<InvoiceLine>,
    pub corrects: Option<CorrectedInvoice>,
    pub payment_reference: Option<PaymentReference>,
    /// Sum of payments allocated so far.
    pub paid: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Totals(#[from] TotalsError),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("invoice {0} is issued and can no longer be edited: issue a credit note to correct it")]
    Frozen(String),
    #[error("a credit note must name the invoice it corrects (BT-25)")]
    CreditNoteWithoutInvoice,
    #[error("an invoice needs at least one line")]
    NoLines,
    #[error(
        "payment of {payment} exceeds the outstanding {outstanding}; record the excess as client credit"
    )]
    OverPayment { payment: Money, outstanding: Money },
}

impl Invoice {
    /// Totals of the document (EN 16931 arithmetic). The prepaid amount is not part of it:
    /// payments after issue are tracked in `paid`.
    pub fn totals(&self) -> Result<Totals, TotalsError> {
        let inputs: Vec<LineInput> = self.lines.iter().map(InvoiceLine::input).collect();
        totals::compute(self.currency, &inputs, Decimal::ZERO)
    }

    /// What the client still owes.
    pub fn outstanding(&self) -> Result<Money, InvoiceError> {
        let t = self.totals()?;
        Ok(t.tax_inclusive.checked_sub(&self.paid)?)
    }

    /// Applies an event to the status.
    pub fn apply(&mut self, event: InvoiceEvent) -> Result<(), TransitionError> {
        self.status = transition(self.status, event)?;
        Ok(())
    }

    /// Refuses any edit once issued.
    pub fn ensure_editable(&self) -> Result<(), InvoiceError> {
        if self.status.is_editable() {
            Ok(())
        } else if let Some(n) = &self.number {
            Err(InvoiceError::Frozen(n.clone()))
        } else {
            Err(InvoiceError::Transition(TransitionError {
                from: self.status,
                event: InvoiceEvent::Reopen,
            }))
        }
    }

    /// Checks an invoice is complete enough to be issued (structure only; business rules and
    /// legal mentions are checked by the issuing use case).
    pub fn check_issuable(&self) -> Result<Totals, InvoiceError> {
        if self.lines.is_empty() {
            return Err(InvoiceError::NoLines);
        }
        if self.kind == DocumentKind::CreditNote && self.corrects.is_none() {
            return Err(InvoiceError::CreditNoteWithoutInvoice);
        }
        transition(self.status, InvoiceEvent::Issue)?;
        Ok(self.totals()?)
    }

    /// Records a payment and moves the status; over-payments are refused here (the surplus
    /// becomes client credit in the reconciliation).
    pub fn record_payment(&mut self, amount: Money) -> Result<(), InvoiceError> {
        let outstanding = self.outstanding()?;
        if amount.amount() > outstanding.amount() {
            return Err(InvoiceError::OverPayment {
                payment: amount,
                outstanding,
            });
        }
        let paid = self.paid.checked_add(&amount)?;
        let event = if paid.amount() == self.totals()?.tax_inclusive.amount() {
            InvoiceEvent::FullPayment
        } else {
            InvoiceEvent::PartialPayment
        };
        self.apply(event)?;
        self.paid = paid;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vat::VatCategory;
    use rust_decimal_macros::dec;

    fn invoice(status: InvoiceStatus) -> Invoice {
        Invoice {
            id: Uuid::nil(),
            organization_id: Uuid::nil(),
            client_id: Uuid::nil(),
            kind: DocumentKind::Invoice,
            status,
            disputed: false,
            number: None,
            currency: Currency::EUR,
            issue_date: None,
            due_date: None,
            service_period: None,
            buyer_reference: None,
            purchase_order: None,
            notes: None,
            lines: vec![InvoiceLine {
                description: "Développement".into(),
                quantity: dec!(10),
                unit: UnitCode::hour(),
                unit_price: dec!(100),
                discount_percent: Decimal::ZERO,
                vat: VatRate::new(VatCategory::Standard, dec!(20)).unwrap(),
                time_entry_ids: vec![],
            }],
            corrects: None,
            payment_reference: None,
            paid: Money::zero(Currency::EUR),
        }
    }

    #[test]
    fn happy_path_reaches_paid() {
        let mut s = InvoiceStatus::Draft;
        for e in [
            InvoiceEvent::SubmitForApproval,
            InvoiceEvent::Approve,
            InvoiceEvent::Issue,
            InvoiceEvent::MarkSent,
            InvoiceEvent::PartialPayment,
            InvoiceEvent::FullPayment,
        ] {
            s = transition(s, e).unwrap();
        }
        assert_eq!(s, InvoiceStatus::Paid);
    }

    #[test]
    fn rejected_goes_back_to_draft_only() {
        let s = transition(InvoiceStatus::PendingApproval, InvoiceEvent::Reject).unwrap();
        assert_eq!(s, InvoiceStatus::Rejected);
        assert!(transition(s, InvoiceEvent::Issue).is_err());
        assert_eq!(
            transition(s, InvoiceEvent::Reopen).unwrap(),
            InvoiceStatus::Draft
        );
    }

    #[test]
    fn issued_invoices_cannot_go_back_and_say_why() {
        let e = transition(InvoiceStatus::Issued, InvoiceEvent::Reopen).unwrap_err();
        assert!(e.to_string().contains("credit note"), "{e}");
        let e = transition(InvoiceStatus::Draft, InvoiceEvent::Issue).unwrap_err();
        assert!(e.to_string().contains("approved first"), "{e}");
    }

    #[test]
    fn only_a_credit_note_cancels() {
        for s in InvoiceStatus::ALL {
            let r = transition(s, InvoiceEvent::CancelByCreditNote);
            assert_eq!(r.is_ok(), s.is_open(), "{s}");
        }
        // No other event reaches Cancelled.
        let events = [
            InvoiceEvent::SubmitForApproval,
            InvoiceEvent::Approve,
            InvoiceEvent::Reject,
            InvoiceEvent::Reopen,
            InvoiceEvent::Issue,
            InvoiceEvent::MarkSent,
            InvoiceEvent::PartialPayment,
            InvoiceEvent::FullPayment,
            InvoiceEvent::PaymentUndonePartial,
            InvoiceEvent::PaymentUndoneAll,
            InvoiceEvent::WriteOff,
        ];
        for s in InvoiceStatus::ALL {
            for e in events {
                assert_ne!(transition(s, e).ok(), Some(InvoiceStatus::Cancelled));
            }
        }
    }

    #[test]
    fn no_transition_leaves_an_issued_state_for_an_editable_one() {
        let all_events = [
            InvoiceEvent::SubmitForApproval,
            InvoiceEvent::Approve,
            InvoiceEvent::Reject,
            InvoiceEvent::Reopen,
            InvoiceEvent::Issue,
            InvoiceEvent::MarkSent,
            InvoiceEvent::PartialPayment,
            InvoiceEvent::FullPayment,
            InvoiceEvent::PaymentUndonePartial,
            InvoiceEvent::PaymentUndoneAll,
            InvoiceEvent::WriteOff,
            InvoiceEvent::CancelByCreditNote,
        ];
        for s in InvoiceStatus::ALL.into_iter().filter(|s| s.is_issued()) {
            for e in all_events {
                if let Ok(to) = transition(s, e) {
                    assert!(to.is_issued(), "{s} --{e:?}--> {to}");
                }
            }
        }
    }

    #[test]
    fn payments_move_the_status_and_refuse_overpayment() {
        let mut inv = invoice(InvoiceStatus::Sent);
        inv.record_payment(Money::new(dec!(200), Currency::EUR))
            .unwrap();
        assert_eq!(inv.status, InvoiceStatus::PartiallyPaid);
        assert_eq!(inv.outstanding().unwrap().amount(), dec!(1000));
        assert!(matches!(
            inv.record_payment(Money::new(dec!(1000.01), Currency::EUR)),
            Err(InvoiceError::OverPayment { .. })
        ));
        inv.record_payment(Money::new(dec!(1000), Currency::EUR))
            .unwrap();
        assert_eq!(inv.status, InvoiceStatus::Paid);
        assert!(
            inv.record_payment(Money::new(dec!(-1), Currency::CHF))
                .is_err()
        );
    }

    #[test]
    fn frozen_after_issue() {
        let mut inv = invoice(InvoiceStatus::Issued);
        inv.number = Some("F-2026-00001".into());
        assert!(matches!(
            inv.ensure_editable(),
            Err(InvoiceError::Frozen(_))
        ));
        assert!(invoice(InvoiceStatus::Draft).ensure_editable().is_ok());
    }

    #[test]
    fn credit_note_must_reference_an_invoice() {
        let mut cn = invoice(InvoiceStatus::Approved);
        cn.kind = DocumentKind::CreditNote;
        assert!(matches!(
            cn.check_issuable(),
            Err(InvoiceError::CreditNoteWithoutInvoice)
        ));
    }
}
