//! Charts drawn on the server as SVG: no script, no download, readable without colour (every
//! bar carries its value as text and a `<title>`), scaled by the browser.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ratio(v: Decimal, max: Decimal) -> f64 {
    if max <= Decimal::ZERO {
        return 0.0;
    }
    (v / max).to_f64().unwrap_or(0.0).clamp(0.0, 1.0)
}

/// One group of two bars (a month: invoiced and collected).
pub struct PairBar {
    pub label: String,
    pub a: Decimal,
    pub a_text: String,
    pub b: Decimal,
    pub b_text: String,
}

/// Grouped vertical bars, two series; `names` are the series' names for the legend.
pub fn pair_bars(title: &str, names: (&str, &str), groups: &[PairBar]) -> String {
    let (w, h, top, bottom, left) = (640.0_f64, 260.0_f64, 30.0_f64, 40.0_f64, 10.0_f64);
    let plot_h = h - top - bottom;
    let max = groups
        .iter()
        .flat_map(|g| [g.a, g.b])
        .max()
        .unwrap_or(Decimal::ZERO);
    let slot = (w - 2.0 * left) / groups.len().max(1) as f64;
    let bar = (slot * 0.32).min(40.0);
    let mut s = format!(
        r##"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="c1t" xmlns="http://www.w3.org/2000/svg"><title id="c1t">{}</title>"##,
        esc(title)
    );
    s.push_str(&format!(
        r##"<rect x="{left}" y="6" width="12" height="12" class="s1"/><text x="{}" y="16" class="legend">{}</text><rect x="{}" y="6" width="12" height="12" class="s2"/><text x="{}" y="16" class="legend">{}</text>"##,
        left + 16.0,
        esc(names.0),
        left + 180.0,
        left + 196.0,
        esc(names.1)
    ));
    let base = top + plot_h;
    s.push_str(&format!(
        r##"<line x1="{left}" y1="{base}" x2="{}" y2="{base}" class="axis"/>"##,
        w - left
    ));
    for (i, g) in groups.iter().enumerate() {
        let x0 = left + slot * i as f64 + slot / 2.0 - bar - 2.0;
        for (k, (v, text, class)) in [(g.a, &g.a_text, "s1"), (g.b, &g.b_text, "s2")]
            .into_iter()
            .enumerate()
        {
            let bh = (plot_h * ratio(v, max)).max(if v > Decimal::ZERO { 1.0 } else { 0.0 });
            let x = x0 + k as f64 * (bar + 4.0);
            s.push_str(&format!(
                r##"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{bh:.1}" class="{class}"><title>{} — {}</title></rect>"##,
                base - bh,
                esc(&g.label),
                esc(text)
            ));
        }
        s.push_str(&format!(
            r##"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"##,
            left + slot * i as f64 + slot / 2.0,
            base + 18.0,
            esc(&g.label)
        ));
    }
    s.push_str("</svg>");
    s
}

/// One horizontal bar with its label and value.
pub struct Bar {
    pub label: String,
    pub value: Decimal,
    pub text: String,
    /// CSS class of the bar (`late1`…`late4`, `ok`).
    pub class: &'static str,
}

/// Horizontal bars, one per row, labelled with their value.
pub fn bars(title: &str, rows: &[Bar]) -> String {
    let (w, row_h, label_w) = (640.0_f64, 34.0_f64, 120.0_f64);
    let h = row_h * rows.len() as f64 + 8.0;
    let max = rows.iter().map(|r| r.value).max().unwrap_or(Decimal::ZERO);
    let plot_w = w - label_w - 150.0;
    let mut s = format!(
        r##"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="c2t" xmlns="http://www.w3.org/2000/svg"><title id="c2t">{}</title>"##,
        esc(title)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let bw =
            (plot_w * ratio(r.value, max)).max(if r.value > Decimal::ZERO { 2.0 } else { 0.0 });
        s.push_str(&format!(
            r##"<text x="0" y="{:.1}" class="tick">{}</text><rect x="{label_w}" y="{:.1}" width="{bw:.1}" height="{:.1}" class="{}"><title>{} — {}</title></rect><text x="{:.1}" y="{:.1}" class="value">{}</text>"##,
            y + row_h / 2.0 + 4.0,
            esc(&r.label),
            y + 6.0,
            row_h - 12.0,
            r.class,
            esc(&r.label),
            esc(&r.text),
            label_w + bw + 8.0,
            y + row_h / 2.0 + 4.0,
            esc(&r.text)
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn charts_are_self_contained_svg_with_text_values() {
        let svg = pair_bars(
            "Invoiced & collected",
            ("Invoiced", "Collected"),
            &[PairBar {
                label: "03/26".into(),
                a: dec!(10),
                a_text: "10 €".into(),
                b: dec!(5),
                b_text: "5 €".into(),
            }],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Invoiced &amp; collected") && svg.contains("10 €"));
        assert!(
            !svg.contains("http://") || svg.matches("http://").count() == 1,
            "only the namespace"
        );
        let svg = bars(
            "Aging",
            &[Bar {
                label: "90+".into(),
                value: dec!(0),
                text: "0 €".into(),
                class: "late4",
            }],
        );
        assert!(svg.contains("width=\"0.0\""));
    }
}
