//! `encaisse time import FILE`: time-sheet files into time entries, all or nothing.
//!
//! The file is read by `encaisse_connectors::timesheet`; every row is then resolved to a
//! client and a project (matched by name, created when absent) before anything is written.
//! A file with errors imports nothing unless `skip_invalid`, and then the report lists what
//! was skipped. Entries are keyed by a stable id per row, so importing the same file twice
//! imports nothing new.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use encaisse_connectors::timesheet::{self, Format, Mapping, ReadOptions, TimesheetRow};
use encaisse_core::role::Permission;
use encaisse_core::time_entry::TimeSource;
use encaisse_core::{Currency, Money};
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::clients::ClientFilter;
use encaisse_store::time_sync::{SourceEntry, UpsertOutcome};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Actor;
use crate::time_mapping::{create_client_named, create_project_named};
use crate::{App, AppError, Result};

/// A file to import.
#[derive(Clone, Debug, Default)]
pub struct ImportRequest {
    /// Named in errors.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Forced format; detected when absent.
    pub format: Option<Format>,
    /// `duration=Hours,project=Projet,…` for files of no known format.
    pub mapping: Option<String>,
    /// Import the good rows and report the bad ones, instead of importing nothing.
    pub skip_invalid: bool,
}

/// What an import did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    pub file: String,
    pub format: String,
    pub encoding: String,
    pub separator: String,
    pub rows: usize,
    pub imported: usize,
    /// Rows already imported before (same file again).
    pub unchanged: usize,
    /// Unbilled entries whose row changed.
    pub updated: usize,
    /// Billed entries whose row changed: flagged for review, not altered.
    pub flagged_for_review: usize,
    /// `file:line:column: …` of every row left out.
    pub skipped: Vec<String>,
    pub clients_created: Vec<String>,
    pub projects_created: Vec<String>,
}

fn local_instant(t: NaiveDateTime, tz: Tz) -> chrono::DateTime<Utc> {
    tz.from_local_datetime(&t)
        .earliest()
        .map(|x| x.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&t))
}

fn key(s: &str) -> String {
    s.trim().to_lowercase()
}

impl App {
    /// Imports a time-sheet file; see the module doc.
    pub async fn import_timesheet(
        &self,
        actor: &Actor,
        req: &ImportRequest,
    ) -> Result<ImportReport> {
        actor.require(Permission::EditDrafts, "import time sheets")?;
        let mapping = match &req.mapping {
            Some(m) => Mapping::parse(m).map_err(|e| AppError::invalid("map", e))?,
            None => Mapping::default(),
        };
        let sheet = timesheet::read(
            &req.bytes,
            &ReadOptions {
                file_name: req.file_name.clone(),
                format: req.format,
                mapping,
            },
        )
        .map_err(|e| AppError::invalid("file", e))?;
        let mut report = ImportReport {
            file: req.file_name.clone(),
            format: sheet.format.as_str().to_owned(),
            encoding: sheet.encoding.to_owned(),
            separator: match sheet.separator {
                '\t' => "tab".to_owned(),
                c => c.to_string(),
            },
            rows: sheet.rows.len() + sheet.errors.len(),
            ..ImportReport::default()
        };
        let mut errors: Vec<String> = sheet.errors.iter().map(ToString::to_string).collect();
        let tz = self.config.timezone();
        let now = self.now();
        let mut tx = self.store.write().await?;
        let org = tx.organization(actor.organization_id).await?;
        let clients = tx
            .clients(
                org.id,
                &ClientFilter {
                    search: None,
                    limit: i64::MAX,
                    offset: 0,
                },
            )
            .await?;
        let client_by_name: HashMap<String, (Uuid, Currency)> = clients
            .iter()
            .map(|c| (key(&c.name), (c.id, c.currency)))
            .collect();
        let projects = tx.projects(org.id, None).await?;
        let mut project_by_name: HashMap<(Uuid, String), Uuid> = projects
            .iter()
            .map(|p| ((p.client_id, key(&p.name)), p.id))
            .collect();
        let mut projects_named: HashMap<String, Vec<Uuid>> = HashMap::new();
        for p in &projects {
            projects_named.entry(key(&p.name)).or_default().push(p.id);
        }
        // First pass, no writes: every row must name a client, or a project that exists once.
        let mut ready: Vec<&TimesheetRow> = Vec::with_capacity(sheet.rows.len());
        for r in &sheet.rows {
            let known = projects_named
                .get(&key(&r.project))
                .map(Vec::len)
                .unwrap_or(0);
            if r.client.is_none() && known != 1 {
                errors.push(format!(
                    "{}:{}: project `{}` {} and the row names no client; add a client column or create the project first",
                    req.file_name,
                    r.line,
                    r.project,
                    if known == 0 { "is unknown" } else { "exists for several clients" }
                ));
                continue;
            }
            if let Some(cur) = r.currency.as_deref()
                && Currency::parse(cur).is_err()
            {
                errors.push(format!(
                    "{}:{}: currency `{cur}` is not an ISO 4217 code",
                    req.file_name, r.line
                ));
                continue;
            }
            ready.push(r);
        }
        if !errors.is_empty() && !req.skip_invalid {
            let shown: Vec<&str> = errors.iter().take(50).map(String::as_str).collect();
            let more = errors.len().saturating_sub(50);
            return Err(AppError::invalid(
                "file",
                format!(
                    "{} row(s) cannot be imported, so nothing was imported (fix them, or pass --skip-invalid to import the others):\n{}{}",
                    errors.len(),
                    shown.join("\n"),
                    if more > 0 {
                        format!("\n… and {more} more")
                    } else {
                        String::new()
                    }
                ),
            ));
        }
        report.skipped = errors;
        let source = format!("file:{}", sheet.format.as_str());
        let mut created_clients: HashMap<String, (Uuid, Currency)> = HashMap::new();
        for r in ready {
            let (client_id, currency) = match &r.client {
                Some(name) => match client_by_name
                    .get(&key(name))
                    .or_else(|| created_clients.get(&key(name)))
                {
                    Some(c) => *c,
                    None => {
                        let cur = r
                            .currency
                            .as_deref()
                            .and_then(|c| Currency::parse(c).ok())
                            .unwrap_or(org.currency);
                        let id = create_client_named(
                            &mut tx,
                            &org,
                            name,
                            cur,
                            &format!("{source}:client:{}", key(name)),
                            &actor.label,
                            now,
                        )
                        .await?;
                        report.clients_created.push(name.trim().to_owned());
                        created_clients.insert(key(name), (id, cur));
                        (id, cur)
                    }
                },
                None => {
                    // Checked above: exactly one project of this name.
                    let pid = projects_named
                        .get(&key(&r.project))
                        .and_then(|v| v.first())
                        .copied();
                    let p = projects.iter().find(|p| Some(p.id) == pid);
                    match p {
                        Some(p) => (
                            p.client_id,
                            client_by_name
                                .values()
                                .find(|c| c.0 == p.client_id)
                                .map(|c| c.1)
                                .unwrap_or(org.currency),
                        ),
                        None => continue,
                    }
                }
            };
            let project_id = match project_by_name.get(&(client_id, key(&r.project))) {
                Some(p) => *p,
                None => {
                    let id = create_project_named(
                        &mut tx,
                        org.id,
                        client_id,
                        &r.project,
                        &format!("{source}:{client_id}:{}", key(&r.project)),
                        None,
                        &actor.label,
                        now,
                    )
                    .await?;
                    report.projects_created.push(r.project.trim().to_owned());
                    project_by_name.insert((client_id, key(&r.project)), id);
                    id
                }
            };
            let rate_currency = r
                .currency
                .as_deref()
                .and_then(|c| Currency::parse(c).ok())
                .unwrap_or(currency);
            let entry = SourceEntry {
                organization_id: org.id,
                project_id,
                source: TimeSource::Csv,
                external_id: r.external_id.clone(),
                user_name: r.user.clone(),
                user_ref: r.email.clone(),
                task_name: r.task.clone(),
                task_ref: None,
                description: r.description.clone(),
                started_at: local_instant(r.start, tz),
                duration_seconds: r.seconds,
                billable: r.billable,
                hourly_rate: r
                    .rate
                    .filter(|d| !d.is_zero())
                    .map(|d| Money::new(d, rate_currency).rounded()),
                invoiced_at_source: false,
            };
            match tx.upsert_source_entry(&entry, now).await? {
                UpsertOutcome::Inserted => report.imported += 1,
                UpsertOutcome::Unchanged => report.unchanged += 1,
                UpsertOutcome::Updated => report.updated += 1,
                UpsertOutcome::FlaggedForReview => report.flagged_for_review += 1,
            }
        }
        tx.append_audit(NewAuditEvent {
            organization_id: org.id,
            actor: &actor.label,
            action: "time.imported",
            entity_type: "organization",
            entity_id: &org.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "file": req.file_name, "format": report.format, "imported": report.imported,
                "unchanged": report.unchanged, "updated": report.updated,
                "flagged_for_review": report.flagged_for_review, "skipped": report.skipped.len(),
                "clients_created": report.clients_created, "projects_created": report.projects_created,
            })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(report)
    }
}
