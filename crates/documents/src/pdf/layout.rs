//! The page grid and the flow of blocks across A4 pages: the first-page letterhead (logo,
//! seller, title, buyer in the window-envelope position, key dates and references), a short
//! continuation header on later pages, the Swiss QR-bill payment part in the bottom 105 mm
//! of the last page (or of a page of its own when the last one is too full), and the
//! "page N / M" footers.

use encaisse_core::invoice::DocumentKind;
use encaisse_core::party::Address;

use super::{Context, legal, summary, table};
use crate::drawing::{Align, Color, Drawing};
use crate::fonts::{self, Weight};
use crate::qrbill::slip;

/// Left edge of the content.
pub const LEFT: f32 = 18.0;
/// Right edge of the content.
pub const RIGHT: f32 = 192.0;
/// Width of the content.
pub const WIDTH: f32 = RIGHT - LEFT;
/// Lowest point content may reach above the footer.
const BOTTOM: f32 = 274.0;
/// Where the footer rule is drawn.
const FOOTER_TOP: f32 = 278.0;
/// Lowest point content may reach on a page carrying the payment part.
const BOTTOM_ABOVE_SLIP: f32 = slip::TOP_ON_A4 - 14.0;

/// Blocks flowing down pages.
pub struct Flow<'c> {
    pub ctx: &'c Context<'c>,
    pages: Vec<Drawing>,
    /// Current vertical position on the last page.
    pub y: f32,
    /// Whether a page break repeats the line-table header.
    pub in_table: bool,
}

impl<'c> Flow<'c> {
    /// The drawing of the current page.
    pub fn page(&mut self) -> &mut Drawing {
        if self.pages.is_empty() {
            self.pages.push(Drawing::a4());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page unless `height` millimetres still fit on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Drawing::a4());
        self.y = continuation_header(self.ctx, self.page());
        if self.in_table {
            let y = self.y;
            self.y = table::header(self.ctx, self.page(), y);
        }
    }
}

/// All pages of the document, footers included.
pub fn compose(ctx: &Context<'_>) -> Vec<Drawing> {
    let mut flow = Flow {
        ctx,
        pages: vec![Drawing::a4()],
        y: 0.0,
        in_table: false,
    };
    flow.y = first_page_header(ctx, flow.page());
    table::lines(&mut flow);
    summary::totals(&mut flow);
    summary::payment(&mut flow);
    summary::notes(&mut flow);
    let mut footer_top = vec![FOOTER_TOP; flow.pages.len()];
    if let Some(bill) = &ctx.qr_bill {
        if flow.y > BOTTOM_ABOVE_SLIP {
            flow.pages.push(Drawing::a4());
            footer_top.push(FOOTER_TOP);
            let page = flow.page();
            continuation_header(ctx, page);
        }
        let last = footer_top.len() - 1;
        footer_top[last] = slip::TOP_ON_A4 - 11.0;
        slip::draw(flow.page(), slip::TOP_ON_A4, bill, ctx.input.language());
    }
    let mut pages = flow.pages;
    let count = pages.len();
    let line = legal::footer_line(ctx);
    for (i, page) in pages.iter_mut().enumerate() {
        footer(ctx, page, footer_top[i], i + 1, count, &line);
    }
    pages
}

fn title(ctx: &Context<'_>) -> &'static str {
    ctx.labels.title(ctx.input.invoice().kind)
}

/// The letterhead of page 1; returns where the next block starts.
fn first_page_header(ctx: &Context<'_>, page: &mut Drawing) -> f32 {
    let input = ctx.input;
    let org = input.organization();
    // Title and number, top right.
    page.text(
        RIGHT,
        24.0,
        22.0,
        Weight::Bold,
        Color::ACCENT,
        Align::Right,
        &title(ctx).to_uppercase(),
    );
    page.text(
        RIGHT,
        31.0,
        10.5,
        Weight::Bold,
        Color::BLACK,
        Align::Right,
        &format!("{} {}", ctx.labels.number, input.number()),
    );
    // Seller, top left, under the logo.
    let mut y = if ctx.logo {
        page.ops.push(crate::drawing::Op::Logo {
            x: LEFT,
            y: 14.0,
            w: 55.0,
            h: 20.0,
        });
        40.0
    } else {
        21.0
    };
    page.text(
        LEFT,
        y,
        12.0,
        Weight::Bold,
        Color::ACCENT,
        Align::Left,
        &org.legal_name,
    );
    y += 5.0;
    let details = &input.options().seller;
    let mut lines = address_lines(&org.address, None, ctx);
    lines.extend(
        [&details.phone, &details.email, &details.website]
            .into_iter()
            .flatten()
            .cloned(),
    );
    lines.extend(legal::identity_lines(
        &org.ids,
        input.seller_vat_id().is_some(),
        input.language(),
    ));
    for l in lines {
        page.text(LEFT, y, 8.5, Weight::Regular, Color::MUTED, Align::Left, &l);
        y += 3.9;
    }
    let seller_end = y;

    // Buyer, in the right window of a C5/DL envelope.
    let client = input.client();
    let bx = 112.0;
    let mut by = 48.0;
    page.text(
        bx,
        by,
        7.5,
        Weight::Regular,
        Color::MUTED,
        Align::Left,
        ctx.labels.bill_to,
    );
    by += 5.0;
    for (i, l) in fonts::wrap(Weight::Bold, 10.5, &client.name, RIGHT - bx)
        .iter()
        .enumerate()
    {
        page.text(bx, by, 10.5, Weight::Bold, Color::BLACK, Align::Left, l);
        by += if i == 0 { 4.8 } else { 4.5 };
    }
    for l in address_lines(&client.address, Some(org.address.country), ctx) {
        page.text(bx, by, 9.5, Weight::Regular, Color::BLACK, Align::Left, &l);
        by += 4.3;
    }
    by += 1.0;
    for l in legal::identity_lines(
        &client.ids,
        input.buyer_vat_id().is_some(),
        input.language(),
    ) {
        page.text(bx, by, 8.0, Weight::Regular, Color::MUTED, Align::Left, &l);
        by += 3.7;
    }
    key_facts(ctx, page, seller_end.max(by) + 5.0)
}

/// Street, postal code and town, and the country when it differs from `home`.
fn address_lines(
    a: &Address,
    home: Option<encaisse_core::party::Country>,
    ctx: &Context<'_>,
) -> Vec<String> {
    let mut lines = Vec::new();
    let street = [a.street.as_deref(), a.building_number.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>();
    if !street.is_empty() {
        // French addresses put the number first ("12 rue de Rivoli"), others after.
        let joined = if a.country == encaisse_core::party::Country::FR {
            street.iter().rev().copied().collect::<Vec<_>>().join(" ")
        } else {
            street.join(" ")
        };
        lines.push(joined);
    }
    lines.push(format!("{} {}", a.postal_code.trim(), a.city.trim()));
    if home.is_some_and(|h| h != a.country) {
        lines.push(legal::country_name(a.country, ctx.input.language()).to_uppercase());
    }
    lines
}

/// Dates and references in a shaded band of up to four columns per row.
fn key_facts(ctx: &Context<'_>, page: &mut Drawing, top: f32) -> f32 {
    let input = ctx.input;
    let l = ctx.labels;
    let loc = ctx.locale;
    let invoice = input.invoice();
    let mut facts: Vec<(&str, String)> = vec![(l.issue_date, loc.date(input.issue_date()))];
    if let Some(due) = input.due_date() {
        facts.push((l.due_date, loc.date(due)));
    }
    if let Some(p) = &invoice.service_period {
        facts.push((
            l.service_period,
            format!("{} – {}", loc.date(p.start), loc.date(p.end)),
        ));
    }
    if let Some(d) = input.options().delivery_date {
        facts.push((l.delivery_date, loc.date(d)));
    }
    if let Some(c) = &invoice.corrects {
        facts.push((
            l.corrected_invoice,
            format!("{} ({})", c.number, loc.date(c.issue_date)),
        ));
    }
    if let Some(r) = invoice
        .buyer_reference
        .as_deref()
        .filter(|r| !r.trim().is_empty())
    {
        facts.push((l.buyer_reference, r.to_owned()));
    }
    if let Some(po) = invoice
        .purchase_order
        .as_deref()
        .filter(|r| !r.trim().is_empty())
    {
        facts.push((l.purchase_order, po.to_owned()));
    }
    // Four cells per row; a value too long for one cell takes two.
    const COLUMNS: usize = 4;
    let cell = WIDTH / COLUMNS as f32;
    let mut placed: Vec<(usize, usize, usize)> = Vec::new(); // (row, column, span)
    let (mut row, mut col) = (0, 0);
    for (_, value) in &facts {
        let span = if fonts::width(Weight::Bold, 8.5, value) > cell - 4.0 {
            2
        } else {
            1
        };
        if col + span > COLUMNS {
            row += 1;
            col = 0;
        }
        placed.push((row, col, span));
        col += span;
    }
    let rows = row + 1;
    let row_height = 10.5;
    let height = rows as f32 * row_height + 1.5;
    page.rect(LEFT, top, WIDTH, height, Some(Color::SHADE));
    for ((label, value), (r, c, span)) in facts.iter().zip(placed) {
        let x = LEFT + 3.0 + c as f32 * cell;
        let y = top + r as f32 * row_height;
        page.text(
            x,
            y + 4.5,
            7.0,
            Weight::Regular,
            Color::MUTED,
            Align::Left,
            label,
        );
        let value = fit(value, Weight::Bold, 8.5, span as f32 * cell - 4.0);
        page.text(
            x,
            y + 8.8,
            8.5,
            Weight::Bold,
            Color::BLACK,
            Align::Left,
            &value,
        );
    }
    top + height + 7.0
}

/// `text` shortened with an ellipsis to fit `max` millimetres.
pub fn fit(text: &str, weight: Weight, size: f32, max: f32) -> String {
    if fonts::width(weight, size, text) <= max {
        return text.to_owned();
    }
    let mut out: String = text.to_owned();
    while !out.is_empty() && fonts::width(weight, size, &format!("{out}…")) > max {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

/// The header of pages after the first; returns where content starts.
fn continuation_header(ctx: &Context<'_>, page: &mut Drawing) -> f32 {
    let org = ctx.input.organization();
    page.text(
        LEFT,
        16.0,
        9.0,
        Weight::Bold,
        Color::ACCENT,
        Align::Left,
        &org.legal_name,
    );
    page.text(
        RIGHT,
        16.0,
        9.0,
        Weight::Bold,
        Color::BLACK,
        Align::Right,
        &format!(
            "{} {} {} ({})",
            title(ctx),
            ctx.labels.number,
            ctx.input.number(),
            ctx.labels.continued
        ),
    );
    page.line(LEFT, 18.5, RIGHT, 18.5, Color::ACCENT, 0.3);
    25.0
}

fn footer(ctx: &Context<'_>, page: &mut Drawing, top: f32, n: usize, count: usize, line: &str) {
    page.line(LEFT, top, RIGHT, top, Color::RULE, 0.2);
    let mut y = top + 3.6;
    for l in fonts::wrap(Weight::Regular, 6.8, line, WIDTH) {
        page.text(
            105.0,
            y,
            6.8,
            Weight::Regular,
            Color::MUTED,
            Align::Center,
            &l,
        );
        y += 3.0;
    }
    let kind = ctx.input.invoice().kind;
    let label = match kind {
        DocumentKind::Invoice => ctx.labels.invoice,
        DocumentKind::CreditNote => ctx.labels.credit_note,
    };
    y += 0.6;
    page.text(
        LEFT,
        y,
        7.5,
        Weight::Regular,
        Color::MUTED,
        Align::Left,
        &format!("{label} {}", ctx.input.number()),
    );
    page.text(
        RIGHT,
        y,
        7.5,
        Weight::Regular,
        Color::MUTED,
        Align::Right,
        &format!("{} {n} / {count}", ctx.labels.page),
    );
}
