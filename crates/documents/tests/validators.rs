//! The generated documents checked by the official artefacts (shared/validators): Factur-X
//! XSD + Factur-X schematron (which embeds the EN 16931 BR-* rules) for CII, UBL 2.1 XSD +
//! CEN EN 16931 UBL schematron for UBL, the French BR-FR rules for French documents, and
//! the QR-bill / EPC checks on payloads and on the QR codes decoded back from the SVGs; the
//! rendered Factur-X PDFs (attachment, XMP, fonts, then the whole CII chain on the embedded
//! XML) and the QR codes decoded back from the rendered pages.
//!
//! The validators are found in `$ENCAISSE_VALIDATORS` (default: `<repo>/../shared/validators`)
//! and must be installed once with their `setup.sh`. When they are missing these tests FAIL;
//! set `ENCAISSE_SKIP_VALIDATORS=1` to skip them on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use encaisse_documents::epc::EpcQr;
use encaisse_documents::fec::{self, FecEncoding, FecOptions};
use encaisse_documents::pdf::{self, RenderOptions};
use encaisse_documents::qrbill::{self, QrBill};
use encaisse_documents::{cii, ubl};

struct Validators {
    dir: PathBuf,
}

/// What one validator run said.
struct Verdict {
    exit: Option<i32>,
    stdout: String,
}

impl Verdict {
    fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or("")
    }

    /// `N error(s), M warning(s)` from the RESULT line.
    fn counts(&self) -> Option<(u32, u32)> {
        let line = self.last_line();
        let errors = number_before(line, " error(s)")?;
        let warnings = number_before(line, " warning(s)")?;
        Some((errors, warnings))
    }

    fn passed(&self) -> bool {
        self.exit == Some(0)
            && self.last_line().starts_with("RESULT: PASS")
            && self.counts().is_some_and(|(e, _)| e == 0)
    }
}

fn number_before(line: &str, marker: &str) -> Option<u32> {
    let head = &line[..line.find(marker)?];
    head.rsplit(' ').next()?.parse().ok()
}

impl Validators {
    /// The validators, or `None` when skipping was asked for. Panics (fails the test) when
    /// they are missing or not installed.
    fn locate() -> Option<Validators> {
        if std::env::var("ENCAISSE_SKIP_VALIDATORS").as_deref() == Ok("1") {
            eprintln!(
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                 !! ENCAISSE_SKIP_VALIDATORS=1: the official e-invoice and QR validators were  !!\n\
                 !! NOT run. Generated CII/UBL/QR payloads are UNVERIFIED in this test run.    !!\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
            return None;
        }
        let dir = match std::env::var_os("ENCAISSE_VALIDATORS") {
            Some(d) => PathBuf::from(d),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/validators"),
        };
        assert!(
            dir.join("validate_cii.sh").is_file(),
            "validators not found in {} — set ENCAISSE_VALIDATORS to shared/validators, \
             or ENCAISSE_SKIP_VALIDATORS=1 to skip these tests on purpose",
            dir.display()
        );
        let v = Validators { dir };
        assert!(
            v.python().is_file(),
            "the validators' Python environment is missing ({}): run {}/setup.sh once",
            v.python().display(),
            v.dir.display()
        );
        Some(v)
    }

    /// The venv `setup.sh` creates (same resolution as the scripts).
    fn python(&self) -> PathBuf {
        if let Some(venv) = std::env::var_os("EVAL_VENV") {
            return PathBuf::from(venv).join("bin/python");
        }
        let home = std::env::var_os("VALIDATORS_HOME")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME")
                    .map(|c| PathBuf::from(c).join("encaisse-validators"))
            })
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".cache/encaisse-validators"))
            })
            .expect("HOME is not set");
        home.join("venv/bin/python")
    }

    fn run(&self, script: &str, file: &Path, args: &[&str]) -> Verdict {
        let out = Command::new("bash")
            .arg(self.dir.join(script))
            .arg(file)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
        let verdict = Verdict {
            exit: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        };
        assert_ne!(
            verdict.exit,
            Some(2),
            "{script} reports a tooling problem — run {}/setup.sh:\n{}",
            self.dir.display(),
            verdict.stdout
        );
        verdict
    }

    /// Renders an SVG to PNG with the validators' cairosvg, at 800 px.
    fn render_png(&self, svg: &Path, png: &Path) {
        let status = Command::new(self.python())
            .arg("-c")
            .arg(
                "import sys, cairosvg; cairosvg.svg2png(url=sys.argv[1], write_to=sys.argv[2], \
                 output_width=800, background_color='white')",
            )
            .arg(svg)
            .arg(png)
            .status()
            .expect("cannot run the validators' python");
        assert!(
            status.success(),
            "cairosvg could not render {}",
            svg.display()
        );
    }
}

/// Runs every check, prints a summary and fails with the full reports of the failures.
fn check_all(v: &Validators, checks: Vec<(String, &str, PathBuf, Vec<&str>)>) {
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for (label, script, file, args) in checks {
        let verdict = v.run(script, &file, &args);
        let (e, w) = verdict.counts().unwrap_or((u32::MAX, u32::MAX));
        summary.push(format!("{label:<48} {e} error(s), {w} warning(s)"));
        if !verdict.passed() {
            failures.push(format!("== {label} ==\n{}", verdict.stdout));
        }
    }
    println!("{}", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "validator failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn cii_of_every_fixture_passes_xsd_and_schematrons() {
    let Some(v) = Validators::locate() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut checks = Vec::new();
    for f in support::all() {
        let path = dir.path().join(format!("{}.cii.xml", f.name));
        std::fs::write(&path, cii::to_xml(&f.input()).unwrap()).unwrap();
        checks.push((
            format!("CII EN16931 {}", f.name),
            "validate_cii.sh",
            path,
            vec![],
        ));
    }
    check_all(&v, checks);
}

#[test]
fn french_documents_pass_extended_ctc_fr_and_the_br_fr_rules() {
    let Some(v) = Validators::locate() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut checks = Vec::new();
    for f in support::all().into_iter().filter(|f| f.french_ctc) {
        let en = dir.path().join(format!("{}.cii.xml", f.name));
        std::fs::write(&en, cii::to_xml(&f.input()).unwrap()).unwrap();
        checks.push((
            format!("CII EN16931 + BR-FR {}", f.name),
            "validate_cii.sh",
            en,
            vec!["--fr-ctc"],
        ));
        let ext = dir.path().join(format!("{}.ctc-fr.cii.xml", f.name));
        let xml = cii::to_xml(&f.input_with(f.extended_ctc_fr_options())).unwrap();
        assert!(xml.contains("urn.cpro.gouv.fr:1p0:extended-ctc-fr"));
        std::fs::write(&ext, xml).unwrap();
        checks.push((
            format!("CII EXTENDED-CTC-FR + BR-FR {}", f.name),
            "validate_cii.sh",
            ext,
            vec!["--fr-ctc"],
        ));
    }
    check_all(&v, checks);
}

#[test]
fn ubl_of_every_fixture_passes_xsd_and_cen_schematron() {
    let Some(v) = Validators::locate() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut checks = Vec::new();
    for f in support::all() {
        let path = dir.path().join(format!("{}.ubl.xml", f.name));
        std::fs::write(&path, ubl::to_xml(&f.input()).unwrap()).unwrap();
        checks.push((
            format!("UBL Peppol BIS 3 {}", f.name),
            "validate_ubl.sh",
            path,
            vec![],
        ));
    }
    check_all(&v, checks);
}

#[test]
fn qr_payloads_pass_the_qr_bill_and_epc_checks() {
    let Some(v) = Validators::locate() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut checks = Vec::new();
    for f in support::all() {
        let input = f.input();
        if let Ok(bill) = QrBill::from_document(&input) {
            let path = dir.path().join(format!("{}.spc.txt", f.name));
            std::fs::write(&path, bill.payload()).unwrap();
            checks.push((
                format!("QR-bill payload {}", f.name),
                "decode_qrbill.sh",
                path,
                vec!["--payload", "--expect", "spc"],
            ));
        }
        if let Ok(epc) = EpcQr::from_document(&input) {
            let path = dir.path().join(format!("{}.epc.txt", f.name));
            std::fs::write(&path, epc.payload()).unwrap();
            checks.push((
                format!("EPC payload {}", f.name),
                "decode_qrbill.sh",
                path,
                vec!["--payload", "--expect", "epc"],
            ));
        }
    }
    // The QR-bill fixtures and the EUR invoices must all have produced a payload.
    assert_eq!(checks.len(), 2 + 8, "unexpected set of payable fixtures");
    check_all(&v, checks);
}

#[test]
fn qr_svgs_decode_back_to_their_payloads_at_level_m() {
    let Some(v) = Validators::locate() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for f in [support::swiss_qr_iban(), support::swiss_scor()] {
        let bill = QrBill::from_document(&f.input()).unwrap();
        cases.push((
            format!("{}.spc", f.name),
            bill.payload(),
            bill.to_svg().unwrap(),
            "spc",
        ));
    }
    let f = support::domestic_fr();
    let epc = EpcQr::from_document(&f.input()).unwrap();
    cases.push((
        format!("{}.epc", f.name),
        epc.payload(),
        epc.to_svg().unwrap(),
        "epc",
    ));
    for (name, payload, svg, kind) in cases {
        let svg_path = dir.path().join(format!("{name}.svg"));
        let png_path = dir.path().join(format!("{name}.png"));
        std::fs::write(&svg_path, svg).unwrap();
        v.render_png(&svg_path, &png_path);
        let verdict = v.run(
            "decode_qrbill.sh",
            &png_path,
            &["--expect", kind, "--print-payload"],
        );
        assert!(verdict.passed(), "{name}:\n{}", verdict.stdout);
        assert!(
            verdict.stdout.contains("ec_level=M"),
            "{name}: error correction must be M:\n{}",
            verdict.stdout
        );
        let decoded = verdict
            .stdout
            .split("----- payload -----\n")
            .nth(1)
            .and_then(|rest| rest.split("\n-------------------").next())
            .expect("decoded payload printed");
        assert_eq!(
            decoded, payload,
            "{name}: decoded QR differs from the payload"
        );
        println!("{name:<48} decoded, EC level M, {}", verdict.last_line());
    }
}

#[test]
fn the_harness_catches_a_broken_document() {
    let Some(v) = Validators::locate() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let f = support::domestic_fr();
    let xml = cii::to_xml(&f.input()).unwrap();
    let total = format!(
        "<ram:GrandTotalAmount>{}</ram:GrandTotalAmount>",
        f.totals.tax_inclusive.to_decimal_string()
    );
    assert!(xml.contains(&total));
    let broken = xml.replace(&total, "<ram:GrandTotalAmount>1.00</ram:GrandTotalAmount>");
    let path = dir.path().join("broken.cii.xml");
    std::fs::write(&path, broken).unwrap();
    let verdict = v.run("validate_cii.sh", &path, &[]);
    assert!(
        !verdict.passed(),
        "a wrong grand total must fail:\n{}",
        verdict.stdout
    );
    assert!(verdict.stdout.contains("BR-CO-15"), "{}", verdict.stdout);
    let payload = QrBill::from_document(&support::swiss_qr_iban().input())
        .unwrap()
        .payload();
    let path = dir.path().join("broken.spc.txt");
    std::fs::write(&path, payload.replace("\nQRR\n", "\nSCOR\n")).unwrap();
    let verdict = v.run("decode_qrbill.sh", &path, &["--payload"]);
    assert!(
        !verdict.passed(),
        "QR-IBAN with SCOR must fail:\n{}",
        verdict.stdout
    );
}

/// The payload a decoder printed with `--print-payload` (the first one).
fn decoded_payload(stdout: &str) -> Option<&str> {
    stdout
        .split("----- payload -----\n")
        .nth(1)
        .and_then(|rest| rest.split("\n-------------------").next())
}

#[test]
fn pdf_of_every_fixture_passes_the_factur_x_checks() {
    let Some(v) = Validators::locate() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut checks = Vec::new();
    let options = RenderOptions {
        epc_qr: true,
        ..RenderOptions::default()
    };
    for f in support::all() {
        let path = dir.path().join(format!("{}.pdf", f.name));
        std::fs::write(&path, pdf::render(&f.input(), &options).unwrap()).unwrap();
        let args = if f.french_ctc {
            vec!["--fr-ctc"]
        } else {
            vec![]
        };
        let label = if f.french_ctc {
            format!("Factur-X PDF + BR-FR {}", f.name)
        } else {
            format!("Factur-X PDF {}", f.name)
        };
        checks.push((label, "validate_facturx_pdf.sh", path, args));
    }
    check_all(&v, checks);
}

#[test]
fn qr_codes_decoded_from_the_rendered_pages_are_the_payloads_meant() {
    let Some(v) = Validators::locate() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let options = RenderOptions {
        epc_qr: true,
        ..RenderOptions::default()
    };
    let mut cases = Vec::new();
    for f in [
        support::swiss_qr_iban(),
        support::swiss_scor(),
        support::domestic_fr(),
        support::large_fr(),
    ] {
        let input = f.input();
        let (payload, kind) = match QrBill::from_document(&input) {
            Ok(bill) => (bill.payload(), "spc"),
            Err(_) => (EpcQr::from_document(&input).unwrap().payload(), "epc"),
        };
        let path = dir.path().join(format!("{}.pdf", f.name));
        std::fs::write(&path, pdf::render(&input, &options).unwrap()).unwrap();
        cases.push((f.name.to_owned(), path, payload, kind));
    }
    // The stand-alone slip too.
    let bill = QrBill::from_document(&support::swiss_scor().input()).unwrap();
    let path = dir.path().join("slip.pdf");
    std::fs::write(
        &path,
        qrbill::render_pdf(&bill, encaisse_core::language::Language::Fr).unwrap(),
    )
    .unwrap();
    cases.push(("stand-alone slip".into(), path, bill.payload(), "spc"));
    for (name, path, payload, kind) in cases {
        let verdict = v.run(
            "decode_qrbill.sh",
            &path,
            &["--expect", kind, "--print-payload"],
        );
        assert!(verdict.passed(), "{name}:\n{}", verdict.stdout);
        assert!(
            !verdict.stdout.contains("WARN"),
            "{name}: size, position or EC level off:\n{}",
            verdict.stdout
        );
        assert_eq!(
            decoded_payload(&verdict.stdout),
            Some(payload.as_str()),
            "{name}: the printed QR code is not the payload meant"
        );
        println!(
            "{name:<48} {kind} decoded from the page, {}",
            verdict.last_line()
        );
    }
}

#[test]
fn the_pdf_harness_catches_a_wrong_profile_declaration() {
    let Some(v) = Validators::locate() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let f = support::domestic_fr();
    let good = pdf::render(&f.input(), &RenderOptions::default()).unwrap();
    // Same length, so the xref offsets stay valid: only the declared level changes.
    let from = b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>";
    let to = b"<fx:ConformanceLevel>EXTENDED</fx:ConformanceLevel>";
    let at = good
        .windows(from.len())
        .position(|w| w == from)
        .expect("the XMP declares EN 16931");
    assert_eq!(from.len(), to.len());
    let mut bad = good.clone();
    bad[at..at + from.len()].copy_from_slice(to);
    let path = dir.path().join("wrong-level.pdf");
    std::fs::write(&path, bad).unwrap();
    let verdict = v.run("validate_facturx_pdf.sh", &path, &[]);
    assert!(!verdict.passed(), "{}", verdict.stdout);
    assert!(verdict.stdout.contains("XMP-PROFILE"), "{}", verdict.stdout);
}

#[test]
fn fec_of_the_books_passes_validate_fec_in_both_encodings() {
    let Some(v) = Validators::locate() else {
        return;
    };
    let ledger = support::books();
    let siren = support::OrgBuilder::french().build().ids.siren.unwrap();
    let mut checks = Vec::new();
    let root = tempfile::tempdir().unwrap();
    for (name, encoding) in [("latin9", FecEncoding::Latin9), ("utf8", FecEncoding::Utf8)] {
        let file = fec::export(
            &ledger,
            &FecOptions {
                siren: siren.clone(),
                closing_date: support::date(2026, 12, 31),
                encoding,
            },
        );
        // The validator checks the legal file name too.
        let dir = root.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(&file.file_name);
        std::fs::write(&path, &file.content).unwrap();
        checks.push((
            format!("FEC {name} {}", file.file_name),
            "validate_fec.sh",
            path,
            vec![],
        ));
    }
    check_all(&v, checks);
    // And an unbalanced copy is caught.
    let file = fec::export(
        &ledger,
        &FecOptions {
            siren,
            closing_date: support::date(2026, 12, 31),
            encoding: FecEncoding::Utf8,
        },
    );
    let text = String::from_utf8(file.content)
        .unwrap()
        .replacen("\t5976,48\t", "\t5976,47\t", 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(&file.file_name);
    std::fs::write(&path, text).unwrap();
    let verdict = v.run("validate_fec.sh", &path, &[]);
    assert!(!verdict.passed(), "{}", verdict.stdout);
    assert!(verdict.stdout.contains("FEC-BALANCE"), "{}", verdict.stdout);
}
