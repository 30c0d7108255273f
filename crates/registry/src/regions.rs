//! Indonesia's provinces and kabupaten/kota with their Kemendagri codes,
//! from `data/regions.csv` (its source and licence: `data/SOURCE.md`).

use std::collections::BTreeMap;

use pantau_domain::{RegionCode, Zone};
use serde::Deserialize;

const EMBEDDED: &str = include_str!("../data/regions.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Province,
    /// Kabupaten.
    Regency,
    /// Kota.
    City,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: Level,
    pub province: RegionCode,
    pub zone: Zone,
}

#[derive(Debug, Deserialize)]
struct Row {
    code: String,
    name: String,
    level: Level,
    province_code: String,
    zone: String,
}

/// A line of the regions file that does not hold a region.
#[derive(Debug, thiserror::Error)]
#[error("regions.csv line {line}: {reason}")]
pub struct RegionsError {
    pub line: u64,
    pub reason: String,
}

/// All regions, by code.
#[derive(Debug, Clone, Default)]
pub struct Regions {
    by_code: BTreeMap<RegionCode, Region>,
}

impl Regions {
    /// The regions shipped with Pantau.
    pub fn embedded() -> Result<Regions, RegionsError> {
        Regions::parse(EMBEDDED)
    }

    pub fn parse(csv_text: &str) -> Result<Regions, RegionsError> {
        let mut by_code = BTreeMap::new();
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        for (i, row) in reader.deserialize::<Row>().enumerate() {
            let line = i as u64 + 2;
            let fail = |reason: String| RegionsError { line, reason };
            let row = row.map_err(|e| fail(e.to_string()))?;
            let code = RegionCode::parse(&row.code).map_err(|e| fail(e.to_string()))?;
            let province =
                RegionCode::parse(&row.province_code).map_err(|e| fail(e.to_string()))?;
            let zone = row.zone.parse().map_err(fail)?;
            if code.province() != province || (row.level == Level::Province) != code.is_province() {
                return Err(fail(format!("{code} does not fit its level or province")));
            }
            let region = Region {
                code: code.clone(),
                name: row.name,
                level: row.level,
                province,
                zone,
            };
            if by_code.insert(code.clone(), region).is_some() {
                return Err(fail(format!("{code} appears twice")));
            }
        }
        Ok(Regions { by_code })
    }

    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        self.by_code.get(code)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.by_code.values()
    }

    /// The kabupaten/kota of a province, in code order.
    pub fn children<'a>(
        &'a self,
        province: &'a RegionCode,
    ) -> impl Iterator<Item = &'a Region> + 'a {
        self.by_code
            .values()
            .filter(move |r| !r.code.is_province() && &r.province == province)
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn the_shipped_regions_hold_every_province_and_the_sources_regions() {
        let r = Regions::embedded().unwrap();
        assert_eq!(r.iter().filter(|x| x.level == Level::Province).count(), 38);
        assert_eq!(r.children(&code("18")).count(), 15, "Lampung");
        assert_eq!(r.children(&code("13")).count(), 19, "Sumatera Barat");
        for (c, name) in [
            ("13.03", "Kabupaten Sijunjung"),
            ("13.12", "Kabupaten Pasaman Barat"),
            ("13.10", "Kabupaten Dharmasraya"),
            ("13.77", "Kota Pariaman"),
            ("13.72", "Kota Solok"),
            ("18.71", "Kota Bandar Lampung"),
        ] {
            assert_eq!(r.get(&code(c)).map(|x| x.name.as_str()), Some(name));
        }
        assert_eq!(r.get(&code("18")).unwrap().zone, Zone::Wib);
        assert_eq!(r.get(&code("73")).unwrap().zone, Zone::Wita);
        assert_eq!(r.get(&code("81")).unwrap().zone, Zone::Wit);
        assert!(r.iter().all(|x| r.get(&x.province).is_some()));
    }

    #[test]
    fn a_broken_line_is_named() {
        let e = Regions::parse("code,name,level,province_code,zone\n18,Lampung,province,18,WIB\n18.71,Kota,city,13,WIB\n").unwrap_err();
        assert_eq!(e.line, 3);
    }
}
