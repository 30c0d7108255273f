//! Pictures made on the spot, for tests: a scene drawn from a seed, saved
//! as JPEG at a size and quality, with an EXIF camera time when asked.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{ImageBuffer, Rgb, RgbImage, imageops};

/// A scene of soft shapes that differs from seed to seed: a coarse grid of
/// colours drawn from the seed, blended smoothly, under a wave, so that any
/// two seeds make pictures a perceptual hash tells apart.
pub fn scene(seed: u32, width: u32, height: u32) -> RgbImage {
    const COLS: usize = 12;
    const ROWS: usize = 10;
    let mut state = seed.wrapping_mul(2_654_435_761) ^ 0x9E37_79B9;
    let mut next = move || {
        // xorshift: repeatable numbers in [0, 1).
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state % 10_000) as f32 / 10_000.0
    };
    let grid: Vec<[f32; 3]> = (0..COLS * ROWS).map(|_| [next(), next(), next()]).collect();
    let (freq, phase) = (1.0 + 5.0 * next(), 6.3 * next());
    ImageBuffer::from_fn(width, height, |x, y| {
        let u = x as f32 / width as f32 * (COLS - 1) as f32;
        let v = y as f32 / height as f32 * (ROWS - 1) as f32;
        let (i, j) = (u as usize, v as usize);
        let (fu, fv) = (u - i as f32, v - j as f32);
        let at = |c: usize, r: usize| grid[r.min(ROWS - 1) * COLS + c.min(COLS - 1)];
        let wave = 0.15 * ((u * freq + v) + phase).sin();
        let mut px = [0u8; 3];
        for (k, out) in px.iter_mut().enumerate() {
            let top = at(i, j)[k] * (1.0 - fu) + at(i + 1, j)[k] * fu;
            let bottom = at(i, j + 1)[k] * (1.0 - fu) + at(i + 1, j + 1)[k] * fu;
            let t = top * (1.0 - fv) + bottom * fv + wave;
            *out = (255.0 * t).clamp(0.0, 255.0) as u8;
        }
        Rgb(px)
    })
}

/// `picture` saved as JPEG at `quality` (1–100), with `taken` (`YYYY:MM:DD HH:MM:SS`) as its EXIF time.
pub fn jpeg(picture: &RgbImage, quality: u8, taken: Option<&str>) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(picture)
        .unwrap_or_else(|e| panic!("encoding a sample JPEG: {e}"));
    match taken {
        Some(t) => with_exif(&out, t),
        None => out,
    }
}

/// `picture` saved as PNG.
pub fn png(picture: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap_or_else(|e| panic!("encoding a sample PNG: {e}"));
    out
}

/// `picture` scaled to `width` wide.
pub fn resized(picture: &RgbImage, width: u32) -> RgbImage {
    let height = picture.height() * width / picture.width();
    imageops::resize(picture, width, height, imageops::FilterType::Triangle)
}

/// The JPEG with an APP1 segment holding `DateTimeOriginal = taken`, right after its start marker.
fn with_exif(jpeg: &[u8], taken: &str) -> Vec<u8> {
    let field = exif::Field {
        tag: exif::Tag::DateTimeOriginal,
        ifd_num: exif::In::PRIMARY,
        value: exif::Value::Ascii(vec![taken.as_bytes().to_vec()]),
    };
    let mut writer = exif::experimental::Writer::new();
    writer.push_field(&field);
    let mut tiff = Cursor::new(Vec::new());
    writer
        .write(&mut tiff, false)
        .unwrap_or_else(|e| panic!("writing sample EXIF: {e}"));
    let tiff = tiff.into_inner();
    let len = u16::try_from(tiff.len() + 8).unwrap_or(u16::MAX);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A phone-camera-like JPEG of about 1 MB: a 1600 × 1200 scene with sensor
/// noise (which is what makes real photos large), different for each seed,
/// with the camera's time as a phone writes it: now, on a clock set to WIB.
pub fn camera_photo(seed: u32) -> Vec<u8> {
    let now = chrono::Utc::now() + chrono::TimeDelta::hours(7);
    camera_photo_at(seed, &now.format("%Y:%m:%d %H:%M:%S").to_string())
}

/// [`camera_photo`] taken at `taken` (`YYYY:MM:DD HH:MM:SS`, the camera's clock).
pub fn camera_photo_at(seed: u32, taken: &str) -> Vec<u8> {
    let mut picture = scene(seed, 1600, 1200);
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    for px in picture.pixels_mut() {
        for c in px.0.iter_mut() {
            // xorshift: cheap, repeatable noise of ±24.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = (state % 49) as i16 - 24;
            *c = (i16::from(*c) + noise).clamp(0, 255) as u8;
        }
    }
    jpeg(&picture, 85, Some(taken))
}

/// A small photo of scene `seed` taken now (WIB), as a phone sends for a visit.
pub fn visit_photo(seed: u32) -> Vec<u8> {
    let now = chrono::Utc::now() + chrono::TimeDelta::hours(7);
    jpeg(
        &scene(seed, 160, 120),
        80,
        Some(&now.format("%Y:%m:%d %H:%M:%S").to_string()),
    )
}
