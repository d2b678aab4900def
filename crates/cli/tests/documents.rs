//! End-to-end: the documents of issued invoices and the accounting exports through the real
//! `encaisse` binary, on the demo workspace (SQLite, and PostgreSQL when
//! ENCAISSE_TEST_DATABASE_URL is set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use encaisse_store::testing::TestDb;

struct Env {
    db: TestDb,
    dir: tempfile::TempDir,
}

impl Env {
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::cargo_bin("encaisse")
            .unwrap()
            .arg("--data-dir")
            .arg(self.dir.path())
            .arg("--database-url")
            .arg(&self.db.url)
            .env("RUST_LOG", "warn")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "encaisse {args:?} failed:\n{out}\n{err}");
        out
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

fn list(env: &Env, org: &str) -> Vec<serde_json::Value> {
    let out = env.ok(&["--org", org, "invoice", "list", "--format", "json"]);
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn issued_invoice(items: &[serde_json::Value]) -> (String, String) {
    let i = items
        .iter()
        .find(|i| {
            i["number"].is_string()
                && i["status"] != "cancelled"
                && i["number"].as_str().unwrap().contains('-')
                && !i["number"].as_str().unwrap().starts_with("AV")
                && !i["number"].as_str().unwrap().starts_with("GS")
        })
        .expect("an issued invoice");
    (
        i["number"].as_str().unwrap().to_owned(),
        i["issue_date"].as_str().unwrap()[..4].to_owned(),
    )
}

#[tokio::test]
async fn issued_documents_and_exports_come_out_of_the_binary() {
    for db in TestDb::all().await.unwrap() {
        let env = Env {
            db,
            dir: tempfile::tempdir().unwrap(),
        };
        env.ok(&["demo", "--no-serve"]);
        let fr = list(&env, "octet-associes");
        let (number, year) = issued_invoice(&fr);

        // The PDF as issued: its SHA-256 is the one `invoice show` lists.
        let pdf = env.path("invoice.pdf");
        let said = env.ok(&[
            "--org",
            "octet-associes",
            "invoice",
            "pdf",
            &number,
            "-o",
            &pdf,
        ]);
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
        let show = env.ok(&["--org", "octet-associes", "invoice", "show", &number]);
        let pdf_line = show
            .lines()
            .find(|l| l.starts_with("facturx_pdf"))
            .unwrap_or_else(|| panic!("no stored PDF listed:\n{show}"));
        let sha = pdf_line.rsplit(' ').next().unwrap();
        assert!(said.contains(sha), "{said} vs {pdf_line}");

        let cii = env.path("invoice.cii.xml");
        env.ok(&[
            "--org",
            "octet-associes",
            "invoice",
            "xml",
            &number,
            "--format",
            "cii",
            "-o",
            &cii,
        ]);
        let cii = std::fs::read_to_string(&cii).unwrap();
        assert!(cii.contains("CrossIndustryInvoice") && cii.contains(&number));
        // UBL (Peppol BIS 3) exists where the invoice had a purchase order or buyer reference.
        let ubl = env.path("invoice.ubl.xml");
        let (code, _, err) = env.run(&[
            "--org",
            "octet-associes",
            "invoice",
            "xml",
            &number,
            "--format",
            "ubl",
            "-o",
            &ubl,
        ]);
        if code != 0 {
            assert!(err.contains("has no UBL") && err.contains("BT-13"), "{err}");
            let with_ubl = fr
                .iter()
                .filter_map(|i| i["number"].as_str())
                .find(|n| {
                    env.ok(&["--org", "octet-associes", "invoice", "show", n])
                        .lines()
                        .any(|l| l.starts_with("ubl_xml"))
                })
                .expect("a demo invoice with a UBL")
                .to_owned();
            env.ok(&[
                "--org",
                "octet-associes",
                "invoice",
                "xml",
                &with_ubl,
                "--format",
                "ubl",
                "-o",
                &ubl,
            ]);
        }
        assert!(std::fs::read_to_string(&ubl).unwrap().contains("<Invoice"));

        // A French EUR invoice has no QR-bill; the Swiss ones do, as SVG or PDF.
        let (code, _, err) = env.run(&[
            "--org",
            "octet-associes",
            "invoice",
            "qrbill",
            &number,
            "-o",
            &env.path("x.svg"),
        ]);
        assert_eq!(code, 1);
        assert!(err.contains("no Swiss QR-bill"), "{err}");
        let ch = list(&env, "octet-suisse");
        let (ch_number, _) = issued_invoice(&ch);
        let svg = env.path("slip.svg");
        env.ok(&[
            "--org",
            "octet-suisse",
            "invoice",
            "qrbill",
            &ch_number,
            "-o",
            &svg,
        ]);
        assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
        let slip = env.path("slip.pdf");
        env.ok(&[
            "--org",
            "octet-suisse",
            "invoice",
            "qrbill",
            &ch_number,
            "-o",
            &slip,
        ]);
        assert!(std::fs::read(&slip).unwrap().starts_with(b"%PDF-"));
        let (code, _, err) = env.run(&[
            "--org",
            "octet-suisse",
            "invoice",
            "qrbill",
            &ch_number,
            "-o",
            &env.path("slip.png"),
        ]);
        assert_eq!(code, 1);
        assert!(err.contains(".svg or FILE.pdf"), "{err}");

        // A draft has no documents but a preview; it keeps having no number.
        let draft = fr.iter().find(|i| i["number"].is_null()).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (code, _, err) = env.run(&[
            "--org",
            "octet-associes",
            "invoice",
            "pdf",
            &draft,
            "-o",
            &env.path("d.pdf"),
        ]);
        assert_eq!(code, 1);
        assert!(err.contains("not issued"), "{err}");
        let preview = env.path("preview.pdf");
        env.ok(&[
            "--org",
            "octet-associes",
            "invoice",
            "preview",
            &draft,
            "-o",
            &preview,
        ]);
        assert!(std::fs::read(&preview).unwrap().starts_with(b"%PDF-"));

        // The FEC lands in a folder under its legal name.
        let books = env.dir.path().join("books");
        std::fs::create_dir(&books).unwrap();
        let out = env.ok(&[
            "--org",
            "octet-associes",
            "export",
            "fec",
            "--year",
            &year,
            "-o",
            books.to_str().unwrap(),
        ]);
        let files: Vec<String> = std::fs::read_dir(&books)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files.len(), 1, "{out}");
        assert!(
            files[0].len() == 24
                && files[0][9..].starts_with("FEC")
                && files[0].ends_with(&format!("{year}1231.txt")),
            "{files:?}"
        );
        let fec = std::fs::read(books.join(&files[0])).unwrap();
        let fec: String = fec.iter().map(|&b| b as char).collect();
        assert!(
            fec.lines()
                .next()
                .unwrap()
                .starts_with("JournalCode\tJournalLib\tEcritureNum")
        );
        assert!(
            fec.lines().any(|l| l.starts_with("VE\t"))
                && fec.lines().any(|l| l.starts_with("BQ\t"))
        );

        let journal = env.path("journal.csv");
        env.ok(&[
            "--org",
            "octet-associes",
            "export",
            "journal",
            "--year",
            &year,
            "-o",
            &journal,
        ]);
        assert!(std::fs::read_to_string(&journal).unwrap().lines().count() > 100);
        // The Swiss books are in CHF: the EUR client's documents are left out, and said so.
        let (code, _, err) = env.run(&[
            "--org",
            "octet-suisse",
            "export",
            "journal",
            "--year",
            &year,
            "-o",
            &journal,
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("left out"), "{err}");
        let (code, _, err) = env.run(&[
            "--org",
            "octet-suisse",
            "export",
            "fec",
            "--year",
            &year,
            "-o",
            &env.path("x.txt"),
        ]);
        assert_eq!(code, 1);
        assert!(err.contains("SIREN"), "{err}");

        // The organization's settings: shown, changed (checked), never reaching issued PDFs.
        let before = std::fs::read(&pdf).unwrap();
        env.ok(&[
            "--org",
            "octet-associes",
            "org",
            "set",
            "--legal-form",
            "SARL",
            "--bic",
            "bnpafrppxxx",
        ]);
        let shown = env.ok(&["--org", "octet-associes", "org", "show"]);
        assert!(
            shown.contains("SARL") && shown.contains("BNPAFRPPXXX"),
            "{shown}"
        );
        let (code, _, err) = env.run(&["--org", "octet-associes", "org", "set", "--bic", "BNP"]);
        assert_eq!(code, 1);
        assert!(err.contains("bic"), "{err}");
        let (code, _, err) = env.run(&[
            "--org",
            "octet-associes",
            "org",
            "set",
            "--iban",
            "CH4431999123000889012",
        ]);
        assert_eq!(code, 1);
        assert!(err.contains("QR-IBAN"), "{err}");
        env.ok(&[
            "--org",
            "octet-associes",
            "invoice",
            "pdf",
            &number,
            "-o",
            &pdf,
        ]);
        assert_eq!(
            std::fs::read(&pdf).unwrap(),
            before,
            "an issued PDF never changes"
        );

        let oxygene = env.path("oxygene.xml");
        env.ok(&[
            "--org",
            "octet-associes",
            "export",
            "oxygene",
            "--year",
            &year,
            "-o",
            &oxygene,
        ]);
        let xml = String::from_utf8_lossy(&std::fs::read(&oxygene).unwrap()).into_owned();
        assert!(xml.contains(&number), "{xml}");
    }
}
