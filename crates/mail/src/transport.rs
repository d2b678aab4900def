//! The one trait every way of sending implements, what a successful send proves, and how a
//! failed one says whether to try again.

use std::future::Future;
use std::time::Duration;

use crate::compose::OutgoingMessage;

/// Which transport carried a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    Smtp,
    Graph,
    Gmail,
    File,
}

impl TransportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::Smtp => "smtp",
            TransportKind::Graph => "graph",
            TransportKind::Gmail => "gmail",
            TransportKind::File => "file",
        }
    }
}

/// Proof that the server accepted a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendReceipt {
    pub transport: TransportKind,
    /// Our `Message-ID`, angle brackets included.
    pub message_id: String,
    /// The provider's id of the message (Graph message id, Gmail id, the .eml path).
    pub provider_id: Option<String>,
    /// Gmail's `threadId`: store it with the invoice so that reminders join the thread.
    pub thread_id: Option<String>,
    /// The server's answer, as it said it (`250 2.0.0 Ok: queued as …`, `202 Accepted`…).
    pub server_answer: String,
}

/// Why a message was not sent. `Temporary` may succeed later (retry with backoff);
/// `Permanent` will not (flag the invoice with the answer).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("temporary failure, will retry: {answer}")]
    Temporary {
        answer: String,
        /// When the server said how long to wait.
        retry_after: Option<Duration>,
    },
    #[error("permanent failure: {answer}")]
    Permanent { answer: String },
}

impl SendError {
    pub fn temporary(answer: impl Into<String>) -> SendError {
        SendError::Temporary {
            answer: answer.into(),
            retry_after: None,
        }
    }

    pub fn permanent(answer: impl Into<String>) -> SendError {
        SendError::Permanent {
            answer: answer.into(),
        }
    }

    pub fn is_temporary(&self) -> bool {
        matches!(self, SendError::Temporary { .. })
    }

    /// The server's answer (or what went wrong before there was one).
    pub fn answer(&self) -> &str {
        match self {
            SendError::Temporary { answer, .. } | SendError::Permanent { answer } => answer,
        }
    }
}

/// A way of sending a composed message.
pub trait Transport: Send + Sync {
    fn kind(&self) -> TransportKind;

    /// Sends one message. Sending the same message again re-sends it with the same
    /// `Message-ID` (deduplication is the outbox's job, not the transport's).
    fn send(
        &self,
        msg: &OutgoingMessage,
    ) -> impl Future<Output = Result<SendReceipt, SendError>> + Send;
}
