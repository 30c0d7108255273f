//! Writing a bundle: the lines are spooled to temporary files as they come
//! (a region's events need not fit in memory), hashed on the way, and the
//! tar is assembled once every size and hash is known.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use chrono::{DateTime, Utc};
use pantau_domain::RegionCode;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{
    BundleError, CASES, CaseLine, Counts, EVENTS, EventLine, FORMAT, MANIFEST, Manifest, Member,
    REPORTS, VERSION,
};

/// Collects the cases and events of a bundle, then writes it with
/// [`Writer::finish`]. Give the lines in the order they should appear
/// (cases by id, events by case id then sequence).
#[derive(Debug)]
pub struct Writer {
    region: RegionCode,
    year: i32,
    created_at: DateTime<Utc>,
    cases: Spool,
    events: Spool,
}

impl Writer {
    pub fn new(
        region: RegionCode,
        year: i32,
        created_at: DateTime<Utc>,
    ) -> Result<Self, BundleError> {
        Ok(Writer {
            region,
            year,
            created_at,
            cases: Spool::new()?,
            events: Spool::new()?,
        })
    }

    pub fn case(&mut self, line: &CaseLine) -> Result<(), BundleError> {
        self.cases.line(line)
    }

    pub fn event(&mut self, line: &EventLine) -> Result<(), BundleError> {
        self.events.line(line)
    }

    /// Writes the bundle to `out` with `reports` as `reports/NAME`, and
    /// returns its manifest and the manifest's SHA-256.
    pub fn finish(
        self,
        reports: Vec<(String, Vec<u8>)>,
        out: impl Write,
    ) -> Result<(Manifest, String), BundleError> {
        let mut names = std::collections::BTreeSet::new();
        for (name, _) in &reports {
            let plain = !name.is_empty()
                && name != "."
                && name != ".."
                && !name.contains(['/', '\\', '\0']);
            if !plain || !names.insert(name.as_str()) {
                return Err(BundleError::ReportName(name.clone()));
            }
        }
        let counts = Counts {
            cases: self.cases.lines,
            events: self.events.lines,
        };
        let (cases_member, mut cases) = self.cases.finish(CASES)?;
        let (events_member, mut events) = self.events.finish(EVENTS)?;
        let mut members = vec![cases_member, events_member];
        for (name, bytes) in &reports {
            members.push(Member {
                name: format!("{REPORTS}{name}"),
                bytes: bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(bytes)),
            });
        }
        let manifest = Manifest {
            format: FORMAT.into(),
            version: VERSION,
            region: self.region.to_string(),
            year: self.year,
            created_at: self.created_at,
            counts,
            members,
        };
        let mut manifest_json = serde_json::to_vec_pretty(&manifest)?;
        manifest_json.push(b'\n');
        let manifest_sha = hex::encode(Sha256::digest(&manifest_json));

        let mtime = u64::try_from(self.created_at.timestamp()).unwrap_or(0);
        let gz = flate2::GzBuilder::new().write(out, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        append(
            &mut tar,
            MANIFEST,
            manifest_json.len() as u64,
            mtime,
            &manifest_json[..],
        )?;
        let len = manifest.members[0].bytes;
        append(&mut tar, CASES, len, mtime, &mut cases)?;
        let len = manifest.members[1].bytes;
        append(&mut tar, EVENTS, len, mtime, &mut events)?;
        for (name, bytes) in &reports {
            let path = format!("{REPORTS}{name}");
            append(&mut tar, &path, bytes.len() as u64, mtime, &bytes[..])?;
        }
        let gz = tar.into_inner()?;
        gz.finish()?.flush()?;
        Ok((manifest, manifest_sha))
    }
}

/// One regular file, owned by nobody, readable by all, stamped `mtime`.
fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    size: u64,
    mtime: u64,
    data: impl Read,
) -> Result<(), BundleError> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(size);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(mtime);
    tar.append_data(&mut header, path, data.take(size))?;
    Ok(())
}

/// JSON lines written to an anonymous temporary file and hashed on the way.
#[derive(Debug)]
struct Spool {
    file: BufWriter<File>,
    hash: Sha256,
    bytes: u64,
    lines: u64,
}

impl Spool {
    fn new() -> Result<Self, BundleError> {
        Ok(Spool {
            file: BufWriter::new(tempfile::tempfile()?),
            hash: Sha256::new(),
            bytes: 0,
            lines: 0,
        })
    }

    fn line(&mut self, value: &impl Serialize) -> Result<(), BundleError> {
        let mut text = serde_json::to_vec(value)?;
        text.push(b'\n');
        self.file.write_all(&text)?;
        self.hash.update(&text);
        self.bytes += text.len() as u64;
        self.lines += 1;
        Ok(())
    }

    /// The member as the manifest lists it, and its file read from the start.
    fn finish(self, name: &str) -> Result<(Member, File), BundleError> {
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        let member = Member {
            name: name.into(),
            bytes: self.bytes,
            sha256: hex::encode(self.hash.finalize()),
        };
        Ok((member, file))
    }
}
