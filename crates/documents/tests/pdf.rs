//! The printed invoice read back: what lopdf finds inside (the Factur-X attachment, the XMP
//! declaration, embedded fonts, deterministic bytes), what a reader sees on the pages
//! (pdftotext from poppler-utils: number, totals, legal mentions, repeated headers, page
//! footers), and the composed layout itself (nothing overlaps, nothing leaves the page).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;

use encaisse_core::invoice::UnitCode;
use encaisse_core::language::Language;
use encaisse_documents::pdf::{self, RenderOptions};
use encaisse_documents::qrbill::{self, QrBill};
use encaisse_documents::{DocumentOptions, SellerDetails, cii};
use lopdf::{Document, Object};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// Renders a fixture; with `ENCAISSE_PDF_OUT=dir` also keeps the file there for eyes.
fn render(f: &support::Fixture, options: &RenderOptions) -> Vec<u8> {
    let bytes = pdf::render(&f.input(), options).unwrap_or_else(|e| panic!("{}: {e}", f.name));
    keep(f.name, &bytes);
    bytes
}

fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("ENCAISSE_PDF_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.pdf")),
            bytes,
        )
        .unwrap();
    }
}

fn epc() -> RenderOptions {
    RenderOptions {
        epc_qr: true,
        ..RenderOptions::default()
    }
}

/// The text of every page (pdftotext -layout), no-break spaces as plain spaces.
fn page_texts(bytes: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) is installed by the validators' setup.sh");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .replace('\u{a0}', " ")
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// The embedded files of the name tree: (name, file specification dictionary).
fn embedded_files(doc: &Document) -> Vec<(String, lopdf::Dictionary)> {
    let catalog = doc.catalog().unwrap();
    let names = doc.dereference(catalog.get(b"Names").unwrap()).unwrap().1;
    let tree = doc
        .dereference(names.as_dict().unwrap().get(b"EmbeddedFiles").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap()
        .clone();
    let array = tree.get(b"Names").unwrap().as_array().unwrap();
    array
        .chunks(2)
        .map(|pair| {
            let name = String::from_utf8_lossy(pair[0].as_str().unwrap()).into_owned();
            let spec = doc
                .dereference(&pair[1])
                .unwrap()
                .1
                .as_dict()
                .unwrap()
                .clone();
            (name, spec)
        })
        .collect()
}

#[test]
fn the_cii_travels_inside_as_factur_x_xml_declared_in_the_xmp() {
    for f in [
        support::domestic_fr(),
        support::swiss_qr_iban(),
        support::credit_note_fr(),
    ] {
        let bytes = render(&f, &epc());
        let doc = Document::load_mem(&bytes).unwrap();
        let files = embedded_files(&doc);
        assert_eq!(files.len(), 1, "{}", f.name);
        let (name, spec) = &files[0];
        assert_eq!(name, "factur-x.xml");
        assert_eq!(
            spec.get(b"AFRelationship").unwrap().as_name().unwrap(),
            b"Alternative"
        );
        assert_eq!(spec.get(b"UF").unwrap().as_str().unwrap(), b"factur-x.xml");
        let ef = spec.get(b"EF").unwrap().as_dict().unwrap();
        let stream_ref = ef.get(b"F").unwrap().as_reference().unwrap();
        let stream = doc.get_object(stream_ref).unwrap().as_stream().unwrap();
        assert_eq!(
            stream.dict.get(b"Subtype").unwrap().as_name().unwrap(),
            b"text/xml"
        );
        let params = stream.dict.get(b"Params").unwrap().as_dict().unwrap();
        assert!(params.get(b"ModDate").is_ok());
        let xml = stream.decompressed_content().unwrap();
        assert_eq!(
            String::from_utf8(xml).unwrap(),
            cii::to_xml(&f.input()).unwrap(),
            "{}: embedded XML differs from cii::to_xml",
            f.name
        );
        // The catalog lists it as an associated file.
        let af = doc
            .catalog()
            .unwrap()
            .get(b"AF")
            .unwrap()
            .as_array()
            .unwrap();
        assert_eq!(af.len(), 1);

        let meta_ref = doc
            .catalog()
            .unwrap()
            .get(b"Metadata")
            .unwrap()
            .as_reference()
            .unwrap();
        let meta = doc.get_object(meta_ref).unwrap().as_stream().unwrap();
        let xmp = String::from_utf8(meta.content.clone()).unwrap();
        for needle in [
            "<pdfaid:part>3</pdfaid:part>",
            "<pdfaid:conformance>B</pdfaid:conformance>",
            "xmlns:fx=\"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#\"",
            "<fx:DocumentType>INVOICE</fx:DocumentType>",
            "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>",
            "<fx:Version>1.0</fx:Version>",
            "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>",
            "<pdfaSchema:prefix>fx</pdfaSchema:prefix>",
        ] {
            assert!(xmp.contains(needle), "{}: XMP lacks {needle}", f.name);
        }
        assert_eq!(xmp.matches("<pdfaExtension:schemas>").count(), 1);
        // The trailer carries an /ID.
        assert!(doc.trailer.get(b"ID").is_ok());
    }
}

#[test]
fn the_extended_ctc_fr_profile_is_declared_extended() {
    let f = support::domestic_fr();
    let input = f.input_with(f.extended_ctc_fr_options());
    let bytes = pdf::render(&input, &RenderOptions::default()).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("<fx:ConformanceLevel>EXTENDED</fx:ConformanceLevel>"));
}

#[test]
fn every_font_is_embedded() {
    let bytes = render(&support::swiss_scor(), &RenderOptions::default());
    let doc = Document::load_mem(&bytes).unwrap();
    let mut descriptors = 0;
    for object in doc.objects.values() {
        if let Ok(dict) = object.as_dict()
            && dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor")
        {
            descriptors += 1;
            assert!(
                dict.get(b"FontFile2").is_ok() || dict.get(b"FontFile3").is_ok(),
                "font descriptor without embedded font program: {dict:?}"
            );
        }
    }
    assert_eq!(descriptors, 2, "regular and bold");
}

#[test]
fn a_page_shows_number_dates_totals_and_the_french_legal_mentions() {
    let f = support::domestic_fr();
    let pages = page_texts(&render(&f, &epc()));
    assert_eq!(pages.len(), 1);
    let p = &pages[0];
    for needle in [
        "FACTURE",
        "N° F-2026-00042",
        "31/01/2026",
        "02/03/2026",
        "01/01/2026 – 31/01/2026",
        "SERVICE-ACHATS",
        "PO-2026-117",
        "Développement de l'application de caisse",
        "Total HT",
        "4 980,40 €",
        "996,08 €",
        "Total TTC",
        "5 976,48 €",
        "Net à payer",
        "FR76 3000 6000 0112 3456 7890 189",
        "BNPAFRPPXXX",
        "RF93 F202 6000 42",
        "SIRET 732 829 320 00074",
        "N° TVA FR44732829320",
        "SIRET 303 265 045 00011",
        "trois fois le taux d'intérêt légal",
        "Indemnité forfaitaire pour frais de recouvrement",
        "40 €",
        "Pas d'escompte pour paiement anticipé",
        "Page 1 / 1",
    ] {
        assert!(p.contains(needle), "page lacks {needle:?}:\n{p}");
    }
}

#[test]
fn seller_details_and_a_custom_penalty_rate_are_printed() {
    let f = support::domestic_fr();
    let options = DocumentOptions {
        notes: vec![],
        seller: SellerDetails {
            legal_form: Some("SAS".into()),
            share_capital: Some("10 000 €".into()),
            registration: Some("RCS Paris 732 829 320".into()),
            email: Some("compta@atelier.example".into()),
            ..SellerDetails::default()
        },
        late_payment_rate: Some(dec!(12.5)),
        ..f.options.clone()
    };
    let input = f.input_with(options);
    // The mentions are completed in the XML too, so PDF and XML agree.
    let xml = cii::to_xml(&input).unwrap();
    assert!(xml.contains("taux annuel de 12,5 %"), "{xml}");
    assert!(xml.contains("<ram:SubjectCode>PMT</ram:SubjectCode>"));
    let p = page_texts(&pdf::render(&input, &RenderOptions::default()).unwrap()).concat();
    for needle in [
        "SAS au capital de 10 000 €",
        "RCS Paris 732 829 320",
        "compta@atelier.example",
        "taux annuel de 12,5 %",
        "Pas d'escompte",
    ] {
        assert!(p.contains(needle), "lacks {needle:?}:\n{p}");
    }
}

#[test]
fn swiss_invoice_speaks_german_with_swiss_numbers_and_the_uid() {
    let f = support::swiss_qr_iban();
    let p = page_texts(&render(&f, &RenderOptions::default())).concat();
    for needle in [
        "RECHNUNG",
        "Nr. F-2026-00007",
        "31.01.2026",
        "CHE-116.281.710 MWST",
        "CHF 3'267.32",
        "2'062.50",
        "Zahlteil",
        "Empfangsschein",
        "Konto / Zahlbar an",
        "CH44 3199 9123 0008 8901 2",
        "00 01040 00000 00000 00000 00075",
        "3 267.32",
        "Annahmestelle",
    ] {
        assert!(p.contains(needle), "lacks {needle:?}:\n{p}");
    }
}

#[test]
fn english_and_credit_note_titles() {
    let p = page_texts(&render(&support::reverse_charge_de(), &epc())).concat();
    for needle in [
        "INVOICE",
        "No. F-2026-00044",
        "Reverse charge",
        "€3,330.00",
        "Art. 196",
    ] {
        assert!(p.contains(needle), "lacks {needle:?}:\n{p}");
    }
    let p = page_texts(&render(&support::credit_note_fr(), &epc())).concat();
    for needle in [
        "AVOIR",
        "AV-2026-00003",
        "Facture d'origine",
        "F-2026-00042 (31/01/2026)",
        "Montant de l'avoir",
        "59,88 €",
    ] {
        assert!(p.contains(needle), "lacks {needle:?}:\n{p}");
    }
    // A credit note has no payment block and no payment code.
    assert!(!p.contains("IBAN"), "{p}");
}

#[test]
fn a_120_line_invoice_continues_with_repeated_headers_and_numbered_pages() {
    let f = support::large_fr();
    let pages = page_texts(&render(&f, &epc()));
    let n = pages.len();
    assert!(n > 1, "120 lines on {n} page(s)");
    for (i, p) in pages.iter().enumerate() {
        assert!(
            p.contains(&format!("Page {} / {n}", i + 1)),
            "page {}:\n{p}",
            i + 1
        );
        assert!(p.contains("F-2026-00120"), "page {}", i + 1);
        if i > 0 {
            assert!(p.contains("(suite)"), "page {}", i + 1);
        }
    }
    // Every page that has lines has the table header; every line appears exactly once.
    let all = pages.concat();
    for p in pages.iter().filter(|p| p.contains("Article ")) {
        assert!(p.contains("Désignation") && p.contains("Montant HT"), "{p}");
    }
    for i in 1..=120 {
        assert_eq!(
            all.matches(&format!("Article {i:03}")).count(),
            1,
            "Article {i:03}"
        );
    }
    let total = support::large_fr().totals.tax_inclusive.amount();
    assert!(
        all.contains(&format!("{} €", french(total))),
        "total {total} missing"
    );
}

/// `1234.5` → `1 234,50` (what the French locale prints).
fn french(d: Decimal) -> String {
    let s = format!("{:.2}", d);
    let (int, frac) = s.split_once('.').unwrap();
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    format!("{out},{frac}")
}

#[test]
fn the_same_invoice_gives_the_same_bytes() {
    for f in [
        support::domestic_fr(),
        support::swiss_qr_iban(),
        support::large_fr(),
    ] {
        let a = pdf::render(&f.input(), &epc()).unwrap();
        let b = pdf::render(&f.input(), &epc()).unwrap();
        assert!(a == b, "{}: two renderings differ", f.name);
    }
    // And another number gives another document ID.
    let f = support::domestic_fr();
    let mut g = support::domestic_fr();
    g.invoice.number = Some("F-2026-00099".into());
    let id = |bytes: &[u8]| {
        let doc = Document::load_mem(bytes).unwrap();
        format!("{:?}", doc.trailer.get(b"ID").unwrap())
    };
    assert_ne!(
        id(&pdf::render(&f.input(), &epc()).unwrap()),
        id(&pdf::render(&g.input(), &epc()).unwrap())
    );
}

#[test]
fn the_stand_alone_slip_is_a_210_by_105_page_in_the_payers_language() {
    let bill = QrBill::from_document(&support::swiss_scor().input()).unwrap();
    let bytes = qrbill::render_pdf(&bill, Language::Fr).unwrap();
    keep("slip", &bytes);
    let doc = Document::load_mem(&bytes).unwrap();
    assert_eq!(doc.get_pages().len(), 1);
    let p = page_texts(&bytes).concat();
    for needle in [
        "Récépissé",
        "Section paiement",
        "Compte / Payable à",
        "Point de dépôt",
        "RF41 F202 6000 08",
        "1 468.50",
    ] {
        assert!(p.contains(needle), "lacks {needle:?}:\n{p}");
    }
    let svg = qrbill::render_svg(&bill, Language::En).unwrap();
    assert!(svg.contains("width=\"210mm\" height=\"105mm\""));
    assert!(svg.contains(">Payment part</text>") && svg.contains(">Receipt</text>"));
    // A bill without amount and debtor gets the corner-mark boxes instead.
    let blank = QrBill::builder(
        bill.account().clone(),
        bill.creditor().clone(),
        bill.currency(),
    )
    .reference(bill.reference().clone())
    .build()
    .unwrap();
    let svg = qrbill::render_svg(&blank, Language::De).unwrap();
    assert!(svg.contains("Zahlbar durch (Name/Adresse)"));
    assert!(!svg.contains("1 468.50"));
}

/// The printed grand total (the "Total TTC" line) of a French invoice.
fn printed_grand_total(text: &str) -> Option<Decimal> {
    let line = text.lines().find(|l| l.contains("Total TTC"))?;
    let amount = line
        .split("Total TTC")
        .nth(1)?
        .trim()
        .trim_end_matches('€')
        .trim();
    amount.replace(' ', "").replace(',', ".").parse().ok()
}

/// BT-112 of the XML.
fn xml_grand_total(xml: &str) -> Decimal {
    let start = xml.find("<ram:GrandTotalAmount>").unwrap() + "<ram:GrandTotalAmount>".len();
    let end = start + xml[start..].find('<').unwrap();
    xml[start..end].parse().unwrap()
}

proptest! {
    // Rendering is slow in debug builds: a few cases, each a different invoice.
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn the_printed_grand_total_is_the_xml_one(
        lines in proptest::collection::vec(
            (1i64..5000, 1i64..500_000, 0i64..=30, 0usize..4),
            1..30,
        )
    ) {
        let rates = [dec!(20), dec!(10), dec!(5.5), dec!(2.1)];
        let mut f = support::domestic_fr();
        f.invoice.lines = lines
            .iter()
            .enumerate()
            .map(|(i, &(q, p, d, r))| encaisse_core::invoice::InvoiceLine {
                description: format!("Ligne {i}"),
                quantity: Decimal::new(q, 2),
                unit: UnitCode::hour(),
                unit_price: Decimal::new(p, 2),
                discount_percent: Decimal::from(d),
                vat: support::s(rates[r]),
                time_entry_ids: vec![],
            })
            .collect();
        f.totals = f.invoice.totals().unwrap();
        let input = f.input();
        let printed = printed_grand_total(&page_texts(&pdf::render(&input, &RenderOptions::default()).unwrap()).concat());
        prop_assert_eq!(printed, Some(xml_grand_total(&cii::to_xml(&input).unwrap())));
    }
}
