//! Clockify's clients, projects and rates onto encaisse's: by external id once linked, by
//! name on first sight (reported as linked), created when nothing matches (reported as
//! created). Rates Clockify defines beyond the project's own go to the rate card, keyed by
//! Clockify's ids, for entries that carry no recorded rate.

use std::collections::{HashMap, HashSet};

use encaisse_connectors::clockify::ClockifyClient;
use encaisse_connectors::clockify::model::Rate;
use encaisse_core::{Currency, Money};
use encaisse_store::connectors::ConnectorAccount;

use super::{CLOCKIFY, SyncReport, remote};
use crate::auth::Actor;
use crate::time_mapping::{create_client_named, create_project_named};
use crate::{App, Result};

/// What the entries of a sync need of the mapping.
pub(crate) struct Maps {
    /// Clockify project id → encaisse project id.
    pub projects: HashMap<String, uuid::Uuid>,
    /// The workspace's currency (report rates carry none).
    pub currency: Currency,
}

pub(crate) fn money(r: &Rate, default: Currency) -> Money {
    let cur = r
        .currency
        .as_deref()
        .and_then(|c| Currency::parse(c).ok())
        .unwrap_or(default);
    Money::from_minor(r.amount, cur)
}

impl App {
    pub(crate) async fn sync_clockify_mapping(
        &self,
        actor: &Actor,
        account: &ConnectorAccount,
        client: &ClockifyClient,
        report: &mut SyncReport,
    ) -> Result<Maps> {
        let ws_id = account.workspace_id.as_str();
        let ws = client.workspace(ws_id).await.map_err(remote)?;
        report.workspace = ws.name.clone();
        let clients = client.clients(ws_id).await.map_err(remote)?;
        let projects = client.projects(ws_id).await.map_err(remote)?;
        let mut tasks = Vec::new();
        for p in projects.iter().filter(|p| !p.archived) {
            tasks.extend(client.tasks(ws_id, &p.id).await.map_err(remote)?);
        }
        let now = self.now();
        let org_id = actor.organization_id;
        let mut tx = self.store.write().await?;
        let org = tx.organization(org_id).await?;
        let currency = ws
            .hourly_rate
            .as_ref()
            .and_then(|r| r.currency.as_deref())
            .and_then(|c| Currency::parse(c).ok())
            .unwrap_or(org.currency);

        let mut client_links = tx.external_links(org_id, CLOCKIFY, "client").await?;
        for c in &clients {
            if client_links.contains_key(&c.id) {
                continue;
            }
            let local = match tx.client_by_name(org_id, c.name.trim()).await? {
                Some(existing) => {
                    report.clients_linked.push(c.name.clone());
                    existing.id
                }
                None => {
                    let cur = c
                        .currency_code
                        .as_deref()
                        .and_then(|x| Currency::parse(x).ok())
                        .unwrap_or(currency);
                    let id = create_client_named(
                        &mut tx,
                        &org,
                        &c.name,
                        cur,
                        &format!("clockify:{}", c.id),
                        &actor.label,
                        now,
                    )
                    .await?;
                    report.clients_created.push(c.name.clone());
                    id
                }
            };
            tx.link_external(org_id, CLOCKIFY, "client", &c.id, local, now)
                .await?;
            client_links.insert(c.id.clone(), local);
        }

        let mut project_links = tx.external_links(org_id, CLOCKIFY, "project").await?;
        let locals = tx.projects(org_id, None).await?;
        for p in &projects {
            let Some(local_client) = p
                .client_id
                .as_ref()
                .and_then(|c| client_links.get(c))
                .copied()
            else {
                continue;
            };
            let rate = p.hourly_rate.as_ref().map(|r| money(r, currency));
            let local = match project_links.get(&p.id) {
                Some(l) => *l,
                None => {
                    let same = locals.iter().find(|l| {
                        l.client_id == local_client
                            && l.name.trim().eq_ignore_ascii_case(p.name.trim())
                    });
                    let id = match same {
                        Some(l) => {
                            report.projects_linked.push(p.name.clone());
                            l.id
                        }
                        None => {
                            report.projects_created.push(p.name.clone());
                            create_project_named(
                                &mut tx,
                                org_id,
                                local_client,
                                &p.name,
                                &format!("clockify:{}", p.id),
                                rate,
                                &actor.label,
                                now,
                            )
                            .await?
                        }
                    };
                    tx.link_external(org_id, CLOCKIFY, "project", &p.id, id, now)
                        .await?;
                    project_links.insert(p.id.clone(), id);
                    id
                }
            };
            tx.set_project_billing(org_id, local, rate, None).await?;
        }

        // The rate card, replaced as a whole.
        let mut cards: Vec<(&str, String, Money)> = Vec::new();
        if let Some(r) = &ws.hourly_rate {
            cards.push(("workspace", String::new(), money(r, currency)));
        }
        for m in &ws.memberships {
            if let Some(r) = &m.hourly_rate {
                cards.push(("team_member", m.user_id.clone(), money(r, currency)));
            }
        }
        for t in &tasks {
            if let Some(r) = &t.hourly_rate {
                cards.push(("task", t.id.clone(), money(r, currency)));
            }
        }
        for p in &projects {
            let Some(local) = project_links.get(&p.id) else {
                continue;
            };
            for m in &p.memberships {
                if let Some(r) = &m.hourly_rate {
                    cards.push((
                        "project_member",
                        format!("{local}/{}", m.user_id),
                        money(r, currency),
                    ));
                }
            }
        }
        let wanted: HashSet<(String, String)> = cards
            .iter()
            .map(|(s, k, _)| ((*s).to_owned(), k.clone()))
            .collect();
        for (s, k) in tx.rate_cards(org_id, CLOCKIFY).await?.into_keys() {
            if !wanted.contains(&(s.clone(), k.clone())) {
                tx.set_rate_card(org_id, CLOCKIFY, &s, &k, None, now)
                    .await?;
            }
        }
        for (s, k, m) in &cards {
            tx.set_rate_card(org_id, CLOCKIFY, s, k, Some(*m), now)
                .await?;
        }
        tx.commit().await?;
        Ok(Maps {
            projects: project_links,
            currency,
        })
    }
}
