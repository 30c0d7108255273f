//! Pictures made on the spot, for tests: a scene drawn from a seed, saved
//! as JPEG at a size and quality, with an EXIF camera time when asked.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{ImageBuffer, Rgb, RgbImage, imageops};

/// A scene of soft shapes that differs from seed to seed.
pub fn scene(seed: u32, width: u32, height: u32) -> RgbImage {
    let s = seed as f32;
    ImageBuffer::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let a = ((u * (3.0 + s % 5.0) + v * (2.0 + s % 3.0)) * 3.1).sin();
        let b = ((u * (1.0 + s % 7.0) - v * (4.0 + s % 4.0)) * 2.3 + s).cos();
        let shade = |t: f32| (127.5 + 127.5 * t).clamp(0.0, 255.0) as u8;
        Rgb([shade(a), shade(b), shade(a * b)])
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
/// noise (which is what makes real photos large), different for each seed.
pub fn camera_photo(seed: u32) -> Vec<u8> {
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
    jpeg(&picture, 85, None)
}
