use encaisse_core::invoice::{InvoiceError, TransitionError};
use encaisse_store::StoreError;

/// What a use case can answer instead of a result. Each variant tells the user what to do;
/// `web` maps them to HTTP problems and the CLI to exit codes.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{entity} `{id}` was not found in this organization")]
    NotFound { entity: &'static str, id: String },
    #[error(
        "you are not allowed to {action}: your role is {role}; ask an owner of the organization"
    )]
    Forbidden { action: &'static str, role: String },
    #[error("authentication failed: {0}")]
    Unauthenticated(&'static str),
    #[error("invalid {field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    AlreadyInitialized(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// A validation rule of severity `block` fired: nothing was changed.
    #[error("{}", blocked_text(.0))]
    Blocked(Vec<encaisse_core::rules::RuleResult>),
    /// The approval circuit refuses this person this decision.
    #[error(transparent)]
    Approval(#[from] encaisse_core::approval::ApprovalError),
    #[error(transparent)]
    Invoice(InvoiceError),
    #[error(transparent)]
    Store(StoreError),
}

fn blocked_text(results: &[encaisse_core::rules::RuleResult]) -> String {
    let en = encaisse_core::language::Language::En;
    let items: Vec<String> = results
        .iter()
        .filter(|r| r.severity == encaisse_core::rules::Severity::Block)
        .map(|r| format!("{} {}", r.why(en), r.fix(en)))
        .collect();
    format!("blocked by the validation rules: {}", items.join(" "))
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => AppError::NotFound { entity, id },
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => AppError::Store(other),
        }
    }
}

impl From<InvoiceError> for AppError {
    fn from(e: InvoiceError) -> Self {
        match e {
            InvoiceError::Transition(t) => AppError::Transition(t),
            other => AppError::Invoice(other),
        }
    }
}
