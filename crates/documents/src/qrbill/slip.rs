//! The printed QR-bill: receipt (62 mm) and payment part (148 mm) side by side, 105 mm high,
//! laid out per the Swiss Implementation Guidelines QR-bill v2.3 (section 3): 5 mm margins;
//! receipt sections title / information / amount / acceptance point; payment part sections
//! title, 46 × 46 mm Swiss QR code with the 7 mm cross, amount, and the information column;
//! headings 6 pt (receipt) and 8 pt (payment part) bold, values 8 pt and 10 pt; corner
//! marks where the payer fills in the amount or the address; a dashed separation line with
//! a scissors symbol, for plain paper.
//!
//! Typeface: the guidelines name Arial, Frutiger, Helvetica or Liberation Sans. The PDF is
//! set in DejaVu Sans Condensed (the font compiled into encaisse), a close sans-serif
//! substitute of similar width, not a metric clone; the SVG asks for Liberation Sans /
//! Arial / Helvetica first.

use encaisse_core::language::Language;
use encaisse_core::party::Country;
use rust_decimal::Decimal;

use super::{QrAddress, QrBill, QrBillError, QrBillReference};
use crate::drawing::{Align, Color, Drawing, Op};
use crate::fonts::{self, Weight};
use crate::pdf::{DocumentMeta, PdfError, to_pdf};

/// Where the payment part starts on an A4 page: its bottom 105 mm.
pub const TOP_ON_A4: f32 = 297.0 - HEIGHT;
/// Height of receipt and payment part.
pub const HEIGHT: f32 = 105.0;
/// Width of the receipt; the payment part takes the remaining 148 mm.
pub const RECEIPT_WIDTH: f32 = 62.0;
/// Side of the Swiss QR code.
pub const QR_SIZE: f32 = 46.0;

struct Words {
    payment_part: &'static str,
    receipt: &'static str,
    account: &'static str,
    reference: &'static str,
    information: &'static str,
    payable_by: &'static str,
    payable_by_blank: &'static str,
    currency: &'static str,
    amount: &'static str,
    acceptance_point: &'static str,
    separate: &'static str,
}

fn words(language: Language) -> Words {
    match language {
        Language::De => Words {
            payment_part: "Zahlteil",
            receipt: "Empfangsschein",
            account: "Konto / Zahlbar an",
            reference: "Referenz",
            information: "Zusätzliche Informationen",
            payable_by: "Zahlbar durch",
            payable_by_blank: "Zahlbar durch (Name/Adresse)",
            currency: "Währung",
            amount: "Betrag",
            acceptance_point: "Annahmestelle",
            separate: "Vor der Einzahlung abzutrennen",
        },
        Language::Fr => Words {
            payment_part: "Section paiement",
            receipt: "Récépissé",
            account: "Compte / Payable à",
            reference: "Référence",
            information: "Informations supplémentaires",
            payable_by: "Payable par",
            payable_by_blank: "Payable par (nom/adresse)",
            currency: "Monnaie",
            amount: "Montant",
            acceptance_point: "Point de dépôt",
            separate: "A détacher avant le versement",
        },
        Language::En => Words {
            payment_part: "Payment part",
            receipt: "Receipt",
            account: "Account / Payable to",
            reference: "Reference",
            information: "Additional information",
            payable_by: "Payable by",
            payable_by_blank: "Payable by (name/address)",
            currency: "Currency",
            amount: "Amount",
            acceptance_point: "Acceptance point",
            separate: "Separate before paying in",
        },
    }
}

/// The amount as the guidelines print it: space as thousands separator, decimal point.
fn printed_amount(a: Decimal) -> String {
    let mut v = a.round_dp(2);
    v.rescale(2);
    let s = v.to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    format!("{out}.{frac}")
}

fn printed_reference(r: &QrBillReference) -> Option<String> {
    match r {
        QrBillReference::Qr(q) => Some(q.grouped()),
        QrBillReference::Creditor(c) => Some(c.grouped()),
        QrBillReference::None => None,
    }
}

/// Name, street with number, and postcode with town (country-prefixed abroad).
fn address_lines(a: &QrAddress) -> Vec<String> {
    let mut lines = vec![a.name.clone()];
    let street = [a.street.as_deref(), a.building_number.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !street.is_empty() {
        lines.push(street);
    }
    let town = if a.country == Country::CH || a.country.as_str() == "LI" {
        format!("{} {}", a.postal_code, a.town)
    } else {
        format!("{}-{} {}", a.country, a.postal_code, a.town)
    };
    lines.push(town);
    lines
}

/// A box of corner marks (0.75 pt lines, 3 mm arms) where the payer writes by hand.
fn corner_marks(page: &mut Drawing, x: f32, y: f32, w: f32, h: f32) {
    let arm = 3.0;
    let width = 0.75 * 25.4 / 72.0;
    for (cx, cy, dx, dy) in [
        (x, y, 1.0, 1.0),
        (x + w, y, -1.0, 1.0),
        (x, y + h, 1.0, -1.0),
        (x + w, y + h, -1.0, -1.0),
    ] {
        page.line(cx, cy, cx + dx * arm, cy, Color::BLACK, width);
        page.line(cx, cy, cx, cy + dy * arm, Color::BLACK, width);
    }
}

/// A section of the information column: heading, then value lines wrapped to `width`.
/// Returns the baseline after the section's trailing blank line.
#[allow(clippy::too_many_arguments)]
fn section(
    page: &mut Drawing,
    x: f32,
    y: f32,
    width: f32,
    heading_size: f32,
    value_size: f32,
    heading: &str,
    values: &[String],
) -> f32 {
    let pitch = value_size * 1.1 * 25.4 / 72.0;
    page.text(
        x,
        y,
        heading_size,
        Weight::Bold,
        Color::BLACK,
        Align::Left,
        heading,
    );
    let mut y = y + pitch;
    for v in values {
        for l in fonts::wrap(Weight::Regular, value_size, v, width) {
            page.text(
                x,
                y,
                value_size,
                Weight::Regular,
                Color::BLACK,
                Align::Left,
                &l,
            );
            y += pitch;
        }
    }
    y + pitch * 0.6
}

/// Draws receipt and payment part with their top edge at `top` on `page`.
pub fn draw(page: &mut Drawing, top: f32, bill: &QrBill, language: Language) {
    let w = words(language);
    let x0 = 0.0;
    let px = RECEIPT_WIDTH;
    let dash = Some((1.2, 0.8));
    // Separation lines with the scissors, and the instruction above them.
    page.ops.push(Op::Line {
        x1: x0,
        y1: top,
        x2: page.width,
        y2: top,
        color: Color::BLACK,
        width: 0.2,
        dash,
    });
    page.ops.push(Op::Line {
        x1: px,
        y1: top,
        x2: px,
        y2: top + HEIGHT,
        color: Color::BLACK,
        width: 0.2,
        dash,
    });
    page.text(
        8.0,
        top + 1.6,
        12.0,
        Weight::Regular,
        Color::BLACK,
        Align::Left,
        "✂",
    );
    page.text(
        105.0,
        top - 1.2,
        6.5,
        Weight::Regular,
        Color::MUTED,
        Align::Center,
        w.separate,
    );

    let account = vec![bill.account().grouped()];
    let creditor = address_lines(bill.creditor());
    let reference = printed_reference(bill.reference());
    let amount = bill.amount().map(printed_amount);

    // Receipt.
    let rx = x0 + 5.0;
    let rw = RECEIPT_WIDTH - 10.0;
    page.text(
        rx,
        top + 9.0,
        11.0,
        Weight::Bold,
        Color::BLACK,
        Align::Left,
        w.receipt,
    );
    let mut y = top + 14.0;
    let mut values = account.clone();
    values.extend(creditor.iter().cloned());
    y = section(page, rx, y, rw, 6.0, 8.0, w.account, &values);
    if let Some(r) = &reference {
        y = section(
            page,
            rx,
            y,
            rw,
            6.0,
            8.0,
            w.reference,
            std::slice::from_ref(r),
        );
    }
    match bill.debtor() {
        Some(d) => {
            section(page, rx, y, rw, 6.0, 8.0, w.payable_by, &address_lines(d));
        }
        None => {
            page.text(
                rx,
                y,
                6.0,
                Weight::Bold,
                Color::BLACK,
                Align::Left,
                w.payable_by_blank,
            );
            corner_marks(page, rx, y + 1.5, 52.0, 20.0);
        }
    }
    let ay = top + 70.0;
    page.text(
        rx,
        ay,
        6.0,
        Weight::Bold,
        Color::BLACK,
        Align::Left,
        w.currency,
    );
    page.text(
        rx + 13.0,
        ay,
        6.0,
        Weight::Bold,
        Color::BLACK,
        Align::Left,
        w.amount,
    );
    page.text(
        rx,
        ay + 4.0,
        8.0,
        Weight::Regular,
        Color::BLACK,
        Align::Left,
        bill.currency().code(),
    );
    match &amount {
        Some(a) => page.text(
            rx + 13.0,
            ay + 4.0,
            8.0,
            Weight::Regular,
            Color::BLACK,
            Align::Left,
            a,
        ),
        None => corner_marks(page, rx + 22.0, ay + 1.5, 30.0, 10.0),
    }
    page.text(
        RECEIPT_WIDTH - 5.0,
        top + 86.0,
        6.0,
        Weight::Bold,
        Color::BLACK,
        Align::Right,
        w.acceptance_point,
    );

    // Payment part.
    let qx = px + 5.0;
    page.text(
        qx,
        top + 9.0,
        11.0,
        Weight::Bold,
        Color::BLACK,
        Align::Left,
        w.payment_part,
    );
    if let Ok(symbol) = bill.qr_symbol() {
        page.ops.push(Op::Qr {
            x: qx,
            y: top + 17.0,
            size: QR_SIZE,
            symbol,
            swiss_cross: true,
        });
    }
    let ay = top + 72.0;
    page.text(
        qx,
        ay,
        8.0,
        Weight::Bold,
        Color::BLACK,
        Align::Left,
        w.currency,
    );
    page.text(
        qx + 16.0,
        ay,
        8.0,
        Weight::Bold,
        Color::BLACK,
        Align::Left,
        w.amount,
    );
    page.text(
        qx,
        ay + 5.0,
        10.0,
        Weight::Regular,
        Color::BLACK,
        Align::Left,
        bill.currency().code(),
    );
    match &amount {
        Some(a) => page.text(
            qx + 16.0,
            ay + 5.0,
            10.0,
            Weight::Regular,
            Color::BLACK,
            Align::Left,
            a,
        ),
        None => corner_marks(page, qx + 11.0, ay + 2.0, 40.0, 15.0),
    }
    let ix = px + 56.0;
    let iw = page.width - 5.0 - ix;
    let mut y = top + 8.0;
    let mut values = account;
    values.extend(creditor);
    y = section(page, ix, y, iw, 8.0, 10.0, w.account, &values);
    if let Some(r) = &reference {
        y = section(
            page,
            ix,
            y,
            iw,
            8.0,
            10.0,
            w.reference,
            std::slice::from_ref(r),
        );
    }
    let information: Vec<String> = [bill.message(), bill.billing_information()]
        .into_iter()
        .flatten()
        .map(str::to_owned)
        .collect();
    if !information.is_empty() {
        y = section(page, ix, y, iw, 8.0, 10.0, w.information, &information);
    }
    match bill.debtor() {
        Some(d) => {
            section(page, ix, y, iw, 8.0, 10.0, w.payable_by, &address_lines(d));
        }
        None => {
            page.text(
                ix,
                y,
                8.0,
                Weight::Bold,
                Color::BLACK,
                Align::Left,
                w.payable_by_blank,
            );
            corner_marks(page, ix, y + 2.0, 65.0, 25.0);
        }
    }
    // Alternative procedures, if any, in the further-information section at the bottom.
    let mut fy = top + 95.0;
    for alt in bill.alternative_procedures() {
        page.text(qx, fy, 7.0, Weight::Regular, Color::BLACK, Align::Left, alt);
        fy += 3.0;
    }
}

/// Receipt and payment part on their own 210 × 105 mm page.
fn slip(bill: &QrBill, language: Language) -> Drawing {
    let mut page = Drawing {
        width: 210.0,
        height: HEIGHT,
        ops: Vec::new(),
    };
    draw(&mut page, 0.0, bill, language);
    page
}

/// A stand-alone QR-bill (receipt and payment part, 210 × 105 mm) as a PDF, for printing on
/// perforated paper or attaching to an invoice made elsewhere. Not archival (no PDF/A: a
/// payment slip carries no date).
pub fn render_pdf(bill: &QrBill, language: Language) -> Result<Vec<u8>, PdfError> {
    let meta = DocumentMeta {
        title: words(language).payment_part.to_owned(),
        language: language.code(),
        date: None,
        id: bill.payload(),
    };
    to_pdf(&[slip(bill, language)], None, &meta, Vec::new())
}

/// The same stand-alone QR-bill as an SVG document (210 × 105 mm).
pub fn render_svg(bill: &QrBill, language: Language) -> Result<String, QrBillError> {
    bill.qr_symbol()?;
    Ok(slip(bill, language).to_svg())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_are_grouped_by_spaces() {
        assert_eq!(printed_amount(dec!(1949.75)), "1 949.75");
        assert_eq!(printed_amount(dec!(1234567)), "1 234 567.00");
        assert_eq!(printed_amount(dec!(5)), "5.00");
    }
}
