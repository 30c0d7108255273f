//! The targets the indicators are held to: a setting (`[indicators]` in
//! `pantau.toml`), the West Sumatra Rakor's figures by default, overridden
//! per province and, optionally, per year.

use serde::Deserialize;

/// One region's targets in one year, in hundredths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// New cooperatives, of last year's active ones.
    pub new_bp: i64,
    /// RAT held, more than last year.
    pub rat_bp: i64,
    /// Inactive cooperatives, fewer than last year.
    pub inactive_bp: i64,
    /// Quality cooperatives, of the active ones.
    pub quality_bp: i64,
}

impl Target {
    /// The Rakor's: 7 %, +15 %, −25 %, 14 %.
    pub const RAKOR: Target = Target {
        new_bp: 700,
        rat_bp: 1_500,
        inactive_bp: 2_500,
        quality_bp: 1_400,
    };
}

/// Percentages as written in `pantau.toml` (`new = 7.5`), each optional.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Percents {
    pub new: Option<f64>,
    pub rat: Option<f64>,
    pub inactive: Option<f64>,
    pub quality: Option<f64>,
}

/// `[[indicators.override]]`: a province's own targets, every year or one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The province's code (`13`).
    pub province: String,
    pub year: Option<i32>,
    pub new: Option<f64>,
    pub rat: Option<f64>,
    pub inactive: Option<f64>,
    pub quality: Option<f64>,
}

impl Override {
    pub fn percents(&self) -> Percents {
        Percents {
            new: self.new,
            rat: self.rat,
            inactive: self.inactive,
            quality: self.quality,
        }
    }
}

/// `[indicators]`: the default targets, the overrides, and the fewest
/// verified records a figure is computed from.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    pub new: Option<f64>,
    pub rat: Option<f64>,
    pub inactive: Option<f64>,
    pub quality: Option<f64>,
    /// Fewer verified cooperatives than this in a region's year: its figure
    /// is not computed (default 5).
    pub min_verified: Option<i64>,
    #[serde(default, rename = "override")]
    pub overrides: Vec<Override>,
}

/// Why the settings cannot be used: the key and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("indicators.{key}: {reason}")]
pub struct TargetsError {
    pub key: String,
    pub reason: String,
}

pub const MIN_VERIFIED: i64 = 5;

fn apply(t: &mut Target, p: &Percents) {
    let bp = |x: f64| (x * 100.0).round() as i64;
    for (slot, v) in [
        (&mut t.new_bp, p.new),
        (&mut t.rat_bp, p.rat),
        (&mut t.inactive_bp, p.inactive),
        (&mut t.quality_bp, p.quality),
    ] {
        if let Some(v) = v {
            *slot = bp(v);
        }
    }
}

impl Targets {
    /// The default percentages as set.
    pub fn defaults(&self) -> Percents {
        Percents {
            new: self.new,
            rat: self.rat,
            inactive: self.inactive,
            quality: self.quality,
        }
    }

    /// Every value checked: percentages from 0 to 1000, provinces as two
    /// digits, years plausible, the minimum at least 1.
    pub fn check(&self) -> Result<(), TargetsError> {
        let bad = |key: String, reason: &str| {
            Err(TargetsError {
                key,
                reason: reason.into(),
            })
        };
        let percents = |at: &str, p: &Percents| {
            for (name, v) in [
                ("new", p.new),
                ("rat", p.rat),
                ("inactive", p.inactive),
                ("quality", p.quality),
            ] {
                if v.is_some_and(|v| !(0.0..=1000.0).contains(&v)) {
                    return bad(format!("{at}{name}"), "a percentage from 0 to 1000");
                }
            }
            Ok(())
        };
        percents("", &self.defaults())?;
        if self.min_verified.is_some_and(|n| n < 1) {
            return bad("min_verified".into(), "at least 1");
        }
        for (i, o) in self.overrides.iter().enumerate() {
            let at = format!("override[{i}].");
            if o.province.len() != 2 || !o.province.bytes().all(|b| b.is_ascii_digit()) {
                return bad(
                    format!("{at}province"),
                    "a province's two-digit code, e.g. \"13\"",
                );
            }
            if o.year.is_some_and(|y| !(1900..=9999).contains(&y)) {
                return bad(format!("{at}year"), "a year such as 2026");
            }
            percents(&at, &o.percents())?;
        }
        Ok(())
    }

    /// The fewest verified records a figure is computed from.
    pub fn min_verified(&self) -> i64 {
        self.min_verified.unwrap_or(MIN_VERIFIED)
    }

    /// The targets for `province` (none: the whole country) in `year`: the
    /// defaults, then the province's overrides for every year, then those
    /// for `year`.
    pub fn of(&self, province: Option<&str>, year: i32) -> Target {
        let mut t = Target::RAKOR;
        apply(&mut t, &self.defaults());
        if let Some(p) = province {
            let mine = |o: &&Override| o.province == p;
            for o in self
                .overrides
                .iter()
                .filter(mine)
                .filter(|o| o.year.is_none())
            {
                apply(&mut t, &o.percents());
            }
            for o in self
                .overrides
                .iter()
                .filter(mine)
                .filter(|o| o.year == Some(year))
            {
                apply(&mut t, &o.percents());
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_province_year_overrides_the_province_which_overrides_the_defaults() {
        let t: Targets = toml::from_str(
            "new = 8\nmin_verified = 3\n\
             [[override]]\nprovince = \"13\"\nyear = 2026\nrat = 20\n\
             [[override]]\nprovince = \"13\"\nrat = 10\nquality = 12.5\n",
        )
        .unwrap();
        t.check().unwrap();
        assert_eq!(t.min_verified(), 3);
        let base = Target {
            new_bp: 800,
            ..Target::RAKOR
        };
        assert_eq!(t.of(None, 2026), base);
        assert_eq!(t.of(Some("18"), 2026), base);
        assert_eq!(
            t.of(Some("13"), 2025),
            Target {
                rat_bp: 1_000,
                quality_bp: 1_250,
                ..base
            }
        );
        assert_eq!(
            t.of(Some("13"), 2026),
            Target {
                rat_bp: 2_000,
                quality_bp: 1_250,
                ..base
            }
        );
        assert_eq!(Targets::default().of(Some("13"), 2026), Target::RAKOR);
        assert_eq!(Targets::default().min_verified(), MIN_VERIFIED);
    }

    #[test]
    fn a_bad_setting_is_named() {
        let t: Targets = toml::from_str("[[override]]\nprovince = \"13.01\"\nnew = 5\n").unwrap();
        assert_eq!(t.check().unwrap_err().key, "override[0].province");
        let t: Targets = toml::from_str("quality = -1").unwrap();
        assert_eq!(t.check().unwrap_err().key, "quality");
        let t: Targets = toml::from_str("min_verified = 0").unwrap();
        assert_eq!(t.check().unwrap_err().key, "min_verified");
        assert!(toml::from_str::<Targets>("newe = 5").is_err());
    }
}
