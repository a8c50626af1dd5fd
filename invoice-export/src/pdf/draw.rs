//! The layout drawn with krilla, as a plain PDF or as PDF/A-3b with an attachment.

use chrono::{Datelike, NaiveDate};
use invoice_core::{Invoice, InvoiceKind};
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder, PdfVersion};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::{Document, SerializeSettings};

use super::fonts::fonts;
use super::layout::{lay_out, Layout, Op, GRAY};
use super::{pdf_error, PdfOptions};
use crate::Result;

/// A file embedded in a PDF/A-3 document, with what PDF/A requires of it.
pub(crate) struct Attachment {
    /// The file name, such as `factur-x.xml`.
    pub(crate) name: String,
    pub(crate) mime_type: &'static str,
    pub(crate) description: String,
    pub(crate) data: Vec<u8>,
    /// The document date, also the attachment's modification date (PDF/A requires one);
    /// from the invoice, never from a clock, so that the same invoice gives the same
    /// bytes.
    pub(crate) date: NaiveDate,
}

/// `date` at midnight UTC as a PDF date; a year PDF dates cannot hold (before year 0 or
/// after 9999) is an error, not a substitute.
fn pdf_date(date: NaiveDate) -> Result<DateTime> {
    let year = u16::try_from(date.year())
        .ok()
        .filter(|y| *y <= 9999)
        .ok_or_else(|| crate::Error::InvalidValue {
            path: "issue_date".to_owned(),
            value: date.to_string(),
            reason: "a PDF date has a year from 0 to 9999".to_owned(),
        })?;
    // Month (1-12) and day (1-31) always fit.
    let month = u8::try_from(date.month()).unwrap_or(u8::MAX);
    let day = u8::try_from(date.day()).unwrap_or(u8::MAX);
    Ok(DateTime::new(year)
        .month(month)
        .day(day)
        .hour(0)
        .minute(0)
        .second(0)
        .utc_offset_hour(0)
        .utc_offset_minute(0))
}

/// The document's title: kind and number.
pub(crate) fn title(invoice: &Invoice, options: &PdfOptions) -> String {
    let labels = options.language().labels();
    let kind = match invoice.kind() {
        InvoiceKind::CreditNote { .. } => labels.credit_note,
        InvoiceKind::Invoice => labels.invoice,
    };
    match invoice.number() {
        Some(number) => format!("{kind} {}", number.as_str()),
        None => kind.to_owned(),
    }
}

/// Renders `invoice`; with `attachment`, as PDF/A-3b with the file embedded.
pub(crate) fn render(
    invoice: &Invoice,
    options: &PdfOptions,
    attachment: Option<Attachment>,
) -> Result<Vec<u8>> {
    let fonts = fonts().ok_or_else(|| pdf_error("the embedded fonts could not be read"))?;
    let totals = invoice.totals()?;
    let layout = lay_out(
        invoice,
        &totals,
        fonts,
        options.paper_size(),
        options.language(),
    );

    let mut settings = SerializeSettings::default();
    if attachment.is_some() {
        settings.configuration = ConfigurationBuilder::new()
            .with_version(PdfVersion::Pdf17)
            .with_archival_validator(Archival::A3_B)
            .finish()
            .map_err(|e| pdf_error(format!("PDF/A-3b configuration: {e:?}")))?;
    }
    let mut document = Document::new_with(settings);
    let mut metadata = Metadata::new()
        .title(title(invoice, options))
        .language(options.language().tag().to_owned())
        .creator("invoice-export".to_owned())
        .producer("invoice-export (krilla)".to_owned())
        .authors(vec![invoice.seller().name().to_owned()]);
    if let Some(date) = attachment.as_ref().map(|a| a.date).or(invoice.issue_date()) {
        metadata = metadata.creation_date(pdf_date(date)?);
    }
    document.set_metadata(metadata);
    draw(&mut document, &layout, fonts, options)?;
    if let Some(attachment) = attachment {
        let file = EmbeddedFile {
            path: attachment.name,
            mime_type: MimeType::new(attachment.mime_type),
            description: Some(attachment.description),
            association_kind: AssociationKind::Alternative,
            data: attachment.data.into(),
            modification_date: Some(pdf_date(attachment.date)?),
            compress: Some(true),
            location: None,
        };
        document
            .embed_file(file)
            .ok_or_else(|| pdf_error("two attachments share a name"))?;
    }
    document.finish().map_err(|e| pdf_error(format!("{e:?}")))
}

fn draw(
    document: &mut Document,
    layout: &Layout,
    fonts: &super::fonts::Fonts,
    options: &PdfOptions,
) -> Result<()> {
    let count = layout.pages.len();
    let labels = options.language().labels();
    let gray = Fill {
        paint: rgb::Color::new(GRAY, GRAY, GRAY).into(),
        ..Fill::default()
    };
    for (index, ops) in layout.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(layout.width, layout.height)
            .ok_or_else(|| pdf_error("invalid page size"))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    gray: is_gray,
                    text,
                } => {
                    let face = if *bold { &fonts.bold } else { &fonts.regular };
                    surface.set_fill(Some(if *is_gray {
                        gray.clone()
                    } else {
                        Fill::default()
                    }));
                    surface.draw_glyphs(
                        Point::from_xy(*x, *y),
                        &face.glyphs(text),
                        face.font.clone(),
                        text,
                        *size,
                        false,
                    );
                }
                Op::Rule {
                    x,
                    y,
                    width,
                    height,
                } => {
                    let mut path = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.set_fill(Some(gray.clone()));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        // The footer: the seller's registration, and "Page n / N".
        let baseline = layout.height - 30.0;
        surface.set_fill(Some(gray.clone()));
        surface.draw_glyphs(
            Point::from_xy(48.0, baseline),
            &fonts.regular.glyphs(&layout.footer),
            fonts.regular.font.clone(),
            &layout.footer,
            7.0,
            false,
        );
        let number = format!("{} {} / {count}", labels.page, index + 1);
        let width = fonts.regular.width(&number, 7.0);
        surface.draw_glyphs(
            Point::from_xy(layout.width - 48.0 - width, baseline),
            &fonts.regular.glyphs(&number),
            fonts.regular.font.clone(),
            &number,
            7.0,
            false,
        );
        surface.finish();
        page.finish();
    }
    Ok(())
}
