//! Checking a bundle with nothing but the bundle. The tar is read once, as
//! a stream: each member is hashed as it is read, and each case's events
//! are checked as soon as the next case begins, so only one case's events
//! and a short summary per case are held at a time.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use sha2::{Digest, Sha256};

use crate::events::{self, Chain};
use crate::{
    BundleError, CASES, CaseLine, EVENTS, FORMAT, MANIFEST, Manifest, Member, Problem, VERSION,
};

/// The largest `manifest.json` read (a manifest lists a few members).
const MANIFEST_LIMIT: u64 = 1 << 20;

/// A bundle that could be read: what it claims, and every problem found.
#[derive(Debug, Clone)]
pub struct Checked {
    pub manifest: Manifest,
    /// The SHA-256 of `manifest.json`, which vouches for every member.
    pub manifest_sha256: String,
    /// Lines read from `cases.jsonl` and `events.jsonl`.
    pub cases: u64,
    pub events: u64,
    /// In the order found: events and lines first, then cases, members and counts.
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the bundle at `path` (see [`verify`]).
pub fn verify_file(path: &Path) -> Result<Checked, BundleError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| BundleError::Unreadable {
        file: name.clone(),
        reason: format!("cannot open: {e}"),
    })?;
    verify(&name, file)
}

/// Checks a bundle read from `input`, named `file` in errors. An error means
/// the input is not a bundle this code can read (not a gzip'd tar, no
/// manifest first, another format version, truncated); a bundle that reads
/// comes back with its problems, none when it is intact.
pub fn verify(file: &str, input: impl Read) -> Result<Checked, BundleError> {
    let fail = |reason: String| BundleError::Unreadable {
        file: file.to_string(),
        reason,
    };
    let broken = |e: io::Error| fail(describe(&e));
    let mut input = BufReader::new(input);
    if !input.fill_buf().map_err(broken)?.starts_with(&[0x1f, 0x8b]) {
        return Err(fail("not a Pantau bundle (not a gzip'd tar)".into()));
    }
    let mut archive = tar::Archive::new(flate2::bufread::GzDecoder::new(input));
    let mut check: Option<Check> = None;
    for entry in archive.entries().map_err(broken)? {
        let mut entry = entry.map_err(broken)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(check) = check.as_mut() else {
            if name != MANIFEST {
                return Err(fail(format!(
                    "not a Pantau bundle: its first member is `{name}`, not {MANIFEST}"
                )));
            }
            let mut text = Vec::new();
            (&mut entry)
                .take(MANIFEST_LIMIT + 1)
                .read_to_end(&mut text)
                .map_err(broken)?;
            if text.len() as u64 > MANIFEST_LIMIT {
                return Err(fail(format!("{MANIFEST} is larger than 1 MiB")));
            }
            let mut started = Check::new(file, &text)?;
            started.manifest_stamp(entry.header().mtime().ok());
            check = Some(started);
            continue;
        };
        if !entry.header().entry_type().is_file() {
            check.problems.push(Problem::Member {
                name,
                reason: "is not a plain file".into(),
            });
            continue;
        }
        let mut hashing = Hashing::new(&mut entry);
        match name.as_str() {
            CASES if !check.seen(CASES) => check.read_cases(&mut hashing).map_err(broken)?,
            EVENTS if !check.seen(EVENTS) => check.read_events(&mut hashing).map_err(broken)?,
            _ => {}
        }
        io::copy(&mut hashing, &mut io::sink()).map_err(broken)?;
        let found = hashing.member(name);
        check.found.push(found);
    }
    let Some(check) = check else {
        return Err(fail(format!("not a Pantau bundle: no {MANIFEST}")));
    };
    // Read to the end of the gzip stream, so its checksum is checked, and
    // see that nothing follows it.
    let mut gz = archive.into_inner();
    io::copy(&mut gz, &mut io::sink()).map_err(broken)?;
    let trailing = !gz.into_inner().fill_buf().map_err(broken)?.is_empty();
    Ok(check.finish(trailing))
}

/// What an I/O error while reading means for the user.
fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => "truncated: the file ends inside the bundle".into(),
        _ => format!("not a Pantau bundle, or damaged: {e}"),
    }
}

/// Whether `text` is byte for byte what the writer makes of `manifest`.
fn written_as_pantau_does(manifest: &Manifest, text: &[u8]) -> bool {
    serde_json::to_vec_pretty(manifest).is_ok_and(|mut again| {
        again.push(b'\n');
        again == text
    })
}

/// A reader that hashes and counts what passes through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    bytes: u64,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            hash: Sha256::new(),
            bytes: 0,
        }
    }

    fn member(self, name: String) -> Member {
        Member {
            name,
            bytes: self.bytes,
            sha256: hex::encode(self.hash.finalize()),
        }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// The check under way, once the manifest is read.
#[derive(Debug)]
struct Check {
    manifest: Manifest,
    manifest_sha256: String,
    scope: Scope,
    problems: Vec<Problem>,
    found: Vec<Member>,
    cases: Vec<CaseLine>,
    case_lines: u64,
    event_lines: u64,
    chains: HashMap<String, Chain>,
    /// Cases whose events already have a problem: not checked further.
    broken: HashSet<String>,
}

impl Check {
    fn new(file: &str, text: &[u8]) -> Result<Check, BundleError> {
        let fail = |reason: String| BundleError::Unreadable {
            file: file.to_string(),
            reason,
        };
        let value: serde_json::Value = serde_json::from_slice(text)
            .map_err(|e| fail(format!("not a Pantau bundle: {MANIFEST} is not JSON: {e}")))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(fail(format!(
                "not a Pantau bundle: {MANIFEST} has no format \"{FORMAT}\""
            )));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(VERSION) => {}
            Some(found) => {
                return Err(BundleError::Version {
                    file: file.to_string(),
                    found,
                });
            }
            None => return Err(fail(format!("{MANIFEST} has no format version"))),
        }
        let manifest: Manifest = serde_json::from_value(value).map_err(|e| {
            fail(format!(
                "{MANIFEST} is not a version {VERSION} manifest: {e}"
            ))
        })?;
        let region = RegionCode::parse(&manifest.region)
            .map_err(|e| fail(format!("{MANIFEST}: region `{}`: {e}", manifest.region)))?;
        let mut problems = Vec::new();
        if !written_as_pantau_does(&manifest, text) {
            problems.push(Problem::Manifest {
                reason: "it is not written as Pantau writes it (the manifest was altered)".into(),
            });
        }
        Ok(Check {
            manifest_sha256: hex::encode(Sha256::digest(text)),
            manifest,
            scope: Scope::Region(region),
            problems,
            found: Vec::new(),
            cases: Vec::new(),
            case_lines: 0,
            event_lines: 0,
            chains: HashMap::new(),
            broken: HashSet::new(),
        })
    }

    /// The writer stamps every member with `created_at`, which is how a
    /// changed `created_at` shows: the manifest's own header must agree.
    fn manifest_stamp(&mut self, mtime: Option<u64>) {
        let created = self.manifest.created_at;
        if mtime.and_then(|m| i64::try_from(m).ok()) != Some(created.timestamp()) {
            let stamped = mtime
                .and_then(|m| i64::try_from(m).ok())
                .and_then(|m| chrono::DateTime::from_timestamp(m, 0))
                .map_or_else(|| "no time".to_string(), |t| t.to_rfc3339());
            self.problems.push(Problem::Manifest {
                reason: format!(
                    "its created_at {} is not the time it is stamped with in the bundle ({stamped}): one of them was altered",
                    created.to_rfc3339()
                ),
            });
        }
    }

    fn seen(&self, name: &str) -> bool {
        self.found.iter().any(|m| m.name == name)
    }

    fn read_cases(&mut self, input: impl Read) -> io::Result<()> {
        let mut input = BufReader::new(input);
        let mut buf = Vec::new();
        let mut ids = HashSet::new();
        while input.read_until(b'\n', &mut buf)? > 0 {
            self.case_lines += 1;
            match serde_json::from_slice::<CaseLine>(&buf) {
                Ok(c) if !ids.insert(c.id.clone()) => self.problems.push(Problem::Case {
                    case_id: c.id,
                    reason: format!("appears twice in {CASES}"),
                }),
                Ok(c) => self.cases.push(c),
                Err(e) => self.problems.push(Problem::Line {
                    member: CASES,
                    line: self.case_lines,
                    reason: format!("not a case: {e}"),
                }),
            }
            buf.clear();
        }
        Ok(())
    }

    fn read_events(&mut self, input: impl Read) -> io::Result<()> {
        let mut input = BufReader::new(input);
        let mut buf = Vec::new();
        let mut group: Vec<events::Read> = Vec::new();
        while input.read_until(b'\n', &mut buf)? > 0 {
            self.event_lines += 1;
            match events::Read::parse(self.event_lines, &buf) {
                Ok(r) => {
                    if group
                        .first()
                        .is_some_and(|g| g.event.case_id != r.event.case_id)
                    {
                        self.case_done(std::mem::take(&mut group));
                    }
                    group.push(r);
                }
                Err(e) => self.problems.push(Problem::Line {
                    member: EVENTS,
                    line: self.event_lines,
                    reason: format!("not an event: {e}"),
                }),
            }
            buf.clear();
        }
        self.case_done(group);
        Ok(())
    }

    /// Checks one case's events, given together.
    fn case_done(&mut self, lines: Vec<events::Read>) {
        let Some(first) = lines.first() else {
            return;
        };
        let id = first.event.case_id.clone();
        if self.chains.contains_key(&id) || self.broken.contains(&id) {
            self.chains.remove(&id);
            self.broken.insert(id);
            self.problems
                .push(first.problem(format!("its case's events are not together in {EVENTS}")));
            return;
        }
        match events::check_case(&lines, self.manifest.year) {
            Ok(chain) => {
                self.chains.insert(id, chain);
            }
            Err(p) => {
                self.broken.insert(id);
                self.problems.push(p);
            }
        }
    }

    fn finish(mut self, trailing: bool) -> Checked {
        let year = self.manifest.year;
        let mut listed = HashSet::new();
        for c in std::mem::take(&mut self.cases) {
            listed.insert(c.id.clone());
            if let Some(reason) = self.case_problem(&c, year) {
                self.problems.push(Problem::Case {
                    case_id: c.id,
                    reason,
                });
            }
        }
        let mut unlisted: Vec<&String> = self
            .chains
            .keys()
            .filter(|id| !listed.contains(*id))
            .collect();
        unlisted.sort();
        let unlisted: Vec<Problem> = unlisted
            .into_iter()
            .map(|id| Problem::Case {
                case_id: id.clone(),
                reason: format!("has events but no line in {CASES}"),
            })
            .collect();
        self.problems.extend(unlisted);
        self.members();
        for (what, manifest, found) in [
            ("cases", self.manifest.counts.cases, self.case_lines),
            ("events", self.manifest.counts.events, self.event_lines),
        ] {
            if manifest != found {
                self.problems.push(Problem::Count {
                    what,
                    manifest,
                    found,
                });
            }
        }
        if trailing {
            self.problems.push(Problem::Trailing);
        }
        Checked {
            manifest: self.manifest,
            manifest_sha256: self.manifest_sha256,
            cases: self.case_lines,
            events: self.event_lines,
            problems: self.problems,
        }
    }

    /// What is wrong with a case record, given its checked events.
    fn case_problem(&self, c: &CaseLine, year: i32) -> Option<String> {
        if !self.scope.covers(c.region.as_deref()) {
            return Some(format!(
                "its region {} lies outside the manifest's region {}",
                c.region.as_deref().unwrap_or("(none)"),
                self.manifest.region
            ));
        }
        if self.broken.contains(&c.id) {
            return None;
        }
        let Some(chain) = self.chains.get(&c.id) else {
            return Some(format!("has no events in {EVENTS}"));
        };
        if chain.seq != c.seq || chain.head != c.head_hash {
            return Some(format!(
                "its record ends at event {} with head {}, its events at event {} with {} (events missing or added)",
                c.seq, c.head_hash, chain.seq, chain.head
            ));
        }
        if chain.workflow != c.workflow
            || i64::from(chain.version) != c.workflow_version
            || chain.state != c.state
        {
            return Some(format!(
                "its record says {} v{} in state {}, its events replay to {} v{} in state {}",
                c.workflow, c.workflow_version, c.state, chain.workflow, chain.version, chain.state
            ));
        }
        if !chain.in_year {
            return Some(format!("has no event in the manifest's year {year}"));
        }
        None
    }

    /// Compares the members found with the manifest's.
    fn members(&mut self) {
        let mut problem = |name: &str, reason: &str| {
            self.problems.push(Problem::Member {
                name: name.to_string(),
                reason: reason.to_string(),
            })
        };
        for want in &self.manifest.members {
            match self.found.iter().find(|m| m.name == want.name) {
                None => problem(
                    &want.name,
                    "listed in the manifest but missing from the bundle",
                ),
                Some(m) if m.sha256 != want.sha256 || m.bytes != want.bytes => problem(
                    &want.name,
                    "its SHA-256 does not match the manifest (the file was altered)",
                ),
                Some(_) => {}
            }
        }
        let mut names = HashSet::new();
        for m in &self.found {
            if !names.insert(m.name.as_str()) {
                problem(&m.name, "appears twice in the bundle");
            } else if !self.manifest.members.iter().any(|w| w.name == m.name) {
                problem(&m.name, "is in the bundle but not in the manifest");
            }
        }
        for required in [CASES, EVENTS] {
            let listed = self.manifest.members.iter().any(|w| w.name == required);
            if !listed && !names.contains(required) {
                problem(required, "missing from the bundle");
            }
        }
    }
}
