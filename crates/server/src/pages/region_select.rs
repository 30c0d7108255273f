//! Every `<select>` of regions, written once: kabupaten/kota grouped under
//! their province (`<optgroup label="Lampung">`), in code order, and a
//! province that may itself be chosen at the top of its group ("Seluruh
//! Lampung"). A template writes the groups with the partial
//! `_wilayah_pilihan` (`{{> _wilayah_pilihan groups=page.regions}}`).

use std::collections::BTreeMap;

use pantau_domain::RegionCode;
use serde::Serialize;

use super::view::Viewer;
use crate::App;

/// A province's `<optgroup>`.
#[derive(Debug, Serialize)]
pub(super) struct RegionGroup {
    label: String,
    options: Vec<RegionOption>,
}

#[derive(Debug, Serialize)]
pub(super) struct RegionOption {
    value: String,
    label: String,
    selected: bool,
}

/// Whether an option also shows its code ("Kota Metro (18.72)"), where the
/// page's readers work with codes (users, allocations, reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Codes {
    Hidden,
    Shown,
}

/// `codes` grouped under their provinces, `chosen` selected. A province
/// among `codes` is offered as itself, first in its group; a caller leaves
/// it out where only a kabupaten/kota may be chosen.
pub(super) fn grouped<'a>(
    app: &App,
    v: &Viewer,
    codes: impl IntoIterator<Item = &'a str>,
    chosen: Option<&str>,
    show: Codes,
) -> Vec<RegionGroup> {
    let mut by_province: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for code in codes {
        let province =
            RegionCode::parse(code).map_or_else(|_| code.to_string(), |r| r.province().to_string());
        by_province.entry(province).or_default().push(code);
    }
    by_province
        .into_iter()
        .map(|(province, mut codes)| {
            // A province's code ("18") sorts before its kabupaten/kota ("18.01").
            codes.sort_unstable();
            codes.dedup();
            let province_name = app.region_name(&province);
            let options = codes
                .into_iter()
                .map(|code| {
                    let name = if code == province {
                        v.text("wilayah.seluruh")
                            .replace("{provinsi}", &province_name)
                    } else {
                        app.region_name(code)
                    };
                    RegionOption {
                        label: match show {
                            Codes::Shown => format!("{name} ({code})"),
                            Codes::Hidden => name,
                        },
                        selected: chosen == Some(code),
                        value: code.to_string(),
                    }
                })
                .collect();
            RegionGroup {
                label: province_name,
                options,
            }
        })
        .collect()
}
