//! The typeface documents are set in: DejaVu Sans Condensed, regular and bold, compiled in
//! from the `dejavu` crate (Bitstream Vera / DejaVu licence, free to embed), so rendering
//! needs no font installed on the machine and gives the same bytes everywhere.
//!
//! Glyphs are placed here, not by a shaper: one glyph per character at its advance width,
//! no kerning. What [`width`] measures is therefore exactly what the PDF paints, which the
//! right-aligned amount columns depend on. Characters the font lacks are drawn as `?`
//! (PDF/A forbids painting the `.notdef` glyph).

use std::collections::HashMap;
use std::sync::OnceLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

/// Regular or bold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

/// One face: the font krilla embeds and its character → (glyph, advance in em) table.
pub(crate) struct Face {
    font: Font,
    glyphs: HashMap<char, (u32, f32)>,
    fallback: (u32, f32),
}

struct Faces {
    regular: Face,
    bold: Face,
}

fn load(data: &'static [u8]) -> Option<Face> {
    let font_ref = skrifa::FontRef::new(data).ok()?;
    let upem = f32::from(
        font_ref
            .metrics(Size::unscaled(), LocationRef::default())
            .units_per_em,
    );
    let metrics = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default());
    let mut glyphs = HashMap::new();
    for (codepoint, gid) in font_ref.charmap().mappings() {
        let Some(c) = char::from_u32(codepoint) else {
            continue;
        };
        let advance = metrics.advance_width(gid).unwrap_or(0.0) / upem;
        glyphs.insert(c, (gid.to_u32(), advance));
    }
    let fallback = *glyphs.get(&'?')?;
    let font = Font::new(data.into(), 0)?;
    Some(Face {
        font,
        glyphs,
        fallback,
    })
}

fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                regular: load(dejavu::sans_condensed::regular())?,
                bold: load(dejavu::sans_condensed::bold())?,
            })
        })
        .as_ref()
}

/// The face of a weight; `None` only if the compiled-in font cannot be parsed.
pub(crate) fn face(weight: Weight) -> Option<&'static Face> {
    let f = faces()?;
    Some(match weight {
        Weight::Regular => &f.regular,
        Weight::Bold => &f.bold,
    })
}

/// Whether the compiled-in fonts load (checked once before rendering).
pub(crate) fn available() -> bool {
    faces().is_some()
}

impl Face {
    pub(crate) fn font(&self) -> Font {
        self.font.clone()
    }

    fn glyph(&self, c: char) -> (u32, f32) {
        let c = match c {
            '\t' | '\n' | '\r' => ' ',
            c => c,
        };
        self.glyphs.get(&c).copied().unwrap_or(self.fallback)
    }

    /// One glyph per character, each covering its own bytes of `text` (for text extraction).
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(i, c)| {
                let (gid, advance) = self.glyph(c);
                KrillaGlyph::new(
                    GlyphId::new(gid),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }
}

/// Width of `text` at `size` points, in millimetres.
pub fn width(weight: Weight, size: f32, text: &str) -> f32 {
    let Some(face) = face(weight) else {
        return 0.0;
    };
    let em: f32 = text.chars().map(|c| face.glyph(c).1).sum();
    em * size * 25.4 / 72.0
}

/// Splits `text` into lines no wider than `max` millimetres at `size` points: at spaces when
/// possible, inside a word when a word alone is wider than a line. Explicit line breaks are
/// kept. Never returns an empty list.
pub fn wrap(weight: Weight, size: f32, text: &str, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if width(weight, size, &candidate) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone: cut it where it overflows.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if width(weight, size, &piece) > max && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_fonts_load_and_measure() {
        assert!(available());
        let w = width(Weight::Regular, 10.0, "Facture");
        assert!(w > 10.0 && w < 20.0, "{w}");
        assert!(width(Weight::Bold, 10.0, "Facture") > w);
        assert_eq!(width(Weight::Regular, 10.0, ""), 0.0);
    }

    #[test]
    fn missing_glyphs_fall_back_to_a_question_mark() {
        let face = face(Weight::Regular).unwrap();
        let q = face.glyph('?');
        assert_eq!(face.glyph('\u{10FFFF}'), q);
        assert_ne!(face.glyph('€'), q);
        assert_ne!(face.glyph('✂'), q);
    }

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let text = "Développement de l'application de caisse avec un mot interminableinterminableinterminable";
        let lines = wrap(Weight::Regular, 9.0, text, 30.0);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(width(Weight::Regular, 9.0, l) <= 30.0, "{l}");
        }
        let joined: String = lines.concat().split_whitespace().collect();
        let expected: String = text.split_whitespace().collect();
        assert_eq!(joined, expected);
        assert_eq!(wrap(Weight::Regular, 9.0, "", 30.0), vec![String::new()]);
        assert_eq!(wrap(Weight::Regular, 9.0, "a\nb", 30.0), vec!["a", "b"]);
    }
}
