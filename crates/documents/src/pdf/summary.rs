//! What follows the lines: the VAT breakdown beside the totals, the exemption wording of
//! untaxed categories, the payment instructions (with the EPC QR code when asked), the
//! notes and the legal mentions. Each block is kept whole on one page.

use encaisse_core::invoice::DocumentKind;
use encaisse_core::reference::PaymentReference;
use encaisse_core::vat::VatCategory;

use super::labels::category_name;
use super::layout::{Flow, LEFT, RIGHT, WIDTH, fit};
use super::legal;
use crate::drawing::{Align, Color, Op};
use crate::fonts::{self, Weight};

const TOTALS_X: f32 = 116.0;
const ROW: f32 = 5.2;

/// VAT breakdown (left) and totals (right).
pub fn totals(flow: &mut Flow<'_>) {
    let ctx = flow.ctx;
    let input = ctx.input;
    let t = input.totals();
    let l = ctx.labels;
    let loc = ctx.locale;
    let kind = input.invoice().kind;

    let mut rows: Vec<(&str, String, bool)> = vec![
        (l.total_net, loc.money(&t.tax_exclusive), false),
        (l.total_vat, loc.money(&t.vat_total), false),
        (l.total_gross, loc.money(&t.tax_inclusive), true),
    ];
    if !t.prepaid.is_zero() {
        rows.push((l.prepaid, loc.money(&t.prepaid.negated()), false));
    }
    let (band_label, band_amount) = match kind {
        DocumentKind::Invoice => (l.amount_due, t.due),
        DocumentKind::CreditNote => (l.credit_total, t.tax_inclusive),
    };
    let vat_rows = t.breakdown.len();
    let vat_height = 7.0 + vat_rows as f32 * ROW;
    let totals_height = rows.len() as f32 * ROW + 9.5;
    flow.ensure(vat_height.max(totals_height) + 2.0);
    let top = flow.y;
    let page = flow.page();

    // VAT breakdown.
    let widths = [34.0, 30.0, 26.0];
    let vat_right = LEFT + widths.iter().sum::<f32>();
    page.rect(LEFT, top, vat_right - LEFT, 6.0, Some(Color::SHADE));
    page.text(
        LEFT + 1.6,
        top + 4.2,
        7.5,
        Weight::Bold,
        Color::BLACK,
        Align::Left,
        &format!("{} · {}", l.vat_summary, l.rate),
    );
    page.text(
        LEFT + widths[0] + widths[1] - 1.6,
        top + 4.2,
        7.5,
        Weight::Bold,
        Color::BLACK,
        Align::Right,
        l.taxable,
    );
    page.text(
        vat_right - 1.6,
        top + 4.2,
        7.5,
        Weight::Bold,
        Color::BLACK,
        Align::Right,
        l.vat,
    );
    let mut y = top + 6.0;
    for b in &t.breakdown {
        let category = b.rate.category();
        let rate = match category_name(category, input.language()) {
            Some(name) => name.to_owned(),
            None => loc.percent(b.rate.percent()),
        };
        page.text(
            LEFT + 1.6,
            y + 3.9,
            8.5,
            Weight::Regular,
            Color::BLACK,
            Align::Left,
            &fit(&rate, Weight::Regular, 8.5, widths[0] - 3.0),
        );
        page.text(
            LEFT + widths[0] + widths[1] - 1.6,
            y + 3.9,
            8.5,
            Weight::Regular,
            Color::BLACK,
            Align::Right,
            &loc.amount(&b.taxable),
        );
        page.text(
            vat_right - 1.6,
            y + 3.9,
            8.5,
            Weight::Regular,
            Color::BLACK,
            Align::Right,
            &loc.amount(&b.tax),
        );
        y += ROW;
        page.line(LEFT, y, vat_right, y, Color::RULE, 0.15);
    }

    // Totals.
    let mut y = top;
    for (label, value, strong) in &rows {
        let weight = if *strong {
            Weight::Bold
        } else {
            Weight::Regular
        };
        if *strong {
            page.line(TOTALS_X, y, RIGHT, y, Color::RULE, 0.2);
        }
        page.text(
            TOTALS_X + 2.0,
            y + 3.9,
            9.0,
            weight,
            Color::BLACK,
            Align::Left,
            label,
        );
        page.text(
            RIGHT - 2.0,
            y + 3.9,
            9.0,
            weight,
            Color::BLACK,
            Align::Right,
            value,
        );
        y += ROW;
    }
    y += 1.5;
    page.rect(TOTALS_X, y, RIGHT - TOTALS_X, 8.0, Some(Color::ACCENT));
    page.text(
        TOTALS_X + 2.0,
        y + 5.5,
        10.5,
        Weight::Bold,
        Color::WHITE,
        Align::Left,
        band_label,
    );
    page.text(
        RIGHT - 2.0,
        y + 5.5,
        10.5,
        Weight::Bold,
        Color::WHITE,
        Align::Right,
        &loc.money(&band_amount),
    );
    flow.y = top + vat_height.max(totals_height) + 5.0;

    // Why untaxed categories carry no VAT.
    let mut seen: Vec<VatCategory> = Vec::new();
    for b in &t.breakdown {
        let category = b.rate.category();
        if seen.contains(&category) {
            continue;
        }
        seen.push(category);
        if let (Some(text), _) = input.exemption(category) {
            paragraph(flow, text, 8.0, Weight::Bold, Color::BLACK);
        }
    }
}

/// Writes a wrapped paragraph over the full width, kept on one page.
fn paragraph(flow: &mut Flow<'_>, text: &str, size: f32, weight: Weight, color: Color) {
    let lines = fonts::wrap(weight, size, text, WIDTH);
    let step = size * 0.42;
    flow.ensure(lines.len() as f32 * step + 1.0);
    let mut y = flow.y + step;
    let page = flow.page();
    for l in &lines {
        page.text(LEFT, y, size, weight, color, Align::Left, l);
        y += step;
    }
    flow.y = y - step + 2.6;
}

/// The reference as the payer should type it: RF in groups of 4, QR in groups of 5.
fn printed_reference(reference: Option<&PaymentReference>, fallback: &str) -> String {
    match reference {
        Some(PaymentReference::Creditor(r)) => r.grouped(),
        Some(PaymentReference::Qr(r)) => r.grouped(),
        None => fallback.to_owned(),
    }
}

/// How to pay: terms, account holder, IBAN, BIC, reference, and the EPC QR code.
pub fn payment(flow: &mut Flow<'_>) {
    let ctx = flow.ctx;
    let input = ctx.input;
    let l = ctx.labels;
    let pay = match input.payment() {
        // The QR-bill payment part already states account, reference and amount.
        Some(_) if ctx.qr_bill.is_some() => None,
        p => p,
    };
    let Some(pay) = pay else {
        // Credit notes say how the credit is settled; QR-bill invoices their terms.
        if let Some(terms) = input.payment_terms() {
            flow.y += 1.0;
            paragraph(flow, terms, 8.5, Weight::Regular, Color::BLACK);
        }
        return;
    };
    let mut facts: Vec<(&str, String)> = vec![
        (l.account_holder, input.organization().legal_name.clone()),
        ("IBAN", pay.account.grouped()),
    ];
    if let Some(bic) = &pay.bic {
        facts.push(("BIC", bic.clone()));
    }
    facts.push((
        l.payment_reference,
        printed_reference(input.invoice().payment_reference.as_ref(), &pay.reference),
    ));
    let qr = 30.0;
    let text_width = if ctx.epc.is_some() {
        WIDTH - qr - 10.0
    } else {
        WIDTH - 6.0
    };
    let terms = input
        .payment_terms()
        .map(|t| fonts::wrap(Weight::Regular, 8.5, t, text_width))
        .unwrap_or_default();
    let text_height = 8.0 + terms.len() as f32 * 3.8 + facts.len() as f32 * 4.3 + 2.0;
    let height = if ctx.epc.is_some() {
        text_height.max(qr + 9.0)
    } else {
        text_height
    };
    flow.ensure(height + 3.0);
    let top = flow.y;
    let page = flow.page();
    page.ops.push(Op::Rect {
        x: LEFT,
        y: top,
        w: WIDTH,
        h: height,
        fill: None,
        stroke: Some((Color::RULE, 0.25)),
    });
    page.text(
        LEFT + 3.0,
        top + 5.5,
        9.5,
        Weight::Bold,
        Color::ACCENT,
        Align::Left,
        l.payment,
    );
    let mut y = top + 10.0;
    for t in &terms {
        page.text(
            LEFT + 3.0,
            y,
            8.5,
            Weight::Regular,
            Color::BLACK,
            Align::Left,
            t,
        );
        y += 3.8;
    }
    y += 0.6;
    for (label, value) in &facts {
        page.text(
            LEFT + 3.0,
            y,
            8.0,
            Weight::Regular,
            Color::MUTED,
            Align::Left,
            label,
        );
        page.text(
            LEFT + 40.0,
            y,
            9.0,
            Weight::Bold,
            Color::BLACK,
            Align::Left,
            value,
        );
        y += 4.3;
    }
    if let Some(epc) = &ctx.epc
        && let Ok(symbol) = epc.qr_symbol()
    {
        let x = RIGHT - qr - 3.0;
        page.ops.push(Op::Qr {
            x,
            y: top + 3.0,
            size: qr,
            symbol,
            swiss_cross: false,
        });
        page.text(
            x + qr / 2.0,
            top + qr + 6.5,
            7.0,
            Weight::Regular,
            Color::MUTED,
            Align::Center,
            l.scan_to_pay,
        );
    }
    flow.y = top + height + 6.0;
}

/// Free notes, then the legal mentions in small print.
pub fn notes(flow: &mut Flow<'_>) {
    let ctx = flow.ctx;
    let notes = legal::free_notes(ctx);
    if !notes.is_empty() {
        flow.ensure(12.0);
        let y = flow.y;
        flow.page().text(
            LEFT,
            y + 3.5,
            9.0,
            Weight::Bold,
            Color::ACCENT,
            Align::Left,
            ctx.labels.notes,
        );
        flow.y += 5.0;
        for n in notes {
            paragraph(flow, n, 8.5, Weight::Regular, Color::BLACK);
        }
        flow.y += 1.5;
    }
    for m in legal::mentions(ctx) {
        paragraph(flow, m, 7.3, Weight::Regular, Color::MUTED);
    }
}
