//! Paints composed [`Drawing`]s into a PDF/A-3b document with krilla: embedded font
//! subsets, sRGB output intent, fixed metadata (no clock), optional associated files.

use chrono::{Datelike, NaiveDate};
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};

use super::{Logo, LogoFormat, PdfError};
use crate::drawing::{Color, Drawing, Op, swiss_cross_rects};
use crate::fonts;

const PT_PER_MM: f32 = 72.0 / 25.4;

fn pt(mm: f32) -> f32 {
    mm * PT_PER_MM
}

/// What the document says about itself.
pub struct DocumentMeta<'a> {
    pub title: String,
    /// BCP 47 language of the text (`fr`, `en`, `de`).
    pub language: &'a str,
    /// Creation and modification date: the issue date, so output never depends on the clock.
    /// Without a date the PDF is not archival (PDF/A requires one): stand-alone slips.
    pub date: Option<NaiveDate>,
    /// A stable identifier the trailer `/ID` is derived from.
    pub id: String,
}

/// A file carried inside the PDF (PDF/A-3 associated file).
pub struct Attachment {
    pub name: String,
    pub description: String,
    pub mime: &'static str,
    pub relationship: AssociationKind,
    pub data: Vec<u8>,
}

/// Paints `pages` into a PDF/A-3b document with `attachments`.
pub fn to_pdf(
    pages: &[Drawing],
    logo: Option<&Logo>,
    meta: &DocumentMeta<'_>,
    attachments: Vec<Attachment>,
) -> Result<Vec<u8>, PdfError> {
    if !fonts::available() {
        return Err(PdfError::Fonts);
    }
    let mut configuration = ConfigurationBuilder::new();
    if meta.date.is_some() {
        configuration = configuration.with_archival_validator(Archival::A3_B);
    }
    let configuration = configuration
        .finish()
        .map_err(|e| PdfError::Pdf(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    };
    let image = match logo {
        Some(l) => Some(decode_logo(l)?),
        None => None,
    };
    let date = meta.date.map(krilla_date);
    let mut document = Document::new_with(settings);
    for drawing in pages {
        let size = PageSettings::from_wh(pt(drawing.width), pt(drawing.height))
            .ok_or_else(|| PdfError::Pdf("page size is empty".into()))?;
        let mut page = document.start_page_with(size);
        let mut surface = page.surface();
        for op in &drawing.ops {
            paint(&mut surface, op, image.as_ref());
        }
        surface.finish();
        page.finish();
    }
    for a in attachments {
        let mime = MimeType::new(a.mime).ok_or_else(|| PdfError::Pdf("bad MIME type".into()))?;
        document
            .embed_file(EmbeddedFile {
                path: a.name,
                mime_type: Some(mime),
                description: Some(a.description),
                association_kind: a.relationship,
                data: a.data.into(),
                modification_date: date,
                compress: Some(true),
                location: None,
            })
            .ok_or_else(|| PdfError::Pdf("an attachment is embedded twice".into()))?;
    }
    let mut metadata = Metadata::new()
        .title(meta.title.clone())
        .language(meta.language.to_owned())
        .creator("encaisse".to_owned())
        .producer("encaisse-documents (krilla)".to_owned())
        .document_id(meta.id.clone());
    if let Some(date) = date {
        metadata = metadata.creation_date(date);
    }
    document.set_metadata(metadata);
    document.finish().map_err(|e| match e {
        krilla::error::KrillaError::Validation(errors) => PdfError::Pdf(format!(
            "PDF/A-3b validation failed: {:?}",
            errors.iter().map(|(e, _)| e).collect::<Vec<_>>()
        )),
        // A logo that cannot be decoded is only found out when the document is written.
        krilla::error::KrillaError::Image(_, _, message) => PdfError::Logo(message),
        other => PdfError::Pdf(other.to_string()),
    })
}

fn krilla_date(d: NaiveDate) -> DateTime {
    // Years beyond u16 do not occur on invoices; clamp rather than fail.
    let year = u16::try_from(d.year()).unwrap_or(9999);
    DateTime::new(year)
        .month(d.month() as u8)
        .day(d.day() as u8)
        .hour(0)
        .minute(0)
        .second(0)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn decode_logo(logo: &Logo) -> Result<Image, PdfError> {
    let data: krilla::Data = logo.bytes.clone().into();
    match logo.format {
        // PDF/A forbids asking viewers to interpolate images.
        LogoFormat::Png => Image::from_png(data, false),
        LogoFormat::Jpeg => Image::from_jpeg(data, false),
    }
    .map_err(PdfError::Logo)
}

fn fill(color: Color) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(pt(x), pt(y), pt(w), pt(h))?);
    pb.finish()
}

fn paint(surface: &mut Surface<'_>, op: &Op, logo: Option<&Image>) {
    match op {
        Op::Text {
            x,
            y,
            size,
            weight,
            color,
            text,
        } => {
            let Some(face) = fonts::face(*weight) else {
                return;
            };
            let glyphs = face.glyphs(text);
            surface.set_stroke(None);
            surface.set_fill(Some(fill(*color)));
            surface.draw_glyphs(
                Point::from_xy(pt(*x), pt(*y)),
                &glyphs,
                face.font(),
                text,
                *size,
                false,
            );
        }
        Op::Rect {
            x,
            y,
            w,
            h,
            fill: f,
            stroke,
        } => {
            let Some(path) = rect_path(*x, *y, *w, *h) else {
                return;
            };
            surface.set_fill(f.map(fill));
            surface.set_stroke(stroke.map(|(c, width)| Stroke {
                paint: rgb::Color::new(c.0, c.1, c.2).into(),
                width: pt(width),
                ..Stroke::default()
            }));
            surface.draw_path(&path);
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
            let mut pb = PathBuilder::new();
            pb.move_to(pt(*x1), pt(*y1));
            pb.line_to(pt(*x2), pt(*y2));
            let Some(path) = pb.finish() else {
                return;
            };
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(color.0, color.1, color.2).into(),
                width: pt(*width),
                dash: dash.map(|(on, off)| StrokeDash {
                    array: vec![pt(on), pt(off)],
                    offset: 0.0,
                }),
                ..Stroke::default()
            }));
            surface.draw_path(&path);
        }
        Op::Qr {
            x,
            y,
            size,
            symbol,
            swiss_cross,
        } => {
            // Drawn in module units under one transform: small integer coordinates keep
            // the content stream (and its compression time) small.
            let module = size / symbol.width() as f32;
            let mut pb = PathBuilder::new();
            for (x, y, w, h) in symbol.dark_blocks() {
                if let Some(r) = Rect::from_xywh(x as f32, y as f32, w as f32, h as f32) {
                    pb.push_rect(r);
                }
            }
            surface.set_stroke(None);
            if let Some(path) = pb.finish() {
                surface.push_transform(&Transform::from_row(
                    pt(module),
                    0.0,
                    0.0,
                    pt(module),
                    pt(*x),
                    pt(*y),
                ));
                surface.set_fill(Some(fill(Color::BLACK)));
                surface.draw_path(&path);
                surface.pop();
            }
            if *swiss_cross {
                for (cx, cy, w, h, color) in swiss_cross_rects(x + size / 2.0, y + size / 2.0) {
                    if let Some(path) = rect_path(cx, cy, w, h) {
                        surface.set_fill(Some(fill(color)));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        Op::Logo { x, y, w, h } => {
            let Some(image) = logo else {
                return;
            };
            let (iw, ih) = image.size();
            if iw == 0 || ih == 0 {
                return;
            }
            // Fit into the box, keeping the aspect ratio, anchored top-left.
            let scale = (w / iw as f32).min(h / ih as f32);
            let Some(size) = Size::from_wh(pt(iw as f32 * scale), pt(ih as f32 * scale)) else {
                return;
            };
            surface.push_transform(&Transform::from_translate(pt(*x), pt(*y)));
            surface.draw_image(image.clone(), size);
            surface.pop();
        }
    }
}
