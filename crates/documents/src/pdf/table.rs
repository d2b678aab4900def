//! The line table: description (wrapped), quantity, unit, unit price, discount (only when a
//! line has one), VAT rate and net amount; the header repeats on every page it continues
//! on, and a row is never split across pages.

use rust_decimal::Decimal;

use super::layout::{Flow, LEFT, WIDTH};
use super::{Context, labels};
use crate::drawing::{Align, Color, Drawing};
use crate::fonts::{self, Weight};

const HEADER_HEIGHT: f32 = 7.0;
const TEXT_SIZE: f32 = 8.5;
const LINE_HEIGHT: f32 = 3.7;
const PAD: f32 = 1.6;

struct Column {
    title: &'static str,
    width: f32,
    align: Align,
}

fn has_discount(ctx: &Context<'_>) -> bool {
    ctx.input
        .invoice()
        .lines
        .iter()
        .any(|l| l.discount_percent > Decimal::ZERO)
}

fn columns(ctx: &Context<'_>) -> Vec<Column> {
    let l = ctx.labels;
    let discount = has_discount(ctx);
    let numeric = [
        (l.quantity, 15.0),
        (l.unit, 14.0),
        (l.unit_price, 24.0),
        (l.discount, 14.0),
        (l.vat, 15.0),
        (l.net_amount, 25.0),
    ];
    let numeric: Vec<(&str, f32)> = numeric
        .into_iter()
        .filter(|(t, _)| discount || *t != l.discount)
        .collect();
    let used: f32 = numeric.iter().map(|(_, w)| w).sum();
    let mut cols = vec![Column {
        title: l.description,
        width: WIDTH - used,
        align: Align::Left,
    }];
    cols.extend(numeric.into_iter().map(|(title, width)| Column {
        title,
        width,
        align: if title == l.unit {
            Align::Left
        } else {
            Align::Right
        },
    }));
    cols
}

/// Draws `cells` in `cols` on baseline `y`, each anchored by its column's alignment.
fn draw_cells(
    page: &mut Drawing,
    cols: &[Column],
    y: f32,
    weight: Weight,
    size: f32,
    cells: &[String],
) {
    let mut x = LEFT;
    for (col, cell) in cols.iter().zip(cells) {
        let anchor = match col.align {
            Align::Left => x + PAD,
            Align::Right => x + col.width - PAD,
            Align::Center => x + col.width / 2.0,
        };
        page.text(anchor, y, size, weight, Color::BLACK, col.align, cell);
        x += col.width;
    }
}

/// Draws the header row at `y`; returns where the first row starts.
pub fn header(ctx: &Context<'_>, page: &mut Drawing, y: f32) -> f32 {
    let cols = columns(ctx);
    page.rect(LEFT, y, WIDTH, HEADER_HEIGHT, Some(Color::SHADE));
    let titles: Vec<String> = cols.iter().map(|c| c.title.to_owned()).collect();
    draw_cells(page, &cols, y + 4.7, Weight::Bold, 7.5, &titles);
    page.line(
        LEFT,
        y + HEADER_HEIGHT,
        LEFT + WIDTH,
        y + HEADER_HEIGHT,
        Color::ACCENT,
        0.3,
    );
    y + HEADER_HEIGHT
}

/// The cells of every line, with the description already wrapped to its column.
fn rows(ctx: &Context<'_>, cols: &[Column]) -> Vec<(Vec<String>, Vec<String>)> {
    let input = ctx.input;
    let loc = ctx.locale;
    let currency = input.currency();
    let discount = has_discount(ctx);
    let description_width = cols[0].width - 2.0 * PAD;
    input
        .invoice()
        .lines
        .iter()
        .zip(&input.totals().lines)
        .map(|(line, amounts)| {
            let description = fonts::wrap(
                Weight::Regular,
                TEXT_SIZE,
                line.description.trim(),
                description_width,
            );
            let mut cells = vec![
                String::new(),
                loc.quantity(line.quantity),
                labels::unit_name(&line.unit.0, input.language()),
                loc.price(line.unit_price, currency),
            ];
            if discount {
                cells.push(if line.discount_percent > Decimal::ZERO {
                    loc.percent(line.discount_percent)
                } else {
                    String::new()
                });
            }
            cells.push(loc.percent(line.vat.percent()));
            cells.push(loc.amount(&amounts.net));
            (description, cells)
        })
        .collect()
}

/// Flows the line table; rows that do not fit go to the next page under a repeated header.
pub fn lines(flow: &mut Flow<'_>) {
    let ctx = flow.ctx;
    let cols = columns(ctx);
    let rows = rows(ctx, &cols);
    let height = |n: usize| 3.4 + n as f32 * LINE_HEIGHT;
    let first = rows.first().map_or(0.0, |(d, _)| height(d.len()));
    flow.ensure(HEADER_HEIGHT + first);
    let y = flow.y;
    flow.y = header(ctx, flow.page(), y);
    flow.in_table = true;
    for (description, cells) in &rows {
        let h = height(description.len());
        flow.ensure(h);
        let y = flow.y;
        let page = flow.page();
        let baseline = y + 4.9;
        draw_cells(page, &cols, baseline, Weight::Regular, TEXT_SIZE, cells);
        for (i, l) in description.iter().enumerate() {
            page.text(
                LEFT + PAD,
                baseline + i as f32 * LINE_HEIGHT,
                TEXT_SIZE,
                Weight::Regular,
                Color::BLACK,
                Align::Left,
                l,
            );
        }
        page.line(LEFT, y + h, LEFT + WIDTH, y + h, Color::RULE, 0.15);
        flow.y = y + h;
    }
    flow.in_table = false;
    flow.y += 5.0;
}
