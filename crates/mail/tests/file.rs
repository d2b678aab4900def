//! The file transport writes whole .eml files, named after the Message-ID.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/facts.rs"]
mod facts;

use encaisse_mail::file::FileTransport;
use encaisse_mail::{MailConfig, Problem, Transport, build_transport, diagnose};
use facts::{FactsBuilder, composer};

#[tokio::test]
async fn each_message_becomes_an_eml_file_and_nothing_else_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let cfg: MailConfig =
        serde_json::from_str(r#"{"transport":"file","from":"billing@etudes.example"}"#).unwrap();
    let t = build_transport(&cfg, dir.path()).unwrap();
    let msg = composer()
        .compose(&FactsBuilder::invoice().build())
        .unwrap();
    let receipt = t.send(&msg).await.unwrap();
    let path = std::path::PathBuf::from(receipt.provider_id.unwrap());
    assert!(path.starts_with(dir.path().join("mail")));
    assert!(path.extension().is_some_and(|e| e == "eml"));
    assert_eq!(std::fs::read(&path).unwrap(), msg.raw());
    let names: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    // Sending again (a retry) replaces the file: same Message-ID, same name.
    t.send(&msg).await.unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path().join("mail")).unwrap().count(),
        1
    );
}

#[tokio::test]
async fn an_unwritable_directory_is_a_temporary_failure_and_diagnosed() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    let t = FileTransport::new(blocker.join("mail"));
    let err = t
        .send(
            &composer()
                .compose(&FactsBuilder::invoice().build())
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(err.is_temporary(), "{err}");
    let cfg: MailConfig = serde_json::from_value(serde_json::json!({
        "transport": "file", "from": "billing@etudes.example", "file": {"dir": blocker.join("mail")}
    }))
    .unwrap();
    let d = diagnose(&cfg, dir.path()).await;
    assert_eq!(d.problem, Some(Problem::Storage), "{d}");
}
