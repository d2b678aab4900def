//! Time-sheet imports through the use case, on every backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_app::AppError;
use encaisse_app::billing::{BillingPeriod, DraftRun};
use encaisse_app::time_import::ImportRequest;
use encaisse_core::Currency;
use encaisse_core::party::Country;
use encaisse_store::testing::TestDb;
use rust_decimal_macros::dec;
use support::*;

fn fixture(name: &str) -> ImportRequest {
    let path = format!(
        "{}/../connectors/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    ImportRequest {
        file_name: name.into(),
        bytes: std::fs::read(path).unwrap(),
        ..ImportRequest::default()
    }
}

const MAP: &str =
    "date=Jour,project=Projet,client=Client,user=Consultant,duration=Heures,description=Remarque";

#[tokio::test]
async fn every_format_imports_and_the_same_file_twice_imports_nothing_new() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor, _) = french_app(&db).await;
        client(
            &app,
            &actor,
            "Boulangeries Lefèvre SAS",
            Country::FR,
            None,
            Currency::EUR,
        )
        .await;
        let r = app
            .import_timesheet(&actor, &fixture("clockify_detailed.csv"))
            .await
            .unwrap();
        assert_eq!((r.format.as_str(), r.imported, r.rows), ("clockify", 4, 4));
        assert_eq!(
            r.clients_created,
            vec!["Transports Mercier & Fils".to_owned()],
            "Lefèvre matched by name"
        );
        assert_eq!(r.projects_created.len(), 2);
        let again = app
            .import_timesheet(&actor, &fixture("clockify_detailed.csv"))
            .await
            .unwrap();
        assert_eq!((again.imported, again.unchanged), (0, 4));
        assert!(again.clients_created.is_empty() && again.projects_created.is_empty());

        let t = app
            .import_timesheet(&actor, &fixture("toggl_detailed.csv"))
            .await
            .unwrap();
        assert_eq!((t.format.as_str(), t.imported), ("toggl", 2));
        let k = app
            .import_timesheet(&actor, &fixture("kimai_semicolon_bom.csv"))
            .await
            .unwrap();
        assert_eq!(
            (
                k.format.as_str(),
                k.encoding.as_str(),
                k.separator.as_str(),
                k.imported
            ),
            ("kimai", "UTF-8 (BOM)", ";", 2)
        );
        let mut g = fixture("generic_cp1252_tab.tsv");
        g.mapping = Some("date=Jour,project=Projet,client=Client,user=Consultant,task=Tâche,duration=Heures,description=Remarque".into());
        let g = app.import_timesheet(&actor, &g).await.unwrap();
        assert_eq!(
            (g.encoding.as_str(), g.separator.as_str(), g.imported),
            ("Windows-1252", "tab", 4)
        );
        // Everything lands on the two clients' drafts with the files' own rates.
        let run = app
            .draft_invoices(
                &actor,
                &DraftRun {
                    period: BillingPeriod::parse("2026-10").unwrap(),
                    client_id: None,
                    dry_run: true,
                },
            )
            .await
            .unwrap();
        let lef = run
            .drafts
            .iter()
            .find(|d| d.client == "Boulangeries Lefèvre SAS")
            .unwrap();
        // Clockify 1:30 + 2:20 (+ pause, not billable), Toggl 2:00 + 0:45, Kimai 3:30 + 1:45, all at 95;
        // the generic file's 6 h carry no rate: no rate anywhere for them.
        assert_eq!(lef.hours, dec!(11.8333));
        assert_eq!(run.skipped.get("no_rate"), Some(&4));
        assert_eq!(run.skipped.get("not_billable"), Some(&1));
    }
}

#[tokio::test]
async fn a_file_with_errors_imports_nothing_unless_skip_invalid() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor, _) = french_app(&db).await;
        let mut req = fixture("generic_with_errors.csv");
        req.mapping = Some(MAP.into());
        let e = app.import_timesheet(&actor, &req).await.unwrap_err();
        let AppError::Invalid { field, message } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(field, "file");
        assert!(
            message.contains("2 row(s) cannot be imported, so nothing was imported"),
            "{message}"
        );
        assert!(
            message.contains("generic_with_errors.csv:3:5 (column `Heures`)"),
            "{message}"
        );
        assert!(
            message.contains("generic_with_errors.csv:4:1 (column `Jour`)"),
            "{message}"
        );
        assert!(billed(&app, &actor).await.is_empty(), "nothing imported");
        assert!(
            app.list_clients(
                &actor,
                &encaisse_store::clients::ClientFilter {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty(),
            "no client created either"
        );

        req.skip_invalid = true;
        let r = app.import_timesheet(&actor, &req).await.unwrap();
        assert_eq!((r.imported, r.skipped.len()), (2, 2));
        assert!(r.skipped[0].contains(":3:5"), "{:?}", r.skipped);
        let again = app.import_timesheet(&actor, &req).await.unwrap();
        assert_eq!((again.imported, again.unchanged), (0, 2));
        // A mapping naming an absent column is refused before anything is read.
        let mut bad = fixture("generic_with_errors.csv");
        bad.mapping = Some("date=Day,project=Projet,duration=Heures".into());
        let e = app.import_timesheet(&actor, &bad).await.unwrap_err();
        assert!(e.to_string().contains("`Day`"), "{e}");
    }
}

#[tokio::test]
async fn rows_without_client_need_a_known_project() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor, _) = french_app(&db).await;
        let c = client(
            &app,
            &actor,
            "Garage Moreau",
            Country::FR,
            None,
            Currency::EUR,
        )
        .await;
        project(&app, &actor, c, "Atelier", Some(eur(70))).await;
        let file = "Jour;Projet;Heures\n01/10/2026;Atelier;2\n02/10/2026;Inconnu;1\n";
        let mut req = ImportRequest {
            file_name: "h.csv".into(),
            bytes: file.as_bytes().to_vec(),
            mapping: Some("date=Jour,project=Projet,duration=Heures".into()),
            ..Default::default()
        };
        let e = app.import_timesheet(&actor, &req).await.unwrap_err();
        assert!(
            e.to_string()
                .contains("h.csv:3: project `Inconnu` is unknown"),
            "{e}"
        );
        req.skip_invalid = true;
        assert_eq!(
            app.import_timesheet(&actor, &req).await.unwrap().imported,
            1
        );
    }
}
