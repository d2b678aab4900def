//! The file transport: each message becomes an `.eml` file, written to a temporary name and
//! renamed into place, so a reader never sees half a message. For the demo, development, and
//! installations that hand mail to another system.

use std::path::{Path, PathBuf};

use crate::compose::OutgoingMessage;
use crate::transport::{SendError, SendReceipt, Transport, TransportKind};

#[derive(Clone, Debug)]
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    pub fn new(dir: impl Into<PathBuf>) -> FileTransport {
        FileTransport { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a message is written to: its `Message-ID`, made safe for file names.
    pub fn path_of(&self, msg: &OutgoingMessage) -> PathBuf {
        let id = msg.message_id.to_string();
        let name: String = id
            .trim_matches(['<', '>'])
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{name}.eml"))
    }
}

impl Transport for FileTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::File
    }

    async fn send(&self, msg: &OutgoingMessage) -> Result<SendReceipt, SendError> {
        let path = self.path_of(msg);
        let fail = |what: &str, e: std::io::Error| {
            SendError::temporary(format!(
                "could not {what} {}: {e}; check that the directory exists and is writable",
                self.dir.display()
            ))
        };
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| fail("create", e))?;
        let tmp = self.dir.join(format!(
            ".{}.{}.tmp",
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("message"),
            uuid::Uuid::new_v4().simple()
        ));
        let written = async {
            tokio::fs::write(&tmp, msg.raw()).await?;
            tokio::fs::rename(&tmp, &path).await
        }
        .await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(fail("write into", e));
        }
        Ok(SendReceipt {
            transport: TransportKind::File,
            message_id: msg.message_id.header_value(),
            provider_id: Some(path.display().to_string()),
            thread_id: None,
            server_answer: format!("written to {}", path.display()),
        })
    }
}
