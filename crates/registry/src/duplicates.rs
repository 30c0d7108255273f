//! Likely duplicates in the registry, for a verifier to judge: two records
//! of the same kind in the same kabupaten/kota whose names are alike once
//! the words every cooperative's name carries are set aside ("Koperasi",
//! "KSP", "K.U.D.", "Primer", "Serba Usaha", …), or two records of the same
//! kind that carry the same person's NIK (a UMKM's owner, a street vendor,
//! an entrepreneur) anywhere in what they are given.
//!
//! Names that both carry numbers, and not the same ones ("Unit 1", "Unit
//! 2"), are two, however alike the rest.
//!
//! A pair is always of one kind: a vendor who also registered a business is
//! two beneficiaries by design, so a merge never changes what a record is.
//!
//! No pair is compared unless the two share a block: the same region and
//! kind and the first four letters of one significant word of the name
//! (so a typo past the fourth letter still meets), or the same kind and NIK.
//! A kabupaten/kota of a few thousand records is a few hundred thousand
//! comparisons at most, never every pair of the country.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

/// Name similarity (per mille) from which two names are listed.
pub const THRESHOLD: u16 = 850;

/// Letters of a word that make its block.
const BLOCK: usize = 4;

/// Words set aside before names are compared: the legal form and the kind
/// of cooperative, which many names in one kabupaten/kota share.
const COMMON: &[&str] = &[
    "koperasi",
    "kop",
    "ksp",
    "kspps",
    "ksppps",
    "ksu",
    "kud",
    "kpri",
    "kpn",
    "kopwan",
    "kopontren",
    "primer",
    "sekunder",
    "serba",
    "usaha",
    "simpan",
    "pinjam",
    "unit",
    "desa",
    "syariah",
    "pt",
    "cv",
    "ud",
    "tbk",
];

/// A registered beneficiary as the matcher reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    /// The kabupaten/kota.
    pub region: String,
    /// `cooperative`, `umkm`, `pkl` or `entrepreneur`.
    pub kind: String,
    pub name: String,
    /// The person's NIK: a UMKM's owner, a vendor's or an entrepreneur's own.
    pub nik: Option<String>,
}

/// Why two records are suspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Why {
    /// Both carry the same person's NIK.
    pub same_nik: bool,
    /// How alike their names are, per mille (1000: the same once
    /// normalised), for a same-NIK pair too.
    pub score: u16,
}

/// Two records that may be one, `first` the smaller id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    pub first: String,
    pub second: String,
    pub why: Why,
}

/// The name as it is compared: lower case without accents or punctuation,
/// initials run together (`K.S.P.` is `ksp`), the common words set aside and
/// the rest in alphabetical order (`Jaya Maju` is `Maju Jaya`). A name of
/// common words only keeps them.
pub fn name_key(name: &str) -> String {
    let words = words(name);
    let kept: Vec<&String> = words
        .iter()
        .filter(|w| !COMMON.contains(&w.as_str()))
        .collect();
    let mut kept: Vec<&String> = if kept.is_empty() {
        words.iter().collect()
    } else {
        kept
    };
    kept.sort();
    kept.iter()
        .map(|w| w.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lower-case words of letters and digits, single letters in a row joined.
fn words(name: &str) -> Vec<String> {
    let plain: String = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut out: Vec<String> = vec![];
    let mut initials = String::new();
    for w in plain.split_whitespace() {
        if w.chars().count() == 1 && w.chars().all(char::is_alphabetic) {
            initials.push_str(w);
            continue;
        }
        if !initials.is_empty() {
            out.push(std::mem::take(&mut initials));
        }
        out.push(w.to_string());
    }
    if !initials.is_empty() {
        out.push(initials);
    }
    out
}

/// How alike two name keys are, per mille: one less the edits between
/// them (a letter added, removed or changed, or two neighbours swapped:
/// `strsim::osa_distance`) over the longer key's letters, so a typo in a
/// long name still counts as alike. Two empty keys are alike.
pub fn similarity(a: &str, b: &str) -> u16 {
    let longer = a.chars().count().max(b.chars().count());
    if longer == 0 {
        return 1000;
    }
    per_mille(strsim::osa_distance(a, b), longer)
}

fn per_mille(edits: usize, longer: usize) -> u16 {
    let same = longer.saturating_sub(edits) as u64;
    u16::try_from(same * 1000 / longer as u64).unwrap_or(1000)
}

/// The best [`similarity`] two keys of these lengths and letters could
/// have, cheaply: a pair below the threshold by this is never compared
/// letter by letter.
fn best_possible(a: (usize, &Letters), b: (usize, &Letters)) -> u16 {
    let longer = a.0.max(b.0);
    if longer == 0 {
        return 1000;
    }
    per_mille(a.0.abs_diff(b.0).max(fewest_edits(a.1, b.1)), longer)
}

/// A key's letters counted (a–z, 0–9, anything else in one slot).
type Letters = [u8; 37];

fn letters(key: &str) -> Letters {
    let mut out = [0u8; 37];
    for c in key.chars() {
        let slot = match c {
            'a'..='z' => c as usize - 'a' as usize,
            '0'..='9' => 26 + (c as usize - '0' as usize),
            _ => 36,
        };
        out[slot] = out[slot].saturating_add(1);
    }
    out
}

/// The fewest edits that could turn one key into the other: a changed
/// letter moves two counts, an added or removed one a count, a swap none.
fn fewest_edits(a: &Letters, b: &Letters) -> usize {
    let moved: usize = a
        .iter()
        .zip(b)
        .map(|(x, y)| usize::from(x.abs_diff(*y)))
        .sum();
    moved.div_ceil(2)
}

/// The key's numbers (`unit 2`, `ani 121`), in order.
fn numbers(key: &str) -> Vec<&str> {
    key.split(' ')
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// Two names that both carry numbers, and not the same ones, name two
/// (a cooperative's unit 1 and unit 2), however alike the rest.
fn numbered_apart(a: &str, b: &str) -> bool {
    let (x, y) = (numbers(a), numbers(b));
    !x.is_empty() && !y.is_empty() && x != y
}

/// The blocks a key falls in: the first letters of each word.
fn blocks(key: &str) -> BTreeSet<String> {
    key.split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(BLOCK).collect())
        .collect()
}

/// The likely duplicates among `candidates`: same-NIK pairs first, then by
/// name score, highest first, then by ids. Each pair once, whatever made it;
/// a candidate given twice counts once.
pub fn likely(given: &[Candidate]) -> Vec<Suspect> {
    let mut seen = BTreeSet::new();
    let candidates: Vec<&Candidate> = given.iter().filter(|c| seen.insert(&c.id)).collect();
    let mut found: HashMap<(usize, usize), Why> = HashMap::new();
    let ordered = |i: usize, j: usize| {
        if candidates[i].id <= candidates[j].id {
            (i, j)
        } else {
            (j, i)
        }
    };
    let keys: Vec<String> = candidates.iter().map(|c| name_key(&c.name)).collect();
    let lengths: Vec<usize> = keys.iter().map(|k| k.chars().count()).collect();
    let counted: Vec<Letters> = keys.iter().map(|k| letters(k)).collect();
    // Same kind and NIK, anywhere.
    let mut by_nik: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if let Some(nik) = c.nik.as_deref().filter(|n| !n.is_empty()) {
            by_nik.entry((&c.kind, nik)).or_default().push(i);
        }
    }
    for group in by_nik.values() {
        for (n, &i) in group.iter().enumerate() {
            for &j in &group[n + 1..] {
                found.insert(
                    ordered(i, j),
                    Why {
                        same_nik: true,
                        score: similarity(&keys[i], &keys[j]),
                    },
                );
            }
        }
    }
    // Same region and kind, a word's first letters in common, names alike.
    let mut by_block: HashMap<(&str, &str, String), Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        for b in blocks(&keys[i]) {
            by_block.entry((&c.region, &c.kind, b)).or_default().push(i);
        }
    }
    let mut compared: HashSet<(usize, usize)> = HashSet::new();
    for group in by_block.values() {
        for (n, &i) in group.iter().enumerate() {
            for &j in &group[n + 1..] {
                let pair = ordered(i, j);
                if !compared.insert(pair) {
                    continue;
                }
                // A same-NIK pair has its score already.
                let best = best_possible((lengths[i], &counted[i]), (lengths[j], &counted[j]));
                if found.contains_key(&pair)
                    || best < THRESHOLD
                    || numbered_apart(&keys[i], &keys[j])
                {
                    continue;
                }
                let score = similarity(&keys[i], &keys[j]);
                if score >= THRESHOLD {
                    found.insert(
                        pair,
                        Why {
                            same_nik: false,
                            score,
                        },
                    );
                }
            }
        }
    }
    let mut out: Vec<Suspect> = found
        .into_iter()
        .map(|((i, j), why)| Suspect {
            first: candidates[i].id.clone(),
            second: candidates[j].id.clone(),
            why,
        })
        .collect();
    out.sort_by(|a, b| {
        b.why
            .same_nik
            .cmp(&a.why.same_nik)
            .then(b.why.score.cmp(&a.why.score))
            .then_with(|| a.first.cmp(&b.first))
            .then_with(|| a.second.cmp(&b.second))
    });
    out
}

#[cfg(test)]
mod tests;
