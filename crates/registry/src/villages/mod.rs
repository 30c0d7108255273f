//! Indonesia's kecamatan and desa/kelurahan with their Kemendagri codes,
//! from `data/villages.csv.gz` (`code,name`, gzip'd; its source and licence:
//! `data/SOURCE.md`), and the codes that changed (`renamed`).
//!
//! About 91,000 rows: read only when asked, once per process
//! (`Villages::embedded`), so `Regions` stays as cheap as before.

mod check;
mod code;
pub mod renamed;
#[cfg(test)]
mod tests;

use std::io::Read;
use std::ops::Range;
use std::sync::OnceLock;

use pantau_domain::RegionCode;

pub use code::{CodeError, DesaCode, KecamatanCode, LocalCode, LocalLevel};
pub use renamed::{Rename, Renames, Resolved};

use crate::regions::{Region, Regions};

const EMBEDDED: &[u8] = include_bytes!("../../data/villages.csv.gz");

/// A line of a shipped data file that does not hold what it should.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: {reason}")]
pub struct DataError {
    pub file: &'static str,
    pub line: u64,
    pub reason: String,
}

impl DataError {
    fn new(file: &'static str, line: u64, reason: String) -> DataError {
        DataError { file, line, reason }
    }
}

/// A kecamatan or desa/kelurahan, with the regions it lies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub code: LocalCode,
    pub name: &'a str,
    pub level: LocalLevel,
    /// Its kecamatan: itself for a kecamatan.
    pub kecamatan: KecamatanCode,
    pub kecamatan_name: &'a str,
    /// Its kabupaten/kota.
    pub regency: &'a Region,
    pub province: &'a Region,
}

/// A code found after following its changes (`Villages::resolve`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'a> {
    pub place: Place<'a>,
    /// The changes from the code asked for to `place.code`; empty when it is current.
    pub renamed: Vec<&'a Rename>,
}

#[derive(Debug, Clone, Copy)]
struct Entry<C> {
    code: C,
    name: (u32, u32),
}

/// Every kecamatan and desa/kelurahan, sorted by code, with the provinces
/// and kabupaten/kota they lie in and the codes that changed.
pub struct Villages {
    regions: Regions,
    renames: Renames,
    names: String,
    kecamatan: Vec<Entry<KecamatanCode>>,
    desa: Vec<Entry<DesaCode>>,
}

impl std::fmt::Debug for Villages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Villages")
            .field("kecamatan", &self.kecamatan.len())
            .field("desa", &self.desa.len())
            .finish_non_exhaustive()
    }
}

impl Villages {
    /// The kecamatan and desa/kelurahan shipped with Pantau, read on the
    /// first call and kept for the life of the process.
    pub fn embedded() -> Result<&'static Villages, DataError> {
        static VILLAGES: OnceLock<Result<Villages, DataError>> = OnceLock::new();
        VILLAGES
            .get_or_init(|| {
                let regions = Regions::embedded()
                    .map_err(|e| DataError::new("regions.csv", e.line, e.reason))?;
                let renames = Renames::embedded()?.clone();
                Villages::from_gzip(EMBEDDED, regions, renames)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn from_gzip(
        bytes: &[u8],
        regions: Regions,
        renames: Renames,
    ) -> Result<Villages, DataError> {
        let mut text = String::with_capacity(bytes.len() * 4);
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| DataError::new("villages.csv.gz", 0, e.to_string()))?;
        Villages::parse(&text, regions, renames)
    }

    /// Reads `code,name` sorted by code. Refuses a line whose code is not a
    /// kecamatan's or desa's, a code out of order or twice, a kecamatan
    /// whose kabupaten/kota is not in `regions`, and a desa whose kecamatan
    /// is not in the file.
    pub fn parse(
        csv_text: &str,
        regions: Regions,
        renames: Renames,
    ) -> Result<Villages, DataError> {
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut names = String::with_capacity(csv_text.len() / 2);
        let mut kecamatan: Vec<Entry<KecamatanCode>> = Vec::with_capacity(8_000);
        let mut desa: Vec<Entry<DesaCode>> = Vec::with_capacity(90_000);
        let mut line = 1;
        loop {
            line += 1;
            let fail = |reason: String| DataError::new("villages.csv.gz", line, reason);
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(fail(e.to_string())),
            }
            let (Some(text), Some(name), None) = (record.get(0), record.get(1), record.get(2))
            else {
                return Err(fail("not two columns code,name".into()));
            };
            if name.is_empty() || name.trim() != name {
                return Err(fail(format!("{text}: no name, or spaces around it")));
            }
            let start = names.len() as u32;
            names.push_str(name);
            let name = (start, names.len() as u32);
            match text.len() {
                8 => {
                    let code = KecamatanCode::parse(text).map_err(|e| fail(e.to_string()))?;
                    if regions.get(&code.regency()).is_none() {
                        return Err(fail(format!(
                            "{code}: no kabupaten/kota {}",
                            code.regency()
                        )));
                    }
                    if kecamatan.last().is_some_and(|k| k.code >= code) {
                        return Err(fail(format!("{code} out of order or twice")));
                    }
                    kecamatan.push(Entry { code, name });
                }
                13 => {
                    let code = DesaCode::parse(text).map_err(|e| fail(e.to_string()))?;
                    if kecamatan.last().map(|k| k.code) != Some(code.kecamatan()) {
                        return Err(fail(format!("{code}: its kecamatan is not just before it")));
                    }
                    if desa.last().is_some_and(|d| d.code >= code) {
                        return Err(fail(format!("{code} out of order or twice")));
                    }
                    desa.push(Entry { code, name });
                }
                _ => {
                    return Err(fail(format!(
                        "`{text}` is not a dotted kecamatan or desa code"
                    )));
                }
            }
        }
        names.shrink_to_fit();
        kecamatan.shrink_to_fit();
        desa.shrink_to_fit();
        Ok(Villages {
            regions,
            renames,
            names,
            kecamatan,
            desa,
        })
    }

    /// The provinces and kabupaten/kota the places lie in.
    pub fn regions(&self) -> &Regions {
        &self.regions
    }

    /// The codes that changed.
    pub fn renames(&self) -> &Renames {
        &self.renames
    }

    fn name(&self, (start, end): (u32, u32)) -> &str {
        &self.names[start as usize..end as usize]
    }

    fn kecamatan_entry(&self, code: KecamatanCode) -> Option<&Entry<KecamatanCode>> {
        let i = self
            .kecamatan
            .binary_search_by_key(&code, |e| e.code)
            .ok()?;
        self.kecamatan.get(i)
    }

    fn place(&self, code: LocalCode, name: (u32, u32)) -> Option<Place<'_>> {
        let kecamatan = self.kecamatan_entry(code.kecamatan())?;
        Some(Place {
            code,
            name: self.name(name),
            level: code.level(),
            kecamatan: kecamatan.code,
            kecamatan_name: self.name(kecamatan.name),
            regency: self.regions.get(&kecamatan.code.regency())?,
            province: self.regions.get(&kecamatan.code.province())?,
        })
    }

    /// The kecamatan of `code`, if the decree lists it.
    pub fn kecamatan(&self, code: KecamatanCode) -> Option<Place<'_>> {
        let e = self.kecamatan_entry(code)?;
        self.place(LocalCode::Kecamatan(e.code), e.name)
    }

    /// The desa or kelurahan of `code`, if the decree lists it.
    pub fn desa(&self, code: DesaCode) -> Option<Place<'_>> {
        let i = self.desa.binary_search_by_key(&code, |e| e.code).ok()?;
        let e = self.desa.get(i)?;
        self.place(LocalCode::Desa(e.code), e.name)
    }

    /// A current kecamatan or desa code as typed (`33.73.04.1001`,
    /// `3373041001`, `33.73.04`).
    pub fn lookup(&self, text: &str) -> Option<Place<'_>> {
        match LocalCode::parse(text).ok()? {
            LocalCode::Kecamatan(k) => self.kecamatan(k),
            LocalCode::Desa(d) => self.desa(d),
        }
    }

    /// A kecamatan or desa code as typed, current or one a later decree
    /// replaced (`92.01.01.2002`, Kabupaten Sorong before Papua Barat Daya):
    /// the place it names now and the changes that led there.
    pub fn resolve(&self, text: &str) -> Option<Found<'_>> {
        let code = LocalCode::parse(text).ok()?;
        let resolved = self.renames.current(&code.to_string());
        let place = self.lookup(&resolved.code)?;
        Some(Found {
            place,
            renamed: resolved.steps,
        })
    }

    /// The kecamatan of a kabupaten/kota, in code order.
    pub fn kecamatan_of(&self, regency: &RegionCode) -> impl Iterator<Item = Place<'_>> + '_ {
        let range = self.kecamatan_range(regency);
        self.kecamatan[range]
            .iter()
            .filter_map(|e| self.place(LocalCode::Kecamatan(e.code), e.name))
    }

    /// The desa and kelurahan of a kecamatan, in code order.
    pub fn desa_of(&self, kecamatan: KecamatanCode) -> impl Iterator<Item = Place<'_>> + '_ {
        let n = u64::from(kecamatan.number()) * 10_000;
        self.desa_between(n..n + 10_000)
    }

    /// The desa and kelurahan of a kabupaten/kota (all its kecamatan), in
    /// code order; none for a province's code.
    pub fn desa_in(&self, regency: &RegionCode) -> impl Iterator<Item = Place<'_>> + '_ {
        let n = regency.digits().parse::<u64>().unwrap_or(0) * 1_000_000;
        self.desa_between(match regency.is_province() {
            true => 0..0,
            false => n..n + 1_000_000,
        })
    }

    fn desa_between(&self, numbers: Range<u64>) -> impl Iterator<Item = Place<'_>> + '_ {
        let from = self
            .desa
            .partition_point(|e| e.code.number() < numbers.start);
        let to = self.desa.partition_point(|e| e.code.number() < numbers.end);
        self.desa[from..to]
            .iter()
            .filter_map(|e| self.place(LocalCode::Desa(e.code), e.name))
    }

    fn kecamatan_range(&self, regency: &RegionCode) -> Range<usize> {
        if regency.is_province() {
            return 0..0;
        }
        let n = regency.digits().parse::<u32>().unwrap_or(0) * 100;
        let from = self.kecamatan.partition_point(|e| e.code.number() < n);
        let to = self
            .kecamatan
            .partition_point(|e| e.code.number() < n + 100);
        from..to
    }

    /// Every kecamatan, in code order.
    pub fn all_kecamatan(&self) -> impl Iterator<Item = Place<'_>> + '_ {
        self.kecamatan
            .iter()
            .filter_map(|e| self.place(LocalCode::Kecamatan(e.code), e.name))
    }

    /// Every desa and kelurahan, in code order.
    pub fn all_desa(&self) -> impl Iterator<Item = Place<'_>> + '_ {
        self.desa_between(0..u64::MAX)
    }

    /// The bytes the names and the code tables hold (the regions and the
    /// changes aside).
    pub fn held_bytes(&self) -> usize {
        self.names.capacity()
            + self.kecamatan.capacity() * std::mem::size_of::<Entry<KecamatanCode>>()
            + self.desa.capacity() * std::mem::size_of::<Entry<DesaCode>>()
    }

    pub fn kecamatan_count(&self) -> usize {
        self.kecamatan.len()
    }

    pub fn desa_count(&self) -> usize {
        self.desa.len()
    }
}
