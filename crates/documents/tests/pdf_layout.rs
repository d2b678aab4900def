//! The composed layout of the printed documents, before painting: nothing overlaps,
//! nothing leaves the printable area, the Swiss QR-bill payment part lands in the bottom
//! 105 mm of the last page, logos are placed and bad ones refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_core::invoice::UnitCode;
use encaisse_documents::drawing::{Drawing, Op, pt_to_mm};
use encaisse_documents::fonts;
use encaisse_documents::pdf::{self, Logo, PdfError, RenderOptions};
use lopdf::{Document, Object};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn epc() -> RenderOptions {
    RenderOptions {
        epc_qr: true,
        ..RenderOptions::default()
    }
}

#[test]
fn the_qr_bill_goes_on_the_last_page_or_a_page_of_its_own() {
    // Two short Swiss invoices: the payment part fits under the content.
    for f in [support::swiss_qr_iban(), support::swiss_scor()] {
        let pages = pdf::pages(&f.input(), &RenderOptions::default()).unwrap();
        assert_eq!(pages.len(), 1, "{}", f.name);
        assert!(pages[0].ops.iter().any(|o| matches!(
            o,
            Op::Qr {
                swiss_cross: true,
                ..
            }
        )));
    }
    // A long Swiss invoice: the payment part lands at the bottom of the last page.
    let mut f = support::swiss_scor();
    for i in 0..40 {
        f.invoice.lines.push(encaisse_core::invoice::InvoiceLine {
            description: format!("Beratung Teil {i}"),
            quantity: dec!(1),
            unit: UnitCode::hour(),
            unit_price: dec!(180),
            discount_percent: Decimal::ZERO,
            vat: support::s(dec!(8.1)),
            time_entry_ids: vec![],
        });
    }
    f.totals = f.invoice.totals().unwrap();
    let pages = pdf::pages(&f.input(), &RenderOptions::default()).unwrap();
    assert!(pages.len() >= 2);
    let with_qr: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.ops.iter().any(|o| matches!(o, Op::Qr { .. })))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(with_qr, vec![pages.len() - 1]);
    let Some(Op::Qr { y, size, .. }) = pages
        .last()
        .unwrap()
        .ops
        .iter()
        .find(|o| matches!(o, Op::Qr { .. }))
    else {
        unreachable!()
    };
    assert!((*size - 46.0).abs() < 1e-3);
    assert!(
        *y >= 297.0 - 105.0,
        "QR code at {y} mm, above the payment part"
    );
    // Nothing of the invoice body reaches into the payment part.
    check_layout("long swiss", &pages);
    // EUR invoices of French organizations never get one, and credit notes neither.
    for f in [support::domestic_fr(), support::credit_note_fr()] {
        let pages = pdf::pages(&f.input(), &epc()).unwrap();
        assert!(!pages.iter().flat_map(|p| &p.ops).any(|o| matches!(
            o,
            Op::Qr {
                swiss_cross: true,
                ..
            }
        )));
    }
}

/// Text boxes of a page: (x0, y0, x1, y1, text).
fn text_boxes(page: &Drawing) -> Vec<(f32, f32, f32, f32, &str)> {
    page.ops
        .iter()
        .filter_map(|o| match o {
            Op::Text {
                x,
                y,
                size,
                weight,
                text,
                ..
            } => {
                let h = pt_to_mm(*size);
                let w = fonts::width(*weight, *size, text);
                Some((*x, y - 0.74 * h, x + w, y + 0.2 * h, text.as_str()))
            }
            _ => None,
        })
        .collect()
}

/// No two texts overlap and every text stays inside the printable area.
fn check_layout(name: &str, pages: &[Drawing]) {
    for (n, page) in pages.iter().enumerate() {
        let boxes = text_boxes(page);
        for (i, a) in boxes.iter().enumerate() {
            assert!(
                a.0 >= 4.9 && a.2 <= page.width - 4.9 && a.1 >= 4.9 && a.3 <= page.height - 4.9,
                "{name} page {}: {:?} leaves the printable area",
                n + 1,
                a.4
            );
            for b in &boxes[i + 1..] {
                let overlap =
                    a.0 < b.2 - 0.05 && b.0 < a.2 - 0.05 && a.1 < b.3 - 0.05 && b.1 < a.3 - 0.05;
                assert!(
                    !overlap,
                    "{name} page {}: {:?} overlaps {:?}",
                    n + 1,
                    a.4,
                    b.4
                );
            }
        }
    }
}

#[test]
fn no_text_overlaps_and_nothing_leaves_the_page() {
    for f in support::all() {
        for options in [RenderOptions::default(), epc()] {
            let pages = pdf::pages(&f.input(), &options).unwrap();
            check_layout(f.name, &pages);
        }
    }
    // Long names and descriptions wrap instead of running over.
    let mut f = support::domestic_fr();
    f.client.name =
        "Société Coopérative d'Intérêt Collectif des Librairies Indépendantes du Marais".into();
    f.invoice.lines[0].description = "Développement ".repeat(30);
    f.totals = f.invoice.totals().unwrap();
    check_layout("long texts", &pdf::pages(&f.input(), &epc()).unwrap());
}

#[test]
fn logos_are_printed_and_bad_ones_refused() {
    // A 2 × 1 PNG (red, blue), made by hand.
    let png = tiny_png();
    let f = support::domestic_fr();
    let options = RenderOptions {
        logo: Some(Logo::new(png).unwrap()),
        ..RenderOptions::default()
    };
    let bytes = pdf::render(&f.input(), &options).unwrap();
    let doc = Document::load_mem(&bytes).unwrap();
    let images = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image"))
        .count();
    assert_eq!(images, 1);
    let pages = pdf::pages(&f.input(), &options).unwrap();
    check_layout("with logo", &pages);
    assert!(matches!(
        Logo::new(b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec()),
        Err(PdfError::SvgLogo)
    ));
    // A truncated PNG is an error, not a panic.
    let broken = Logo::new(b"\x89PNG\r\n\x1a\n\0\0".to_vec()).unwrap();
    let e = pdf::render(
        &f.input(),
        &RenderOptions {
            logo: Some(broken),
            ..RenderOptions::default()
        },
    );
    assert!(matches!(e, Err(PdfError::Logo(_))), "{e:?}");
}

/// A valid 2 × 1 RGB PNG.
fn tiny_png() -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn adler(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &d in data {
            a = (a + u32::from(d)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc(&body).to_be_bytes());
    }
    let raw = [0u8, 255, 0, 0, 0, 0, 255]; // filter 0, red, blue
    let mut z = vec![
        0x78,
        0x01,
        0x01,
        raw.len() as u8,
        0,
        !(raw.len() as u8),
        0xFF,
    ];
    z.extend(raw);
    z.extend(adler(&raw).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(2u32.to_be_bytes());
    ihdr.extend(1u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}
