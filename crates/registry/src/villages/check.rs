//! The check of a beneficiary's desa/kelurahan code against its
//! kabupaten/kota, refused with the column and the reason in Indonesian and
//! English as the registry's other checks are.

use pantau_domain::{Label, RegionCode};

use super::{DesaCode, Found, KecamatanCode, Villages};
use crate::sheet::ColumnError;

impl Villages {
    /// The desa or kelurahan code in column `column` of a beneficiary of
    /// kabupaten/kota `regency`: a current code that lies in it. Every
    /// refusal names the column and says why in Indonesian and English; an
    /// old code that a decree replaced names the new one.
    pub fn check_desa(
        &self,
        column: &str,
        text: &str,
        regency: &RegionCode,
    ) -> Result<DesaCode, ColumnError> {
        let refuse = |reason: Label| ColumnError {
            column: column.to_string(),
            reason,
        };
        let code = match DesaCode::parse(text) {
            Ok(code) => code,
            Err(e) => {
                let kecamatan = KecamatanCode::parse(text)
                    .ok()
                    .and_then(|k| self.kecamatan(k));
                return Err(refuse(match kecamatan {
                    Some(k) => Label::new(
                        format!(
                            "`{text}` adalah kode kecamatan {} ({}); isi kode desa/kelurahan, 10 angka",
                            k.name, k.regency.name
                        ),
                        format!(
                            "`{text}` is the code of kecamatan {} ({}); give the desa/kelurahan \
                             code, 10 digits",
                            k.name, k.regency.name
                        ),
                    ),
                    None => e.label(column, text),
                }));
            }
        };
        let Some(place) = self.desa(code) else {
            let now = self.resolve(&code.to_string());
            return Err(refuse(match now {
                Some(Found { place, renamed }) if !renamed.is_empty() => {
                    let decree = renamed.last().map_or("", |r| r.decree.as_str());
                    Label::new(
                        format!(
                            "kode desa/kelurahan {code} sudah diganti menjadi {} ({}, {}) oleh {decree}",
                            place.code, place.name, place.regency.name
                        ),
                        format!(
                            "desa/kelurahan code {code} was replaced by {} ({}, {}) by {decree}",
                            place.code, place.name, place.regency.name
                        ),
                    )
                }
                _ => Label::new(
                    format!("tidak ada desa/kelurahan dengan kode {code}"),
                    format!("there is no desa/kelurahan {code}"),
                ),
            }));
        };
        if &code.regency() != regency {
            let given = self
                .regions
                .get(regency)
                .map_or(regency.to_string(), |r| format!("{} ({regency})", r.name));
            return Err(refuse(Label::new(
                format!(
                    "{} {code} ({}) terletak di {} ({}), bukan di {given}",
                    place.level.label().id,
                    place.name,
                    place.regency.name,
                    place.regency.code
                ),
                format!(
                    "{} {code} ({}) lies in {} ({}), not in {given}",
                    place.level.label().en,
                    place.name,
                    place.regency.name,
                    place.regency.code
                ),
            )));
        }
        Ok(code)
    }
}

impl Villages {
    /// As [`Villages::check_desa`], but an old code that a decree replaced
    /// (`data/renamed.csv`) is taken as the code it has now: the current
    /// code comes back, and it must lie in `regency` as any other. A record
    /// keeps the current code, so what it shows and counts never needs the
    /// changes again.
    pub fn accept_desa(
        &self,
        column: &str,
        text: &str,
        regency: &RegionCode,
    ) -> Result<DesaCode, ColumnError> {
        let renamed = DesaCode::parse(text)
            .ok()
            .filter(|code| self.desa(*code).is_none())
            .and_then(|code| self.resolve(&code.to_string()))
            .filter(|found| !found.renamed.is_empty());
        match renamed {
            Some(found) => self.check_desa(column, &found.place.code.to_string(), regency),
            None => self.check_desa(column, text, regency),
        }
    }
}
