//! The QR symbol of a payment payload (Swiss QR-bill, EPC) and its SVG drawing.
//!
//! Both payment standards ask for error correction level M and UTF-8 text; the whole payload
//! is encoded as a single byte-mode segment (what the reference encoders do), in the smallest
//! QR version that holds it.

use qrcode::bits::Bits;
use qrcode::{Color, EcLevel, QrCode, Version};

/// Why a payload cannot become a QR code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrSymbolError {
    #[error("the payload ({bytes} bytes) does not fit in a QR code at error correction level M")]
    TooLong { bytes: usize },
}

/// A QR code's modules, dark or light, row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrSymbol {
    version: i16,
    width: usize,
    dark: Vec<bool>,
}

/// How to draw a symbol as SVG.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SvgLayout {
    /// Side of the code itself, without quiet zone, in millimetres.
    pub code_mm: f64,
    /// White margin around the code, in millimetres.
    pub quiet_zone_mm: f64,
    /// Overlay the Swiss cross (7 mm on a 46 mm code) in the centre.
    pub swiss_cross: bool,
}

impl QrSymbol {
    /// Encodes `payload` at error correction level M.
    pub fn new(payload: &str) -> Result<QrSymbol, QrSymbolError> {
        let data = payload.as_bytes();
        for v in 1..=40 {
            let mut bits = Bits::new(Version::Normal(v));
            if bits.push_byte_data(data).is_err() || bits.push_terminator(EcLevel::M).is_err() {
                continue;
            }
            let Ok(code) = QrCode::with_bits(bits, EcLevel::M) else {
                continue;
            };
            let width = code.width();
            let dark = code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect();
            return Ok(QrSymbol {
                version: v,
                width,
                dark,
            });
        }
        Err(QrSymbolError::TooLong { bytes: data.len() })
    }

    /// QR version (1–40).
    pub fn version(&self) -> i16 {
        self.version
    }

    /// Modules per side.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark; outside the symbol is light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// The symbol as a standalone SVG document sized in millimetres.
    pub fn to_svg(&self, layout: SvgLayout) -> String {
        let w = self.width as f64;
        let module_mm = layout.code_mm / w;
        let q = layout.quiet_zone_mm / module_mm;
        let total_mm = layout.code_mm + 2.0 * layout.quiet_zone_mm;
        let mut svg = String::with_capacity(self.width * self.width * 4);
        svg.push_str(&format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{}mm\" height=\"{}mm\" viewBox=\"{} {} {} {}\" shape-rendering=\"crispEdges\">",
            num(total_mm),
            num(total_mm),
            num(-q),
            num(-q),
            num(w + 2.0 * q),
            num(w + 2.0 * q),
        ));
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fff\"/>",
            num(-q),
            num(-q),
            num(w + 2.0 * q),
            num(w + 2.0 * q)
        ));
        svg.push_str("<path fill=\"#000\" d=\"");
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    let run = x - start;
                    svg.push_str(&format!("M{start} {y}h{run}v1h-{run}z"));
                } else {
                    x += 1;
                }
            }
        }
        svg.push_str("\"/>");
        if layout.swiss_cross {
            svg.push_str(&swiss_cross(w / 2.0, 1.0 / module_mm));
        }
        svg.push_str("</svg>\n");
        svg
    }
}

/// The Swiss cross of the QR-bill: 7 × 7 mm, a black square inside a 0.5 mm white border,
/// with a white cross in the proportions of the Swiss flag (arms 6/32 of the square wide,
/// 20/32 long), drawn in millimetres around the centre `c` (in modules).
fn swiss_cross(c: f64, modules_per_mm: f64) -> String {
    format!(
        "<g transform=\"translate({} {}) scale({})\">\
<rect x=\"-3.5\" y=\"-3.5\" width=\"7\" height=\"7\" fill=\"#fff\"/>\
<rect x=\"-3\" y=\"-3\" width=\"6\" height=\"6\" fill=\"#000\"/>\
<rect x=\"-0.5625\" y=\"-1.875\" width=\"1.125\" height=\"3.75\" fill=\"#fff\"/>\
<rect x=\"-1.875\" y=\"-0.5625\" width=\"3.75\" height=\"1.125\" fill=\"#fff\"/>\
</g>",
        num(c),
        num(c),
        num(modules_per_mm)
    )
}

/// A number with at most 4 decimals and no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.4}");
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
    fn payload_is_one_byte_segment_at_level_m() {
        let s = QrSymbol::new("SPC\n0200\n1").unwrap();
        assert_eq!(s.version(), 1);
        assert_eq!(s.width(), 21);
        // Finder pattern corners are dark, the separator next to them light.
        assert!(s.is_dark(0, 0) && s.is_dark(6, 6) && !s.is_dark(7, 7));
        assert!(!s.is_dark(999, 0));
    }

    #[test]
    fn too_long_payloads_are_refused() {
        let long = "x".repeat(3000);
        assert_eq!(
            QrSymbol::new(&long),
            Err(QrSymbolError::TooLong { bytes: 3000 })
        );
    }

    #[test]
    fn svg_has_the_requested_size_and_cross() {
        let s = QrSymbol::new("hello").unwrap();
        let svg = s.to_svg(SvgLayout {
            code_mm: 46.0,
            quiet_zone_mm: 0.0,
            swiss_cross: true,
        });
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"46mm\" height=\"46mm\" viewBox=\"0 0 21 21\""));
        assert!(svg.contains("width=\"7\" height=\"7\""));
        assert!(svg.contains("M0 0h7v1h-7z"));
        let plain = s.to_svg(SvgLayout {
            code_mm: 21.0,
            quiet_zone_mm: 4.0,
            swiss_cross: false,
        });
        assert!(plain.contains("width=\"29mm\"") && plain.contains("viewBox=\"-4 -4 29 29\""));
        assert!(!plain.contains("<g "));
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(num(46.0), "46");
        assert_eq!(num(0.45652173), "0.4565");
        assert_eq!(num(-0.00001), "0");
    }
}
