//! The QR symbol of a payment payload (Swiss QR-bill, EPC) and its SVG drawing.
//!
//! Both payment standards ask for error correction level M and UTF-8 text; the whole payload
//! is encoded as a single byte-mode segment (what the reference encoders do), in the smallest
//! QR version that holds it.
//!
//! The symbol is assembled from the `qrcode` crate's parts (bits, Reed–Solomon codewords,
//! canvas, masks), but the mask is chosen here with the ISO/IEC 18004 penalty rules computed
//! on a plain module grid: the crate's own scoring allocates per module and took ~3 ms per
//! symbol, a third of an invoice's rendering time.

use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, Version};

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
            let version = Version::Normal(v);
            let mut bits = Bits::new(version);
            if bits.push_byte_data(data).is_err() || bits.push_terminator(EcLevel::M).is_err() {
                continue;
            }
            let Ok((encoded, ec)) =
                qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M)
            else {
                continue;
            };
            let mut canvas = Canvas::new(version, EcLevel::M);
            canvas.draw_all_functional_patterns();
            canvas.draw_data(&encoded, &ec);
            let width = usize::try_from(version.width()).unwrap_or(0);
            let dark = MASKS
                .iter()
                .map(|&mask| {
                    let mut c = canvas.clone();
                    c.apply_mask(mask);
                    c.into_colors()
                        .into_iter()
                        .map(|c| c == Color::Dark)
                        .collect::<Vec<bool>>()
                })
                // The first of equally good masks, like the reference encoders.
                .min_by_key(|grid| penalty(grid, width));
            if let Some(dark) = dark {
                return Ok(QrSymbol {
                    version: v,
                    width,
                    dark,
                });
            }
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

    /// Horizontal runs of dark modules as `(row, first column, length)`, row by row: what
    /// painters draw as one rectangle each.
    pub fn dark_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    runs.push((y, start, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }

    /// Dark modules as rectangles `(x, y, w, h)` in modules: horizontal runs, merged with
    /// the identical runs directly below them. Fewer, larger shapes for painters.
    pub fn dark_blocks(&self) -> Vec<(usize, usize, usize, usize)> {
        let mut done = Vec::new();
        // Open blocks by (x, w): (y, h).
        let mut open: std::collections::BTreeMap<(usize, usize), (usize, usize)> =
            std::collections::BTreeMap::new();
        let runs = self.dark_runs();
        for y in 0..=self.width {
            let row: Vec<(usize, usize)> = runs
                .iter()
                .filter(|(r, _, _)| *r == y)
                .map(|&(_, x, w)| (x, w))
                .collect();
            let mut still = std::collections::BTreeMap::new();
            for (key, (top, h)) in std::mem::take(&mut open) {
                if row.contains(&key) {
                    still.insert(key, (top, h + 1));
                } else {
                    done.push((key.0, top, key.1, h));
                }
            }
            for key in row {
                still.entry(key).or_insert((y, 1));
            }
            open = still;
        }
        done.sort_by_key(|&(x, y, _, _)| (y, x));
        done
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
        for (y, start, run) in self.dark_runs() {
            svg.push_str(&format!("M{start} {y}h{run}v1h-{run}z"));
        }
        svg.push_str("\"/>");
        if layout.swiss_cross {
            svg.push_str(&swiss_cross(w / 2.0, 1.0 / module_mm));
        }
        svg.push_str("</svg>\n");
        svg
    }
}

/// The eight QR mask patterns, in pattern-number order.
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// ISO/IEC 18004 mask penalty of a `width` × `width` grid (row-major, `true` = dark):
/// N1 runs of 5+ same-colour modules, N2 2 × 2 blocks, N3 finder-like 1:1:3:1:1 patterns
/// next to 4 light modules, N4 dark/light imbalance.
fn penalty(grid: &[bool], width: usize) -> u32 {
    if width == 0 || grid.len() != width * width {
        return u32::MAX;
    }
    // Columns become rows of the transposed grid, so both directions scan contiguous slices.
    let mut transposed = vec![false; grid.len()];
    for (y, row) in grid.chunks_exact(width).enumerate() {
        for (x, &dark) in row.iter().enumerate() {
            transposed[x * width + y] = dark;
        }
    }
    let mut score = 0u32;
    for lines in [grid, &transposed[..]] {
        for line in lines.chunks_exact(width) {
            score += runs_penalty(line) + finder_penalty(line);
        }
    }
    // N2.
    for pair in grid.chunks_exact(width).collect::<Vec<_>>().windows(2) {
        let (top, bottom) = (pair[0], pair[1]);
        for x in 0..width - 1 {
            let c = top[x];
            if top[x + 1] == c && bottom[x] == c && bottom[x + 1] == c {
                score += 3;
            }
        }
    }
    // N4: 10 points per 5 % away from 50 % dark.
    let dark = grid.iter().filter(|d| **d).count();
    let percent = dark * 100 / grid.len();
    score + 10 * (percent.abs_diff(50) / 5) as u32
}

/// N1: 3 points for 5 same-colour modules in a row, one more per extra module.
fn runs_penalty(line: &[bool]) -> u32 {
    let mut score = 0;
    let mut run = 1u32;
    for pair in line.windows(2) {
        if pair[0] == pair[1] {
            run += 1;
        } else {
            if run >= 5 {
                score += run - 2;
            }
            run = 1;
        }
    }
    if run >= 5 {
        score += run - 2;
    }
    score
}

/// N3: 40 points per dark-light-dark-dark-dark-light-dark with 4 light modules (or the
/// edge) on one side.
fn finder_penalty(line: &[bool]) -> u32 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let mut score = 0;
    for i in 0..line.len().saturating_sub(6) {
        if line[i..i + 7] != FINDER {
            continue;
        }
        let before = line[i.saturating_sub(4)..i].iter().all(|d| !d);
        let after = line[i + 7..(i + 11).min(line.len())].iter().all(|d| !d);
        if before || after {
            score += 40;
        }
    }
    score
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
    fn mask_penalties_follow_the_standard_rules() {
        assert_eq!(runs_penalty(&[true; 5]), 3);
        assert_eq!(
            runs_penalty(&[true, true, true, true, true, true, false]),
            4
        );
        assert_eq!(runs_penalty(&[true, false, true, false]), 0);
        let finder = [true, false, true, true, true, false, true];
        assert_eq!(finder_penalty(&finder), 40);
        let mut padded = vec![true; 4];
        padded.extend(finder);
        padded.extend([true; 4]);
        assert_eq!(finder_penalty(&padded), 0);
        // 2 × 2 all-light grid: one block, both lines runs of 2, 0 % dark.
        assert_eq!(penalty(&[false; 4], 2), 3 + 100);
    }

    #[test]
    fn blocks_cover_exactly_the_dark_modules() {
        let s = QrSymbol::new("SPC\n0200\n1\nCH4431999123000889012").unwrap();
        let mut covered = vec![false; s.width() * s.width()];
        for (x, y, w, h) in s.dark_blocks() {
            for yy in y..y + h {
                for xx in x..x + w {
                    assert!(!covered[yy * s.width() + xx], "covered twice");
                    covered[yy * s.width() + xx] = true;
                }
            }
        }
        for y in 0..s.width() {
            for x in 0..s.width() {
                assert_eq!(covered[y * s.width() + x], s.is_dark(x, y), "({x}, {y})");
            }
        }
        assert!(s.dark_blocks().len() < s.dark_runs().len());
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
