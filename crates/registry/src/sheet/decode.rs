//! Bytes as offices save them, handed on as UTF-8: UTF-8 with or without a
//! BOM passes through untouched; UTF-16 with a BOM (Excel's "Unicode text")
//! and Windows-1252 (what Excel writes as plain "CSV") are decoded by
//! `encoding_rs`. A file that is neither, or a workbook saved instead of a
//! CSV, is refused from its first bytes.

use std::io::{self, Read};

use encoding_rs::{Decoder, Encoding, UTF_8, WINDOWS_1252};

use super::SheetError;

/// How much is read before deciding: the header line and well beyond it.
pub(super) const PEEK: usize = 64 * 1024;

/// Why a file cannot be read as text at all: one line, saying how to save it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotText(pub String);

const SAVE_AS: &str = "di Excel pilih Simpan Sebagai → \"CSV UTF-8 (Dibatasi koma) (*.csv)\" \
    (in Excel choose Save As → \"CSV UTF-8 (Comma delimited) (*.csv)\")";

fn not_text(what: &str) -> NotText {
    NotText(format!("{what}: {SAVE_AS}"))
}

/// A file whose encoding is known.
pub(super) struct Opened<R> {
    pub reader: Decoded<R>,
    /// `UTF-8`, `windows-1252`, `UTF-16LE`… or `ASCII` while nothing else was met.
    pub encoding: &'static str,
    /// The first line, decoded, to find the delimiter in.
    pub first_line: Vec<u8>,
}

enum Mode {
    /// Only ASCII so far: the first other byte decides between UTF-8 and Windows-1252.
    Undecided,
    /// UTF-8: passed on as it is; a row that is not valid UTF-8 is refused by the reader.
    Utf8,
    Decoding(Decoder),
}

/// A reader that hands on UTF-8, whatever of the encodings above it reads.
pub(super) struct Decoded<R> {
    inner: R,
    /// Bytes read from `inner` (`..end`), handed on from `pos`.
    raw: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    mode: Mode,
    /// Decoded text not handed on yet, from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    flushed: bool,
    /// Lines end with `\r` alone (old Mac files): handed on as `\n`.
    cr_lines: bool,
    /// The last byte handed on, to end the last line with `\n`.
    last: u8,
}

impl<R> std::fmt::Debug for Decoded<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Decoded")
    }
}

impl<R: Read> Decoded<R> {
    /// Reads the first bytes and decides how to decode them. Every line comes out ending in `\n` (a `\r`
    /// before it is kept), the last one too.
    pub(super) fn open(inner: R) -> Result<Opened<R>, SheetError> {
        let mut d = Decoded {
            inner,
            raw: vec![0; PEEK],
            pos: 0,
            end: 0,
            eof: false,
            mode: Mode::Undecided,
            out: Vec::new(),
            out_pos: 0,
            flushed: false,
            cr_lines: false,
            last: b'\n',
        };
        while d.end < PEEK && !d.eof {
            d.fill().map_err(csv::Error::from)?;
        }
        let (encoding, skip) = choose(&d.raw[..d.end])?;
        d.pos = skip;
        let peek = &d.raw[skip..d.end];
        let (name, mut first) = match encoding {
            None => ("ASCII", first_line(peek).to_vec()),
            Some(enc) if enc == UTF_8 => ("UTF-8", first_line(peek).to_vec()),
            Some(enc) => {
                let (text, _) = enc.decode_without_bom_handling(peek);
                (enc.name(), first_line(text.as_bytes()).to_vec())
            }
        };
        if let Some(cr) = first.iter().position(|b| *b == b'\r')
            && cr + 1 < first.len()
        {
            d.cr_lines = true;
            first.truncate(cr);
        }
        d.mode = match encoding {
            None => Mode::Undecided,
            Some(enc) if enc == UTF_8 => Mode::Utf8,
            Some(enc) => Mode::Decoding(enc.new_decoder_without_bom_handling()),
        };
        Ok(Opened {
            reader: d,
            encoding: name,
            first_line: first,
        })
    }

    /// Reads more from `inner` after what is held, first moving what was
    /// not handed on yet to the front.
    fn fill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.raw.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.raw.len() {
            return Ok(());
        }
        loop {
            match self.inner.read(&mut self.raw[self.end..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
                Ok(n) => {
                    self.end += n;
                    self.eof = n == 0;
                    return Ok(());
                }
            }
        }
    }

    fn hand_on(&mut self, buf: &mut [u8], upto: usize) -> usize {
        let n = buf.len().min(upto);
        buf[..n].copy_from_slice(&self.raw[self.pos..self.pos + n]);
        self.pos += n;
        n
    }
}

/// The encoding of a file from its first bytes (none: only ASCII so far),
/// and the length of its BOM.
fn choose(peek: &[u8]) -> Result<(Option<&'static Encoding>, usize), NotText> {
    if let Some((enc, bom)) = Encoding::for_bom(peek) {
        return Ok((Some(enc), bom));
    }
    if peek.starts_with(b"PK\x03\x04") {
        return Err(not_text(
            "ini buku kerja Excel (.xlsx), bukan CSV (an Excel workbook, not a CSV)",
        ));
    }
    if peek.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(not_text(
            "ini buku kerja Excel lama (.xls), bukan CSV (an old Excel workbook, not a CSV)",
        ));
    }
    if peek.contains(&0) {
        return Err(not_text("berkas ini bukan teks CSV (not a text CSV file)"));
    }
    match peek.iter().position(|b| !b.is_ascii()) {
        None => Ok((None, 0)),
        Some(at) if is_utf8_at(&peek[at..]) => Ok((Some(UTF_8), 0)),
        // Bytes Windows-1252 leaves undefined: not what Excel writes.
        Some(_)
            if peek
                .iter()
                .any(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)) =>
        {
            Err(not_text(
                "berkas ini bukan UTF-8 maupun Windows-1252 (neither UTF-8 nor Windows-1252)",
            ))
        }
        Some(_) => Ok((Some(WINDOWS_1252), 0)),
    }
}

/// Whether the non-ASCII bytes at the start of `bytes` are UTF-8 (a
/// sequence cut off at the end of `bytes` counts as UTF-8).
fn is_utf8_at(bytes: &[u8]) -> bool {
    let window = &bytes[..bytes.len().min(64)];
    match std::str::from_utf8(window) {
        Ok(_) => true,
        Err(e) => e.valid_up_to() > 0 || e.error_len().is_none(),
    }
}

fn first_line(bytes: &[u8]) -> &[u8] {
    bytes
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes, |n| &bytes[..n])
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = self.decode(buf)?;
        if self.cr_lines {
            for b in buf[..n].iter_mut().filter(|b| **b == b'\r') {
                *b = b'\n';
            }
        }
        if n == 0 && self.last != b'\n' && !buf.is_empty() {
            buf[0] = b'\n';
            n = 1;
        }
        if n > 0 {
            self.last = buf[n - 1];
        }
        Ok(n)
    }
}

impl<R: Read> Decoded<R> {
    fn decode(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match &mut self.mode {
                Mode::Utf8 if self.pos < self.end => {
                    return Ok(self.hand_on(buf, self.end - self.pos));
                }
                Mode::Utf8 => return self.inner.read(buf),
                Mode::Undecided => {
                    if self.pos == self.end {
                        if self.eof {
                            return Ok(0);
                        }
                        self.fill()?;
                        continue;
                    }
                    let rest = &self.raw[self.pos..self.end];
                    // Only what fits in `buf` is looked at (each byte once).
                    let ahead = &rest[..rest.len().min(buf.len())];
                    match ahead.iter().position(|b| !b.is_ascii()) {
                        None => return Ok(self.hand_on(buf, ahead.len())),
                        Some(0) if rest.len() < 4 && !self.eof => self.fill()?,
                        Some(0) => {
                            self.mode = if is_utf8_at(rest) {
                                Mode::Utf8
                            } else {
                                Mode::Decoding(WINDOWS_1252.new_decoder_without_bom_handling())
                            };
                        }
                        Some(ascii) => return Ok(self.hand_on(buf, ascii)),
                    }
                }
                Mode::Decoding(decoder) => {
                    if self.out_pos < self.out.len() {
                        let n = buf.len().min(self.out.len() - self.out_pos);
                        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                        self.out_pos += n;
                        return Ok(n);
                    }
                    if self.flushed {
                        return Ok(0);
                    }
                    if self.pos == self.end && !self.eof {
                        self.fill()?;
                        continue;
                    }
                    let src = &self.raw[self.pos..self.end];
                    let need = decoder
                        .max_utf8_buffer_length(src.len())
                        .ok_or_else(|| io::Error::other("too long to decode"))?;
                    self.out.clear();
                    self.out.resize(need.max(4), 0);
                    let (_, read, written, _) =
                        decoder.decode_to_utf8(src, &mut self.out, self.eof);
                    self.pos += read;
                    self.out.truncate(written);
                    self.out_pos = 0;
                    self.flushed = self.eof && self.pos == self.end;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Result<(String, &'static str), SheetError> {
        let mut opened = Decoded::open(bytes)?;
        let mut out = String::new();
        opened.reader.read_to_string(&mut out).unwrap();
        Ok((out, opened.encoding))
    }

    /// A reader that hands out one byte at a time, to cut every sequence.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn utf8_windows_1252_and_utf16_come_out_as_utf8() {
        assert_eq!(
            decode("\u{feff}a;b\nJosé;ü\n".as_bytes()).unwrap(),
            ("a;b\nJosé;ü\n".into(), "UTF-8")
        );
        assert_eq!(
            decode(b"a;b\nJos\xe9;\xfc\x80\n").unwrap(),
            ("a;b\nJosé;ü€\n".into(), "windows-1252")
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a\tb\nRené\t1\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            decode(&utf16).unwrap(),
            ("a\tb\nRené\t1\n".into(), "UTF-16LE")
        );
    }

    #[test]
    fn the_first_byte_past_ascii_decides_even_after_the_peek() {
        let ascii = "x,y\n".repeat(PEEK / 4 + 10);
        for (tail, want) in [
            (&b"Jos\xe9\n"[..], "José\n"),
            ("José\n".as_bytes(), "José\n"),
        ] {
            let bytes = [ascii.as_bytes(), tail].concat();
            let mut opened = Decoded::open(Trickle(&bytes)).unwrap();
            assert_eq!(
                (opened.encoding, opened.first_line.as_slice()),
                ("ASCII", &b"x,y"[..])
            );
            let mut out = String::new();
            opened.reader.read_to_string(&mut out).unwrap();
            assert_eq!(out, ascii.clone() + want);
        }
    }

    #[test]
    fn workbooks_and_undecodable_bytes_are_refused_at_once() {
        for (bytes, says) in [
            (&b"PK\x03\x04\x14\x00"[..], ".xlsx"),
            (b"\xD0\xCF\x11\xE0\xA1\xB1", ".xls"),
            (b"k\x00i\x00n\x00d\x00", "bukan teks"),
            (b"kind,name\numkm,\x81\x9d\xe9\n", "bukan UTF-8"),
        ] {
            let e = decode(bytes).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("CSV UTF-8"), "{e}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
    }
}
