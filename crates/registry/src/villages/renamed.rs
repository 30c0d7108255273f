//! Codes a later decree gave another code (`data/renamed.csv`): a region
//! moved to a new province, a desa moved to a new kecamatan. Old records
//! keep the code they were written with; this says what it is now.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::DataError;

const EMBEDDED: &str = include_str!("../../data/renamed.csv");

/// How the old code was matched to the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The same name (letter case and spaces aside) under the new parent.
    Name,
    /// The same letters once spaces and punctuation are removed
    /// (`Tohiti Sari` → `Tohitisari`).
    Spelling,
}

/// One code that changed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Rename {
    /// The old code, dotted (`92.01.01.2002`).
    pub old_code: String,
    /// The code the decree gave it (`96.01.01.2001`).
    pub new_code: String,
    /// The decree that gave the new code.
    pub decree: String,
    /// The decree's date, `YYYY-MM-DD`.
    pub date: String,
    pub basis: Basis,
}

/// Every code that changed, by old code.
#[derive(Debug, Clone, Default)]
pub struct Renames {
    by_old: BTreeMap<String, Rename>,
}

/// An old code followed to the code it has now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<'a> {
    /// The current code (the one asked for when it never changed).
    pub code: String,
    /// The changes from the code asked for to `code`, oldest first; empty
    /// when the code asked for is current.
    pub steps: Vec<&'a Rename>,
}

/// A code of any level, dotted, from its digits with or without dots
/// (`3373041001` → `33.73.04.1001`); `None` if it has no code's shape.
pub fn dotted(text: &str) -> Option<String> {
    let t = text.trim();
    let digits: String = t.chars().filter(|c| *c != '.').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cuts: &[usize] = match digits.len() {
        2 => &[2],
        4 => &[2, 2],
        6 => &[2, 2, 2],
        10 => &[2, 2, 2, 4],
        _ => return None,
    };
    let mut parts = Vec::new();
    let mut at = 0;
    for n in cuts {
        parts.push(&digits[at..at + n]);
        at += n;
    }
    let out = parts.join(".");
    (t.len() == digits.len() || t == out).then_some(out)
}

impl Renames {
    /// The changes shipped with Pantau, read once.
    pub fn embedded() -> Result<&'static Renames, DataError> {
        static RENAMES: OnceLock<Result<Renames, DataError>> = OnceLock::new();
        RENAMES
            .get_or_init(|| Renames::parse(EMBEDDED))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Reads `old_code,new_code,decree,date,basis`; refuses a malformed
    /// code, a change to another level, an old code listed twice and a
    /// chain that comes back to where it started.
    pub fn parse(csv_text: &str) -> Result<Renames, DataError> {
        let mut by_old = BTreeMap::new();
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        for (i, row) in reader.deserialize::<Rename>().enumerate() {
            let fail = |reason: String| DataError::new("renamed.csv", i as u64 + 2, reason);
            let row = row.map_err(|e| fail(e.to_string()))?;
            for code in [&row.old_code, &row.new_code] {
                if dotted(code).as_ref() != Some(code) {
                    return Err(fail(format!("`{code}` is not a dotted region code")));
                }
            }
            if row.old_code.len() != row.new_code.len() || row.old_code == row.new_code {
                return Err(fail(format!(
                    "{} → {}: not another code of the same level",
                    row.old_code, row.new_code
                )));
            }
            if !is_date(&row.date) {
                return Err(fail(format!("`{}` is not a date YYYY-MM-DD", row.date)));
            }
            if let Some(before) = by_old.insert(row.old_code.clone(), row) {
                return Err(fail(format!("{} appears twice", before.old_code)));
            }
        }
        let renames = Renames { by_old };
        for old in renames.by_old.keys() {
            if renames.follow(old).is_none() {
                return Err(DataError::new(
                    "renamed.csv",
                    0,
                    format!("the changes from {old} come back to it"),
                ));
            }
        }
        Ok(renames)
    }

    /// The change of `old_code` (dotted), if it changed.
    pub fn get(&self, old_code: &str) -> Option<&Rename> {
        self.by_old.get(old_code)
    }

    /// `code` (dotted or not) followed through every change to the code it
    /// has now; a code that never changed is its own current code.
    pub fn current(&self, code: &str) -> Resolved<'_> {
        let code = dotted(code).unwrap_or_else(|| code.trim().to_string());
        self.follow(&code).unwrap_or(Resolved {
            code,
            steps: Vec::new(),
        })
    }

    fn follow(&self, code: &str) -> Option<Resolved<'_>> {
        let mut steps: Vec<&Rename> = Vec::new();
        let mut at = code;
        while let Some(change) = self.by_old.get(at) {
            if steps.len() > self.by_old.len() {
                return None;
            }
            steps.push(change);
            at = &change.new_code;
        }
        Some(Resolved {
            code: at.to_string(),
            steps,
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = &Rename> {
        self.by_old.values()
    }

    pub fn len(&self) -> usize {
        self.by_old.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_old.is_empty()
    }
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}
