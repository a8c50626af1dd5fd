//! The typeface: DejaVu Sans from the `dejavu` crate (Latin, Greek and Cyrillic, so
//! that `ä`, `ł`, `ğ`, `Ω` and `Ж` are glyphs, not boxes), embedded and subset by
//! krilla, and measured here to lay out columns.

use std::sync::OnceLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{charmap::Charmap, FontRef, MetadataProvider};

/// One face: what krilla draws with and what measures its text.
pub(crate) struct Face {
    pub(crate) font: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl Face {
    fn new(data: &'static [u8]) -> Option<Self> {
        let font = Font::new(data.into(), 0)?;
        let reference = FontRef::new(data).ok()?;
        let units_per_em = f32::from(
            reference
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        Some(Self {
            font,
            charmap: reference.charmap(),
            metrics: reference.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
        })
    }

    /// `text` as this face can draw it: control characters (a line break in a name) as
    /// spaces, and a character the face has no glyph for as `?`, so that no `.notdef`
    /// box reaches the page (PDF/A forbids it).
    pub(crate) fn printable(&self, text: &str) -> String {
        text.chars()
            .map(|ch| {
                if ch.is_control() {
                    ' '
                } else if self.charmap.map(ch).is_some() {
                    ch
                } else {
                    '?'
                }
            })
            .collect()
    }

    /// The glyphs of `text`, one per character with its advance (normalized to the em),
    /// as [`width`](Self::width) measures them: drawn as measured, and without shaping
    /// each piece of text again (the faces cover the scripts invoices use without it).
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(at, ch)| {
                let glyph = self.charmap.map(ch).unwrap_or_default();
                let advance = self.metrics.advance_width(glyph).unwrap_or(0.0) / self.units_per_em;
                KrillaGlyph::new(
                    GlyphId::new(glyph.to_u32()),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    at..at + ch.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    /// The width of `text` at `size` points, from the glyphs' advances (no kerning:
    /// a column width, not a typesetter's).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|ch| {
                let glyph = self.charmap.map(ch).unwrap_or_default();
                self.metrics.advance_width(glyph).unwrap_or(0.0)
            })
            .sum();
        units * size / self.units_per_em
    }
}

/// The regular and bold faces.
pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

/// The faces, parsed once per process.
pub(crate) fn fonts() -> Option<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Some(Fonts {
                regular: Face::new(dejavu::sans::regular())?,
                bold: Face::new(dejavu::sans::bold())?,
            })
        })
        .as_ref()
}
