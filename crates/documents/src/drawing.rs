//! A page as a list of drawing operations in millimetres, from the top-left corner, whatever
//! the output: the invoice layout and the QR-bill payment part are composed once as
//! [`Drawing`]s, then painted into a PDF ([`crate::pdf`]) or written as SVG
//! ([`Drawing::to_svg`]).

use std::fmt::Write as _;

use crate::fonts::{self, Weight};
use crate::qr_symbol::QrSymbol;

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub const BLACK: Color = Color(0, 0, 0);
    pub const WHITE: Color = Color(255, 255, 255);
    /// Secondary text (labels, legal small print).
    pub const MUTED: Color = Color(90, 90, 90);
    /// Rules and table borders.
    pub const RULE: Color = Color(190, 190, 190);
    /// Table header and total backgrounds.
    pub const SHADE: Color = Color(238, 240, 243);
    /// The document's accent (title, header rule).
    pub const ACCENT: Color = Color(31, 58, 96);

    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Where a text is anchored horizontally on its `x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
}

/// One drawing operation. Coordinates in millimetres from the top-left corner; text `y` is
/// the baseline.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        color: Color,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Color>,
        stroke: Option<(Color, f32)>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Color,
        /// Width in millimetres.
        width: f32,
        /// Dash and gap lengths in millimetres; solid when `None`.
        dash: Option<(f32, f32)>,
    },
    /// A QR symbol drawn module by module, `size` wide, optionally with the Swiss cross.
    Qr {
        x: f32,
        y: f32,
        size: f32,
        symbol: QrSymbol,
        swiss_cross: bool,
    },
    /// The logo given in the render options, scaled into the box.
    Logo { x: f32, y: f32, w: f32, h: f32 },
}

/// One page of drawing operations.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Drawing {
    pub width: f32,
    pub height: f32,
    pub ops: Vec<Op>,
}

impl Drawing {
    /// An empty A4 portrait page.
    pub fn a4() -> Drawing {
        Drawing {
            width: 210.0,
            height: 297.0,
            ops: Vec::new(),
        }
    }

    /// Text anchored at `x` (left, right or centre) on baseline `y`.
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        color: Color,
        align: Align,
        text: &str,
    ) {
        if text.trim().is_empty() {
            return;
        }
        let width = fonts::width(weight, size, text);
        let x = match align {
            Align::Left => x,
            Align::Right => x - width,
            Align::Center => x - width / 2.0,
        };
        self.ops.push(Op::Text {
            x,
            y,
            size,
            weight,
            color,
            text: text.to_owned(),
        });
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<Color>) {
        self.ops.push(Op::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke: None,
        });
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, color: Color, width: f32) {
        self.ops.push(Op::Line {
            x1,
            y1,
            x2,
            y2,
            color,
            width,
            dash: None,
        });
    }

    /// The drawing as a standalone SVG document sized in millimetres. Text is set in the
    /// families the QR-bill guidelines name, with DejaVu Sans Condensed (whose metrics placed
    /// it) as the last resort.
    pub fn to_svg(&self) -> String {
        let mut svg = String::with_capacity(16 * 1024);
        let _ = write!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{w}mm\" height=\"{h}mm\" viewBox=\"0 0 {w} {h}\">",
            w = num(self.width),
            h = num(self.height)
        );
        let _ = write!(
            svg,
            "<rect width=\"{}\" height=\"{}\" fill=\"#fff\"/>",
            num(self.width),
            num(self.height)
        );
        for op in &self.ops {
            svg_op(&mut svg, op);
        }
        svg.push_str("</svg>\n");
        svg
    }
}

const PT_PER_MM: f32 = 72.0 / 25.4;

/// Point size to millimetres (SVG user units of [`Drawing::to_svg`]).
pub fn pt_to_mm(pt: f32) -> f32 {
    pt / PT_PER_MM
}

fn svg_op(svg: &mut String, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            size,
            weight,
            color,
            text,
        } => {
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" font-family=\"Liberation Sans, Arial, Helvetica, DejaVu Sans Condensed, sans-serif\" font-size=\"{}\"{} fill=\"{}\" xml:space=\"preserve\">{}</text>",
                num(*x),
                num(*y),
                num(pt_to_mm(*size)),
                if *weight == Weight::Bold {
                    " font-weight=\"bold\""
                } else {
                    ""
                },
                color.hex(),
                escape(text)
            );
        }
        Op::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        } => {
            let fill = fill.map_or("none".to_owned(), Color::hex);
            let stroke = stroke.map_or(String::new(), |(c, width)| {
                format!(" stroke=\"{}\" stroke-width=\"{}\"", c.hex(), num(width))
            });
            let _ = write!(
                svg,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{stroke}/>",
                num(*x),
                num(*y),
                num(*w),
                num(*h)
            );
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            color,
            width,
            dash,
        } => {
            let dash = dash.map_or(String::new(), |(on, off)| {
                format!(" stroke-dasharray=\"{} {}\"", num(on), num(off))
            });
            let _ = write!(
                svg,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{dash}/>",
                num(*x1),
                num(*y1),
                num(*x2),
                num(*y2),
                color.hex(),
                num(*width)
            );
        }
        Op::Qr {
            x,
            y,
            size,
            symbol,
            swiss_cross,
        } => {
            let module = size / symbol.width() as f32;
            let _ = write!(
                svg,
                "<g transform=\"translate({} {}) scale({})\" shape-rendering=\"crispEdges\"><path fill=\"#000\" d=\"",
                num(*x),
                num(*y),
                num(module)
            );
            for (row, start, run) in symbol.dark_runs() {
                let _ = write!(svg, "M{start} {row}h{run}v1h-{run}z");
            }
            svg.push_str("\"/></g>");
            if *swiss_cross {
                for (cx, cy, w, h, color) in swiss_cross_rects(*x + size / 2.0, *y + size / 2.0) {
                    let _ = write!(
                        svg,
                        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                        num(cx),
                        num(cy),
                        num(w),
                        num(h),
                        color.hex()
                    );
                }
            }
        }
        // SVG output is only used for QR-bill slips, which carry no logo.
        Op::Logo { .. } => {}
    }
}

/// The Swiss cross of the QR-bill centred on (`cx`, `cy`): 7 × 7 mm with a 0.5 mm white
/// border, a black square and a white cross (arms 6/32 wide, 20/32 long of the square), as
/// `(x, y, w, h, colour)` rectangles in painting order.
pub fn swiss_cross_rects(cx: f32, cy: f32) -> [(f32, f32, f32, f32, Color); 4] {
    [
        (cx - 3.5, cy - 3.5, 7.0, 7.0, Color::WHITE),
        (cx - 3.0, cy - 3.0, 6.0, 6.0, Color::BLACK),
        (cx - 0.5625, cy - 1.875, 1.125, 3.75, Color::WHITE),
        (cx - 1.875, cy - 0.5625, 3.75, 1.125, Color::WHITE),
    ]
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if crate::xml::is_xml_char(c) => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

/// A number with at most 3 decimals and no trailing zeros.
fn num(v: f32) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_escapes_text_and_sizes_in_mm() {
        let mut d = Drawing {
            width: 210.0,
            height: 105.0,
            ops: vec![],
        };
        d.text(
            5.0,
            10.0,
            8.0,
            Weight::Bold,
            Color::BLACK,
            Align::Left,
            "A & <B>",
        );
        let svg = d.to_svg();
        assert!(svg.contains("width=\"210mm\" height=\"105mm\""));
        assert!(svg.contains(">A &amp; &lt;B&gt;</text>"));
        assert!(svg.contains("font-weight=\"bold\""));
    }

    #[test]
    fn right_aligned_text_ends_on_its_anchor() {
        let mut d = Drawing::a4();
        d.text(
            100.0,
            10.0,
            10.0,
            Weight::Regular,
            Color::BLACK,
            Align::Right,
            "1234",
        );
        let Op::Text { x, .. } = &d.ops[0] else {
            panic!("a text op")
        };
        let w = fonts::width(Weight::Regular, 10.0, "1234");
        assert!((x + w - 100.0).abs() < 1e-3);
    }
}
