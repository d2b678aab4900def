//! Billing rules: from time entries to the lines of draft invoices, decided without I/O.
//!
//! - [`rates`]: which hourly rate applies to an entry (Clockify's documented precedence, then
//!   encaisse's client and organization defaults);
//! - [`rounding`]: how billed durations are rounded (per entry or per line, up to 6/10/15/30
//!   minutes) and the minimum billable duration;
//! - [`taxation`]: which VAT category and rate a client gets, with the legal mention;
//! - [`plan`]: grouping into one draft per client and currency, lines per project, task, user
//!   or entry, fixed-fee milestones, the client's discount.
//!
//! Invariants (property-tested in [`plan`]): an entry appears on at most one line; every entry
//! given to [`plan::plan`] ends up on exactly one line, in the skipped list or in the waiting
//! list (a partition); a line's billed time is never below what the rule asks; totals are sums
//! of rounded parts.

pub mod plan;
pub mod rates;
pub mod rounding;
pub mod taxation;

pub use plan::{
    BillableEntry, ClientTerms, LineGrouping, Milestone, Plan, PlannedDraft, PlannedLine,
    SkipReason, plan,
};
pub use rates::{RateCandidates, RateLevel};
pub use rounding::{DurationRule, Increment, RoundingError, RoundingScope};
pub use taxation::{BuyerTax, Taxation, TaxationError, decide_taxation};
