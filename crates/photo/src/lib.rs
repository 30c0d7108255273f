//! What a visit photo says about itself: a 64-bit perceptual hash (the
//! gradient hash of `image_hasher`), so a resized or re-saved copy of a
//! picture is still known, and when the camera says it was taken (EXIF).
//! No I/O: bytes in, facts out; a file that is not a picture gives none.

use std::io::Cursor;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use image_hasher::{HashAlg, HasherConfig};

/// The most memory one decode may take (a 12-megapixel phone photo needs about 36 MB).
const MAX_DECODE_BYTES: u64 = 160 * 1024 * 1024;

/// What a photo's bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Print {
    /// The perceptual hash; `None` when the bytes do not decode as a picture.
    pub phash: Option<u64>,
    /// When the camera says it was taken; `None` without EXIF.
    pub taken: Option<Taken>,
}

/// A camera's time: with its offset from UTC when the camera wrote one, or
/// as shown on the camera's clock (local time of an unknown zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Exact(DateTime<FixedOffset>),
    Local(NaiveDateTime),
}

impl Taken {
    /// In UTC, reading a local time in `zone` (the region's zone) when the camera gave none.
    pub fn to_utc(self, zone: FixedOffset) -> Option<DateTime<Utc>> {
        match self {
            Taken::Exact(t) => Some(t.with_timezone(&Utc)),
            Taken::Local(t) => t
                .and_local_timezone(zone)
                .single()
                .map(|t| t.with_timezone(&Utc)),
        }
    }
}

/// The formats a photo may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
}

/// Reads the perceptual hash and the EXIF time of a JPEG, PNG or WebP.
pub fn print(bytes: &[u8]) -> Print {
    let picture = reader(bytes).and_then(|r| r.with_guessed_format().ok()?.decode().ok());
    Print {
        phash: picture.as_ref().and_then(phash),
        taken: taken(bytes),
    }
}

/// Reads a photo that must be one whole picture in `format`: what it says
/// about itself, or `None` when the bytes do not decode as that format (a
/// file that only starts like one, a truncated one, another format).
pub fn read(bytes: &[u8], format: Format) -> Option<Print> {
    let mut reader = reader(bytes)?;
    reader.set_format(match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::WebP => image::ImageFormat::WebP,
    });
    let picture = reader.decode().ok()?;
    Some(Print {
        phash: phash(&picture),
        taken: taken(bytes),
    })
}

/// A reader of `bytes` that may take at most [`MAX_DECODE_BYTES`].
fn reader(bytes: &[u8]) -> Option<image::ImageReader<Cursor<&[u8]>>> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes));
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    Some(reader)
}

fn phash(picture: &image::DynamicImage) -> Option<u64> {
    // A quick box-filtered thumbnail first: the hash looks at 9 × 8 pixels,
    // and filtering a 12-megapixel photo down to that directly is slow.
    let picture = picture.thumbnail(128, 128);
    let hash = HasherConfig::new()
        .hash_size(8, 8)
        .hash_alg(HashAlg::Gradient)
        .to_hasher()
        .hash_image(&picture);
    let bytes: [u8; 8] = hash.as_bytes().try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

fn taken(bytes: &[u8]) -> Option<Taken> {
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()?;
    let ascii = |tag| match &exif.get_field(tag, exif::In::PRIMARY)?.value {
        exif::Value::Ascii(v) => v.first().cloned(),
        _ => None,
    };
    let text = ascii(exif::Tag::DateTimeOriginal).or_else(|| ascii(exif::Tag::DateTime))?;
    let mut t = exif::DateTime::from_ascii(&text).ok()?;
    if let Some(offset) = ascii(exif::Tag::OffsetTimeOriginal) {
        let _ = t.parse_offset(&offset);
    }
    let local = NaiveDate::from_ymd_opt(t.year.into(), t.month.into(), t.day.into())?.and_hms_opt(
        t.hour.into(),
        t.minute.into(),
        t.second.into(),
    )?;
    Some(match t.offset {
        Some(minutes) => Taken::Exact(
            local
                .and_local_timezone(FixedOffset::east_opt(i32::from(minutes) * 60)?)
                .single()?,
        ),
        None => Taken::Local(local),
    })
}

#[cfg(any(test, feature = "samples"))]
pub mod samples;

#[cfg(test)]
mod tests;
