//! Evidence as the cascade gathers it: small values pointing into the index, turned into
//! readable [`Evidence`] only for the matches the engine returns (a batch of a million
//! transactions builds tens of millions of clues and keeps a few).

use super::decision::{Closeness, Evidence, PayerLink, ReferencePlace};
use super::index::InvoiceIndex;
use super::input::Txn;

/// One fact behind a candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Clue {
    /// The invoice's own reference was read at `place`.
    Reference {
        invoice: u32,
        place: ReferencePlace,
    },
    /// `found` in the text names the invoice.
    Number {
        invoice: u32,
        closeness: Closeness,
        found: Box<str>,
    },
    /// The payer is tied to the client.
    Payer {
        client: u32,
        link: PayerLink,
    },
    PayerIsAnotherClient,
    SameAmountElsewhere {
        invoices: usize,
    },
    OtherInvoiceNamed {
        invoice: u32,
    },
    AmountFitsOtherInvoice {
        invoice: u32,
    },
    PaidBeforeIssue {
        days: i64,
    },
}

impl Clue {
    /// A reference, or an invoice number read exactly or with other formatting.
    pub(crate) fn is_strong(&self) -> bool {
        match self {
            Clue::Reference { .. } => true,
            Clue::Number { closeness, .. } => *closeness <= Closeness::Formatting,
            _ => false,
        }
    }

    pub(crate) fn to_evidence(&self, txn: &Txn, index: &InvoiceIndex<'_>) -> Evidence {
        let number = |i: &u32| index.invoice(*i).number.clone();
        let payer = || {
            txn.counterparty_name
                .clone()
                .or_else(|| txn.counterparty_iban.clone())
                .unwrap_or_default()
        };
        match self {
            Clue::Reference { invoice, place } => Evidence::Reference {
                reference: index
                    .invoice(*invoice)
                    .payment_reference
                    .as_ref()
                    .map(|r| r.as_str().to_owned())
                    .unwrap_or_default(),
                place: *place,
            },
            Clue::Number {
                invoice,
                closeness,
                found,
            } => Evidence::InvoiceNumber {
                found: found.to_string(),
                number: number(invoice),
                closeness: *closeness,
            },
            Clue::Payer { client, link } => Evidence::Payer {
                payer: payer(),
                client_name: index.client(*client).name.clone(),
                link: *link,
            },
            Clue::PayerIsAnotherClient => Evidence::PayerIsAnotherClient { payer: payer() },
            Clue::SameAmountElsewhere { invoices } => Evidence::SameAmountElsewhere {
                invoices: *invoices,
            },
            Clue::OtherInvoiceNamed { invoice } => Evidence::OtherInvoiceNamed {
                number: number(invoice),
            },
            Clue::AmountFitsOtherInvoice { invoice } => Evidence::AmountFitsOtherInvoice {
                number: number(invoice),
            },
            Clue::PaidBeforeIssue { days } => Evidence::PaidBeforeIssue { days: *days },
        }
    }
}
