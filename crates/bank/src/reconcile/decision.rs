//! What the engine answers for each transaction, and why.

use std::fmt;

use encaisse_core::Money;
use uuid::Uuid;

/// The engine's answer for one transaction.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Unambiguous and confident enough: apply without asking.
    Auto(Match),
    /// Needs a person: the candidates, best first, and why none was applied.
    Suggest {
        candidates: Vec<Match>,
        reason: ReviewReason,
    },
    /// A credit that may pay an invoice, but nothing points to one.
    Unmatched(UnmatchedReason),
    /// Not a customer payment at all: never matched to a sales invoice.
    Ignored(IgnoreReason),
}

impl Decision {
    /// The applied match, when automatic.
    pub fn auto_match(&self) -> Option<&Match> {
        match self {
            Decision::Auto(m) => Some(m),
            _ => None,
        }
    }

    /// `auto`, `suggested`, `unmatched` or `ignored`: the report's status column.
    pub fn status(&self) -> &'static str {
        match self {
            Decision::Auto(_) => "auto",
            Decision::Suggest { .. } => "suggested",
            Decision::Unmatched(_) => "unmatched",
            Decision::Ignored(_) => "ignored",
        }
    }
}

/// One way to settle a transaction: which invoices get how much, what is written off as a
/// bank fee, what remains as client credit, by which rule, how sure, on what evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub method: Method,
    /// 0–1; compared with [`crate::reconcile::Policy::auto_threshold`].
    pub confidence: f64,
    /// In the order the money is applied (oldest due date first).
    pub allocations: Vec<Allocation>,
    /// Money paid beyond what the invoices owe, kept for the client.
    pub credit: Option<ClientCredit>,
    /// Every fact the match rests on, strongest first.
    pub evidence: Vec<Evidence>,
}

impl Match {
    /// A sentence a person can check: the rule, the confidence and each piece of evidence.
    pub fn explanation(&self) -> String {
        let mut out = format!("{} ({:.2})", self.method, self.confidence);
        for (i, e) in self.evidence.iter().enumerate() {
            out.push_str(if i == 0 { ": " } else { "; " });
            out.push_str(&e.to_string());
        }
        out
    }

    /// The invoices this match pays.
    pub fn invoice_ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.allocations.iter().map(|a| a.invoice_id)
    }
}

/// Money applied to one invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub invoice_id: Uuid,
    pub invoice_number: String,
    pub client_id: Uuid,
    /// Cash from the transaction applied to the invoice.
    pub amount: Money,
    /// Shortfall written off as the payer's bank fee (zero when none).
    pub fee_write_off: Money,
    /// Still owed once `amount` and `fee_write_off` are applied.
    pub remaining: Money,
}

/// Money kept for a client after its invoices were paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCredit {
    pub client_id: Uuid,
    pub amount: Money,
}

/// The rule that produced a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// A QR or RF reference, from the structured field or found in the free text.
    Reference,
    /// Invoice numbers found in the free text.
    InvoiceNumber,
    /// The amount owed on one invoice of the client the payer is known or named as.
    AmountAndPayer,
    /// Several open invoices of the payer's client that add up to the amount.
    Group,
    /// Part of the only invoice the payer's client owes (an instalment).
    Partial,
    /// The amount alone: never applied automatically.
    AmountOnly,
}

impl Method {
    /// Snake-case name for reports and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Reference => "reference",
            Method::InvoiceNumber => "invoice_number",
            Method::AmountAndPayer => "amount_and_payer",
            Method::Group => "group",
            Method::Partial => "partial",
            Method::AmountOnly => "amount_only",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a person must look at a transaction the engine found candidates for.
#[derive(Clone, Debug, PartialEq)]
pub enum ReviewReason {
    /// The best candidate is under the automatic threshold.
    LowConfidence,
    /// Another candidate is nearly as likely.
    Ambiguous { runner_up: f64 },
    /// The payment exceeds what is owed and the policy reviews over-payments.
    Overpayment,
    /// Another transaction of the batch already settles the invoice (a duplicate payment?).
    AlreadySettledInBatch { by: String },
}

/// Why nothing was proposed for a credit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnmatchedReason {
    /// No reference, no invoice number, no known payer, no matching amount.
    NoEvidence,
    /// A valid reference of an invoice that is not open (paid already, or not ours).
    ReferenceOfNoOpenInvoice(String),
    /// The amount equals that of too many open invoices to propose any.
    AmountTooCommon(usize),
}

/// Why a transaction is not a customer payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IgnoreReason {
    /// Money out.
    Debit,
    ZeroAmount,
    /// The bank reverses an earlier movement.
    Reversal,
    /// Money returned to us; `from_text` when only the free text says so.
    Refund {
        from_text: bool,
    },
    /// Interest or dividends; `from_text` when only the free text says so.
    Interest {
        from_text: bool,
    },
    BankFee,
    /// Not booked yet.
    NotBooked,
}

/// One fact behind a match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// A structured reference that belongs to the invoice.
    Reference {
        reference: String,
        place: ReferencePlace,
    },
    /// Text of the remittance read as the invoice's number.
    InvoiceNumber {
        found: String,
        number: String,
        closeness: Closeness,
    },
    /// Who paid, and how the payer was tied to the client.
    Payer {
        payer: String,
        client_name: String,
        link: PayerLink,
    },
    /// The payer is known as another client (it may pay for it; it may also be an error).
    PayerIsAnotherClient { payer: String },
    /// How the amount compares with what is owed.
    Amount(AmountFit),
    /// Other open invoices owe exactly this amount too.
    SameAmountElsewhere { invoices: usize },
    /// The text names another invoice than the ones proposed.
    OtherInvoiceNamed { number: String },
    /// An invoice whose number is one edit from the text's owes exactly the amount.
    AmountFitsOtherInvoice { number: String },
    /// Booked this many days before the invoice was issued (a prepayment).
    PaidBeforeIssue { days: i64 },
    /// Another transaction of the batch was applied to the same invoice first.
    ClaimedInBatch { txn_id: String },
}

/// Where a reference was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferencePlace {
    StructuredField,
    FreeText,
}

/// How closely the text matched an invoice number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Closeness {
    /// Same characters once case and separators are ignored.
    Exact,
    /// Same numbers, other separators, padding or no prefix (`2026/0042` for `F-2026-00042`).
    Formatting,
    /// The sequence alone after a word like `facture` (`Fact. 42`), or after another number
    /// (`2026/0042 et 43`).
    SequenceOnly,
    /// Equal once look-alike letters are read as digits (`2O26` → `2026`).
    LookAlike,
    /// One digit missing, extra, changed or two swapped.
    OneEdit,
}

/// How the payer was tied to the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayerLink {
    /// Its IBAN was confirmed for this client before.
    LearnedIban,
    /// Its name was confirmed as an alias of this client before.
    LearnedName,
    /// It is known to pay for this client (parent company, accountant).
    PaysForClient,
    /// Its IBAN paid this client's invoices by reference or number in the same batch.
    IbanInBatch,
    /// Its name is the client's name, up to case, accents and legal form.
    ClientName,
    /// Its name is the client's name cut by the bank.
    TruncatedName,
    /// The payment says it is made for this client (camt `UltmtDbtr`).
    UltimateDebtor,
}

/// The amount against what is owed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AmountFit {
    Exact,
    /// Short by at most the fee tolerance; the shortfall is written off.
    FeeDeducted {
        fee: Money,
    },
    /// Less than owed: an instalment.
    Partial {
        remaining: Money,
    },
    /// More than owed: the surplus is the client's credit.
    Over {
        surplus: Money,
    },
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::Reference { reference, place } => match place {
                ReferencePlace::StructuredField => write!(f, "structured reference {reference}"),
                ReferencePlace::FreeText => write!(f, "reference {reference} found in the text"),
            },
            Evidence::InvoiceNumber {
                found,
                number,
                closeness,
            } => {
                let how = match closeness {
                    Closeness::Exact => "exactly",
                    Closeness::Formatting => "with other separators or padding",
                    Closeness::SequenceOnly => "by its sequence number only",
                    Closeness::LookAlike => "reading look-alike letters as digits",
                    Closeness::OneEdit => "with one digit wrong",
                };
                write!(f, "text `{found}` names invoice {number} {how}")
            }
            Evidence::Payer {
                payer,
                client_name,
                link,
            } => {
                let how = match link {
                    PayerLink::LearnedIban => "its IBAN was confirmed for",
                    PayerLink::LearnedName => "its name was confirmed for",
                    PayerLink::PaysForClient => "is known to pay for",
                    PayerLink::IbanInBatch => "paid by reference in this batch for",
                    PayerLink::ClientName => "bears the name of",
                    PayerLink::TruncatedName => "bears the (truncated) name of",
                    PayerLink::UltimateDebtor => "pays on behalf of",
                };
                write!(f, "payer `{payer}` {how} {client_name}")
            }
            Evidence::PayerIsAnotherClient { payer } => {
                write!(f, "payer `{payer}` is known as another client")
            }
            Evidence::Amount(fit) => match fit {
                AmountFit::Exact => f.write_str("amount equals what is owed"),
                AmountFit::FeeDeducted { fee } => {
                    write!(f, "amount is {fee} short, within the bank-fee tolerance")
                }
                AmountFit::Partial { remaining } => {
                    write!(f, "partial payment, {remaining} remains owed")
                }
                AmountFit::Over { surplus } => {
                    write!(f, "over-payment, {surplus} kept as client credit")
                }
            },
            Evidence::SameAmountElsewhere { invoices } => {
                write!(f, "{invoices} other open invoices owe the same amount")
            }
            Evidence::OtherInvoiceNamed { number } => {
                write!(f, "but the text names invoice {number}")
            }
            Evidence::AmountFitsOtherInvoice { number } => {
                write!(
                    f,
                    "but invoice {number}, one digit away, owes exactly the amount"
                )
            }
            Evidence::PaidBeforeIssue { days } => {
                write!(f, "paid {days} days before the invoice was issued")
            }
            Evidence::ClaimedInBatch { txn_id } => {
                write!(f, "transaction {txn_id} of this batch already pays it")
            }
        }
    }
}

impl fmt::Display for IgnoreReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IgnoreReason::Debit => "debit",
            IgnoreReason::ZeroAmount => "zero amount",
            IgnoreReason::Reversal => "reversal of an earlier movement",
            IgnoreReason::Refund { .. } => "refund",
            IgnoreReason::Interest { .. } => "interest",
            IgnoreReason::BankFee => "bank fee",
            IgnoreReason::NotBooked => "not booked yet",
        })
    }
}
