//! The Qonto client against the Qonto simulator over real HTTP on loopback: API-key mode,
//! pagination, filters, errors, rate limits and the incremental sync.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod qonto_support;

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use encaisse_connectors::qonto::model::{Side, TransactionStatus};
use encaisse_connectors::qonto::query::{AccountSelector, SortBy, SortField, TransactionQuery};
use encaisse_connectors::qonto::sync::{LedgerChange, TransactionLedger};
use encaisse_connectors::qonto::{Credentials, Endpoints, QontoClient};
use encaisse_sandbox::qonto::{NewTransaction, QontoSandboxConfig, RateLimit};
use qonto_support::{config, key_client, sandbox, seed};

#[tokio::test]
async fn an_api_key_lists_accounts_and_transactions_across_five_pages() {
    let sb = sandbox(seed(230), QontoSandboxConfig::default()).await;
    let c = key_client(&sb, 50);
    let org = c.organization().await.unwrap();
    assert_eq!(org.slug, "atelier-durand-4821");
    let account = &org.bank_accounts[0];
    assert_eq!(account.iban.as_deref(), Some("FR7616958000017283940556031"));
    assert_eq!(account.bic.as_deref(), Some("QNTOFRP1XXX"));
    assert_eq!(account.currency, "EUR");
    assert_eq!(c.bank_accounts().await.unwrap(), org.bank_accounts);
    assert_eq!(c.bank_account(&account.id).await.unwrap(), *account);
    let before = sb.requests();
    let all = c
        .transactions(&TransactionQuery::for_account(AccountSelector::Iban(
            "FR76 1695 8000 0172 8394 0556 031".into(),
        )))
        .await
        .unwrap();
    assert_eq!(all.len(), 230);
    assert_eq!(sb.requests() - before, 5, "five pages of 50");
    let ids: HashSet<_> = all.iter().map(|t| t.transaction_id.clone()).collect();
    assert_eq!(ids.len(), 230, "every transaction once");
    // The booked balance is the opening one plus every completed movement.
    let signed: i64 = all
        .iter()
        .map(|t| match t.side {
            Side::Credit => t.amount_cents,
            Side::Debit => -t.amount_cents,
        })
        .sum();
    assert_eq!(account.balance_cents, 2_500_000 + signed);
    let one = c.transaction(&all[7].id).await.unwrap();
    assert_eq!(one, all[7]);
}

#[tokio::test]
async fn the_documented_filters_are_sent_and_honoured() {
    let sb = sandbox(seed(120), QontoSandboxConfig::default()).await;
    let c = key_client(&sb, 100);
    let id = sb.bank_account_ids()[0].clone();
    let all = c
        .transactions(&TransactionQuery::for_account(
            AccountSelector::BankAccountId(id.clone()),
        ))
        .await
        .unwrap();
    let mut q = TransactionQuery::for_account(AccountSelector::BankAccountId(id));
    q.side = Some(Side::Debit);
    q.operation_types = vec!["card".into()];
    q.statuses = vec![TransactionStatus::Completed];
    let mid = all[all.len() / 2].settled_at.unwrap();
    q.settled_at_from = Some(mid - chrono::Duration::days(30));
    q.settled_at_to = Some(mid);
    q.sort_by = Some(SortBy {
        field: SortField::SettledAt,
        descending: true,
    });
    let got = c.transactions(&q).await.unwrap();
    let expected: Vec<_> = all
        .iter()
        .filter(|t| t.side == Side::Debit && t.operation_type.as_deref() == Some("card"))
        .filter(|t| {
            let s = t.settled_at.unwrap();
            s >= mid - chrono::Duration::days(30) && s <= mid
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got.len(), expected.len());
    assert!(got.windows(2).all(|w| w[0].settled_at >= w[1].settled_at));
    // A 404 names the endpoint and what to do.
    let e = c.transaction("no-such-id").await.unwrap_err();
    assert_eq!(e.status, Some(404));
    assert!(
        e.to_string().contains("GET /v2/transactions/no-such-id"),
        "{e}"
    );
}

#[tokio::test]
async fn a_bad_key_or_a_missing_staging_token_is_refused_with_what_to_do() {
    let sb = sandbox(seed(3), QontoSandboxConfig::default()).await;
    let (login, _) = sb.api_key();
    let c = QontoClient::new(config(
        Endpoints::under(&sb.url()),
        Credentials::ApiKey {
            login,
            secret_key: "wrong-secret".into(),
        },
        100,
    ))
    .unwrap();
    let e = c.organization().await.unwrap_err();
    assert!(e.needs_reconnection() && e.is_permanent());
    assert_eq!(e.status, Some(401));
    let text = e.to_string();
    for part in [
        "GET /v2/organization",
        "401",
        "API key",
        "login:secret-key",
        "Integrations",
    ] {
        assert!(text.contains(part), "{part} missing in: {text}");
    }
    assert!(!text.contains("wrong-secret"), "the secret leaked: {text}");

    let staging = sandbox(
        seed(3),
        QontoSandboxConfig {
            staging_token: Some("stg-token".into()),
            ..QontoSandboxConfig::default()
        },
    )
    .await;
    let (login, secret_key) = staging.api_key();
    let creds = Credentials::ApiKey { login, secret_key };
    let mut endpoints = Endpoints::under(&staging.url());
    endpoints.name = "staging".into();
    let without = QontoClient::new(config(endpoints.clone(), creds.clone(), 100)).unwrap();
    let e = without.organization().await.unwrap_err();
    assert_eq!(e.status, Some(401));
    assert!(e.to_string().contains("X-Qonto-Staging-Token"), "{e}");
    let with = QontoClient::new(config(
        endpoints.with_staging_token("stg-token"),
        creds,
        100,
    ))
    .unwrap();
    assert_eq!(with.organization().await.unwrap().bank_accounts.len(), 1);
}

#[tokio::test]
async fn a_429_in_the_middle_of_a_sync_is_retried() {
    let sb = sandbox(seed(100), QontoSandboxConfig::default()).await;
    let c = key_client(&sb, 20);
    let account = AccountSelector::BankAccountId(sb.bank_account_ids()[0].clone());
    // Two pages go through, the third is answered 429 with Retry-After: 1.
    sb.throttle_after(2, 1, 1);
    let batch = c.sync_transactions(&account, None).await.unwrap();
    assert_eq!(batch.transactions.len(), 100);
    assert_eq!(sb.throttled(), 1);
    let stats = &c.transport().stats;
    assert_eq!(stats.throttled.load(Ordering::Relaxed), 1);
    assert_eq!(stats.retries.load(Ordering::Relaxed), 1);
    let newest = batch.transactions.iter().map(|t| t.updated_at).max();
    assert_eq!(batch.watermark, newest);
}

#[tokio::test]
async fn the_request_window_of_the_simulator_is_respected_through_retry_after() {
    let sb = sandbox(
        seed(50),
        QontoSandboxConfig {
            rate_limit: Some(RateLimit {
                requests: 3,
                window: Duration::from_secs(1),
            }),
            ..QontoSandboxConfig::default()
        },
    )
    .await;
    let c = key_client(&sb, 10);
    let all = c
        .transactions(&TransactionQuery::for_account(
            AccountSelector::BankAccountId(sb.bank_account_ids()[0].clone()),
        ))
        .await
        .unwrap();
    assert_eq!(all.len(), 50);
    assert!(sb.throttled() >= 1);
    assert_eq!(
        c.transport().stats.throttled.load(Ordering::Relaxed),
        sb.throttled()
    );
}

#[tokio::test]
async fn an_incremental_sync_sees_a_pending_payment_settle_and_counts_it_once() {
    let sb = sandbox(seed(30), QontoSandboxConfig::default()).await;
    let c = key_client(&sb, 25);
    let account = AccountSelector::BankAccountId(sb.bank_account_ids()[0].clone());
    let mut ledger = TransactionLedger::default();
    let first = c.sync_transactions(&account, None).await.unwrap();
    assert_eq!(first.transactions.len(), 30);
    ledger.apply_all(&first.transactions);
    let booked_before = ledger.booked_cents();

    // Through the admin HTTP API, as the demo does: a payment announced, settling in an hour;
    // a card refund that will be declined; a payment that settles and is reversed later.
    let admin = reqwest::Client::new();
    let add = |body: serde_json::Value| {
        let admin = admin.clone();
        let url = format!("{}/_sandbox/transactions", sb.url());
        async move {
            let r = admin.post(url).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 201);
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let paid = add(serde_json::json!({
        "amount": "1500.00", "counterparty_name": "Boulangerie Martin SAS",
        "reference": "Virement facture F-2026-0142 merci", "status": "pending",
        "settle_after_seconds": 3600,
    }))
    .await;
    let declined = add(serde_json::json!({
        "amount_cents": 4200, "counterparty_name": "SNCF Connect", "operation_type": "card",
        "status": "pending", "settle_after_seconds": 1800, "settle_as": "declined",
    }))
    .await;
    let reversed = add(serde_json::json!({
        "amount": "99.90", "counterparty_name": "Garage Lefèvre", "reference": "F-2026-0150",
        "reverse_after_seconds": 5400,
    }))
    .await;

    let second = c
        .sync_transactions(&account, first.watermark)
        .await
        .unwrap();
    let changes = ledger.apply_all(&second.transactions);
    let ids: Vec<_> = second
        .transactions
        .iter()
        .map(|t| t.transaction_id.as_str())
        .collect();
    for t in [&paid, &declined, &reversed] {
        assert!(
            ids.contains(&t["transaction_id"].as_str().unwrap()),
            "{ids:?}"
        );
    }
    assert_eq!(
        changes
            .iter()
            .filter(|c| matches!(c, LedgerChange::Booked(_)))
            .count(),
        1,
        "only the completed one is booked"
    );
    assert_eq!(ledger.booked_cents(), booked_before + 9_990);
    assert!(second.watermark > first.watermark);

    // The clock moves two hours: the payment settles, the refund is declined, the other reversed.
    let r: serde_json::Value = admin
        .post(format!("{}/_sandbox/clock/advance", sb.url()))
        .json(&serde_json::json!({ "seconds": 7200 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["changed"].as_array().unwrap().len(), 3);
    let third = c
        .sync_transactions(&account, second.watermark)
        .await
        .unwrap();
    let changes = ledger.apply_all(&third.transactions);
    let settled = ledger
        .get(paid["transaction_id"].as_str().unwrap())
        .unwrap();
    assert_eq!(settled.status, TransactionStatus::Completed);
    assert!(settled.settled_at.is_some());
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, LedgerChange::Booked(t) if t.id == settled.id))
    );
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, LedgerChange::Unbooked(_)))
    );
    assert_eq!(ledger.booked_cents(), booked_before + 150_000);

    // Nothing changed: the overlap re-reads rows, and nothing is counted twice.
    let fourth = c
        .sync_transactions(&account, third.watermark)
        .await
        .unwrap();
    assert!(
        ledger
            .apply_all(&fourth.transactions)
            .iter()
            .all(|c| *c == LedgerChange::Unchanged)
    );
    assert_eq!(fourth.watermark, third.watermark);
    assert_eq!(ledger.booked_cents(), booked_before + 150_000);
    let balance = c.organization().await.unwrap().bank_accounts[0].balance_cents;
    assert_eq!(balance, 2_500_000 + ledger.booked_cents());
}

#[tokio::test]
async fn a_transaction_settling_in_the_middle_of_a_sync_shifts_no_other_out_of_it() {
    let sb = sandbox(seed(0), QontoSandboxConfig::default()).await;
    let c = key_client(&sb, 10);
    let account = AccountSelector::BankAccountId(sb.bank_account_ids()[0].clone());
    let start = sb.now();
    // The oldest change: a payment announced now, settling in an hour…
    let pending = sb
        .add_transaction(&NewTransaction {
            amount_cents: Some(50_000),
            counterparty_name: "Studio Nguyen".into(),
            status: Some("pending".into()),
            settle_after_seconds: Some(3600),
            ..NewTransaction::default()
        })
        .unwrap();
    // …then 25 payments, one a minute.
    for i in 0..25 {
        sb.advance_clock(chrono::Duration::minutes(1));
        sb.add_transaction(&NewTransaction {
            amount_cents: Some(1_000 + i),
            counterparty_name: format!("Client {i}"),
            ..NewTransaction::default()
        })
        .unwrap();
    }
    // Right after the first page, the payment settles and moves to the end of the order:
    // paging by page number would now skip the row that slid onto page 1.
    sb.advance_clock_after_requests(1, chrono::Duration::hours(2));
    let batch = c
        .sync_transactions(&account, Some(start - chrono::Duration::minutes(5)))
        .await
        .unwrap();
    assert_eq!(batch.transactions.len(), 26, "every row once");
    let settled = batch
        .transactions
        .iter()
        .find(|t| t.transaction_id == pending["transaction_id"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        settled.status,
        TransactionStatus::Completed,
        "its latest state"
    );
    assert_eq!(batch.watermark, Some(settled.updated_at));
}

#[tokio::test]
async fn the_simulator_answers_json_api_errors_as_documented() {
    let sb = sandbox(seed(3), QontoSandboxConfig::default()).await;
    let (login, secret) = sb.api_key();
    let http = reqwest::Client::new();
    let get = |path: &str, auth: Option<String>| {
        let mut rb = http.get(format!("{}{path}", sb.url()));
        if let Some(a) = auth {
            rb = rb.header("Authorization", a);
        }
        async move {
            let r = rb.send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let key = Some(format!("{login}:{secret}"));
    let cases = [
        ("/v2/organization", None, 401, None),
        (
            "/v2/organization",
            Some(format!("Basic {secret}")),
            401,
            None,
        ),
        (
            "/v2/transactions",
            key.clone(),
            422,
            Some("bank_account_id"),
        ),
        (
            "/v2/transactions?iban=FR7616958000017283940556031&per_page=500",
            key.clone(),
            422,
            Some("per_page"),
        ),
        (
            "/v2/transactions?iban=FR7616958000017283940556031&status[]=settled",
            key.clone(),
            422,
            Some("status[]"),
        ),
        (
            "/v2/transactions?iban=FR7616958000017283940556031&sort_by=amount:asc",
            key.clone(),
            422,
            Some("sort_by"),
        ),
        (
            "/v2/transactions?bank_account_id=nope",
            key.clone(),
            404,
            None,
        ),
        ("/v2/nothing-here", key.clone(), 404, None),
    ];
    for (path, auth, status, parameter) in cases {
        let (got, body) = get(path, auth).await;
        assert_eq!(got, status, "{path}: {body}");
        let e = &body["errors"][0];
        assert!(
            e["code"].is_string() && e["detail"].is_string(),
            "{path}: {body}"
        );
        if let Some(p) = parameter {
            assert_eq!(e["source"]["parameter"], p, "{path}");
        }
    }
    // The legacy `current_page` is read like `page`.
    let (status, body) = get(
        "/v2/transactions?iban=FR7616958000017283940556031&current_page=2&per_page=2",
        key,
    )
    .await;
    assert_eq!(
        (status, body["meta"]["current_page"].as_u64()),
        (200, Some(2))
    );
    assert_eq!(body["meta"]["prev_page"].as_u64(), Some(1));
}
