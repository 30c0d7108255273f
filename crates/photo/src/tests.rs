use chrono::{FixedOffset, TimeZone, Utc};

use pantau_workflow::evidence::differs;

use super::*;
use crate::samples::{jpeg, resized, scene};

#[test]
fn a_resaved_or_resized_copy_is_nearly_the_same_and_another_scene_is_not() {
    let picture = scene(7, 640, 480);
    let first = print(&jpeg(&picture, 90, None))
        .phash
        .expect("a JPEG hashes");
    let resaved = print(&jpeg(&picture, 40, None)).phash.expect("hash");
    let smaller = print(&jpeg(&resized(&picture, 200), 70, None))
        .phash
        .expect("hash");
    let other = print(&jpeg(&scene(8, 640, 480), 90, None))
        .phash
        .expect("hash");
    assert!(differs(first, resaved) <= 4, "{}", differs(first, resaved));
    assert!(differs(first, smaller) <= 4, "{}", differs(first, smaller));
    assert!(differs(first, other) > 12, "{}", differs(first, other));
}

#[test]
fn the_camera_time_is_read_and_placed_in_the_region_zone() {
    let bytes = jpeg(&scene(1, 64, 48), 80, Some("2026:11:20 09:15:00"));
    let taken = print(&bytes).taken.expect("EXIF time");
    let wib = FixedOffset::east_opt(7 * 3600).expect("offset");
    assert_eq!(
        taken.to_utc(wib),
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 2, 15, 0).unwrap())
    );
    assert_eq!(print(&jpeg(&scene(1, 64, 48), 80, None)).taken, None);
}

#[test]
fn bytes_that_are_no_picture_give_no_facts() {
    assert_eq!(
        print(b"\xFF\xD8\xFF\xE0 not really a jpeg"),
        Print::default()
    );
    assert_eq!(print(b""), Print::default());
}

#[test]
fn sample_scenes_of_different_seeds_are_different_pictures() {
    let hashes: Vec<u64> = (0..200)
        .map(|seed| {
            print(&jpeg(&scene(seed, 96, 72), 80, None))
                .phash
                .expect("hash")
        })
        .collect();
    for (i, a) in hashes.iter().enumerate() {
        for (j, b) in hashes.iter().enumerate().skip(i + 1) {
            assert!(
                differs(*a, *b) > 7,
                "seeds {i} and {j}: {} bits",
                differs(*a, *b)
            );
        }
    }
}

#[test]
fn a_photo_is_read_only_when_the_whole_file_is_a_picture_of_its_format() {
    let good = jpeg(&scene(3, 320, 240), 80, Some("2026:11:20 09:15:00"));
    let read_back = read(&good, Format::Jpeg).expect("a whole JPEG reads");
    assert_eq!(read_back, print(&good));
    // Starts like a JPEG, is a web page.
    let mut fake = b"\xFF\xD8\xFF".to_vec();
    fake.extend_from_slice(b"<html><script>alert(1)</script></html>");
    assert_eq!(read(&fake, Format::Jpeg), None);
    // Cut off after the header.
    assert_eq!(read(&good[..200], Format::Jpeg), None);
    // A whole JPEG is not a PNG or a WebP.
    assert_eq!(read(&good, Format::Png), None);
    assert_eq!(read(&good, Format::WebP), None);
}
