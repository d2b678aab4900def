//! Microsoft Graph: the message is created first (`POST /users/{mailbox}/messages`) so that
//! its id is known, then sent (`POST …/messages/{id}/send`), because `sendMail` answers 202
//! with no id. A message that fits the inline limit is created from its MIME bytes, which
//! keeps our `Message-ID`, `In-Reply-To` and `References` as they are; a larger one is
//! created as JSON (Graph lets only `x-` headers be set that way, so the threading headers
//! are lost, `internetMessageId` is kept) and its big attachments go through an upload
//! session in ranged PUTs. At most four requests per mailbox run at once (Graph's limit);
//! 429/503 with `Retry-After` are waited out by the shared HTTP transport.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use encaisse_connectors::transport::Transport as Http;
use lettre::message::Mailbox;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::compose::{Attachment, OutgoingMessage};
use crate::http_api::{Answer, authorized, failure, never, read, unreachable};
use crate::oauth::TokenSource;
use crate::transport::{SendError, SendReceipt, Transport, TransportKind};

/// Graph's concurrent-request limit per mailbox.
pub const MAILBOX_CONCURRENCY: usize = 4;
/// Attachments (and MIME bodies) up to this size go inline; larger ones need an upload session.
pub const INLINE_LIMIT: usize = 3 * 1024 * 1024;
/// Upload-session chunk size (at most 4 MB per PUT).
pub const CHUNK_SIZE: usize = 3 * 1024 * 1024;

/// Sends as one mailbox through Graph.
#[derive(Debug)]
pub struct GraphTransport {
    http: Http,
    tokens: TokenSource,
    base_url: String,
    mailbox: String,
    permits: Arc<Semaphore>,
    inline_limit: usize,
    chunk_size: usize,
}

impl GraphTransport {
    /// `base_url` is `https://graph.microsoft.com/v1.0` (or a simulator's).
    pub fn new(http: Http, tokens: TokenSource, base_url: &str, mailbox: &str) -> GraphTransport {
        GraphTransport {
            http,
            tokens,
            base_url: base_url.trim_end_matches('/').to_owned(),
            mailbox: mailbox.to_owned(),
            permits: Arc::new(Semaphore::new(MAILBOX_CONCURRENCY)),
            inline_limit: INLINE_LIMIT,
            chunk_size: CHUNK_SIZE,
        }
    }

    /// Lowers the inline limit and the chunk size (tests exercise upload sessions with small files).
    pub fn with_limits(mut self, inline_limit: usize, chunk_size: usize) -> GraphTransport {
        self.inline_limit = inline_limit.max(1);
        self.chunk_size = chunk_size.max(1);
        self
    }

    pub fn mailbox(&self) -> &str {
        &self.mailbox
    }

    fn url(&self, rest: &str) -> String {
        format!("{}/users/{}{rest}", self.base_url, self.mailbox)
    }

    async fn call(
        &self,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<Answer, SendError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| SendError::temporary("the Graph transport is shutting down"))?;
        authorized(&self.http, &self.tokens, "Microsoft Graph", build, never).await
    }

    /// `GET /users/{mailbox}`: used by the diagnosis.
    pub(crate) async fn mailbox_profile(&self) -> Result<Answer, SendError> {
        let url = self.url("");
        self.call(|c, t| c.get(&url).bearer_auth(t)).await
    }

    async fn create(&self, msg: &OutgoingMessage) -> Result<Value, SendError> {
        let url = self.url("/messages");
        let fits = msg.raw().len() <= self.inline_limit;
        let answer = if fits {
            let mime = STANDARD.encode(msg.raw());
            self.call(|c, t| {
                c.post(&url)
                    .bearer_auth(t)
                    .header("Content-Type", "text/plain")
                    .body(mime.clone())
            })
            .await?
        } else {
            let body = json_message(msg);
            self.call(|c, t| c.post(&url).bearer_auth(t).json(&body))
                .await?
        };
        if answer.status != StatusCode::CREATED && !answer.status.is_success() {
            return Err(failure(
                "Microsoft Graph",
                "creating the message",
                &answer,
                never,
            ));
        }
        let created = answer.json();
        if created["id"].as_str().is_none() {
            return Err(SendError::temporary(format!(
                "Microsoft Graph created a message without an id: {}",
                answer.body
            )));
        }
        if !fits {
            let id = created["id"].as_str().unwrap_or_default().to_owned();
            for a in &msg.attachments {
                self.attach(&id, a).await?;
            }
        }
        Ok(created)
    }

    async fn attach(&self, id: &str, a: &Attachment) -> Result<(), SendError> {
        if a.bytes.len() <= self.inline_limit {
            let url = self.url(&format!("/messages/{id}/attachments"));
            let body = json!({
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": a.filename, "contentType": a.content_type,
                "contentBytes": STANDARD.encode(&a.bytes),
            });
            let answer = self
                .call(|c, t| c.post(&url).bearer_auth(t).json(&body))
                .await?;
            if !answer.status.is_success() {
                return Err(failure(
                    "Microsoft Graph",
                    "attaching a file",
                    &answer,
                    never,
                ));
            }
            return Ok(());
        }
        let url = self.url(&format!("/messages/{id}/attachments/createUploadSession"));
        let body = json!({ "AttachmentItem": {
            "attachmentType": "file", "name": a.filename, "size": a.bytes.len(),
            "contentType": a.content_type,
        }});
        let answer = self
            .call(|c, t| c.post(&url).bearer_auth(t).json(&body))
            .await?;
        if !answer.status.is_success() {
            return Err(failure(
                "Microsoft Graph",
                "opening an upload session",
                &answer,
                never,
            ));
        }
        let Some(upload_url) = answer.json()["uploadUrl"].as_str().map(str::to_owned) else {
            return Err(SendError::temporary(
                "Microsoft Graph opened an upload session without an uploadUrl",
            ));
        };
        let total = a.bytes.len();
        let mut start = 0;
        while start < total {
            let end = (start + self.chunk_size).min(total);
            let chunk = a.bytes[start..end].to_vec();
            let range = format!("bytes {start}-{}/{total}", end - 1);
            // The upload URL is pre-authenticated: no Authorization header.
            let answer = {
                let _permit =
                    self.permits.acquire().await.map_err(|_| {
                        SendError::temporary("the Graph transport is shutting down")
                    })?;
                read(
                    &self.http,
                    |c| {
                        c.put(&upload_url)
                            .header("Content-Range", &range)
                            .header("Content-Type", "application/octet-stream")
                            .body(chunk.clone())
                    },
                    never,
                )
                .await
                .map_err(|e| unreachable("Microsoft Graph", e))?
            };
            if !answer.status.is_success() {
                return Err(failure(
                    "Microsoft Graph",
                    "uploading an attachment",
                    &answer,
                    never,
                ));
            }
            start = end;
        }
        Ok(())
    }
}

fn recipients(list: &[Mailbox]) -> Value {
    Value::Array(
        list.iter()
            .map(|m| {
                json!({ "emailAddress": {
                    "address": m.email.to_string(),
                    "name": m.name.clone().unwrap_or_default(),
                }})
            })
            .collect(),
    )
}

/// The JSON form of a message (used when it is too big for MIME creation).
fn json_message(msg: &OutgoingMessage) -> Value {
    let mut headers =
        vec![json!({"name": "x-encaisse-message", "value": msg.message_id.header_value()})];
    if let Some(r) = &msg.in_reply_to {
        // Graph accepts only x- headers at creation [apis.md §4.2]; keep the thread link readable.
        headers.push(json!({"name": "x-encaisse-in-reply-to", "value": r.header_value()}));
    }
    json!({
        "subject": msg.subject,
        "body": { "contentType": "HTML", "content": msg.html },
        "toRecipients": recipients(&msg.to),
        "ccRecipients": recipients(&msg.cc),
        "replyTo": recipients(msg.reply_to.as_slice()),
        "internetMessageId": msg.message_id.header_value(),
        "internetMessageHeaders": headers,
    })
}

impl Transport for GraphTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::Graph
    }

    async fn send(&self, msg: &OutgoingMessage) -> Result<SendReceipt, SendError> {
        let created = self.create(msg).await?;
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        let url = self.url(&format!("/messages/{id}/send"));
        let answer = self
            .call(|c, t| c.post(&url).bearer_auth(t).body(""))
            .await?;
        if !answer.status.is_success() {
            return Err(failure(
                "Microsoft Graph",
                "sending the message",
                &answer,
                never,
            ));
        }
        Ok(SendReceipt {
            transport: TransportKind::Graph,
            message_id: created["internetMessageId"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| msg.message_id.header_value()),
            provider_id: Some(id),
            thread_id: created["conversationId"].as_str().map(str::to_owned),
            server_answer: format!(
                "{} {}",
                answer.status.as_u16(),
                answer.status.canonical_reason().unwrap_or("")
            )
            .trim()
            .to_owned(),
        })
    }
}
