//! The case list's narrower filters as the page shows them: a search by
//! name or case number, monev visits, money, time in the stage, the order,
//! and "waiting for me"; and every filter kept in the pager's links.

use serde::Serialize;

use super::cases::{Choice, choice};
use super::view::Viewer;
use crate::api::cases::CaseFilter;

#[derive(Serialize)]
pub(super) struct Narrowing {
    search: String,
    visits: Vec<Choice>,
    money: Vec<Choice>,
    in_stage: Vec<Choice>,
    sort: Vec<Choice>,
    waiting: bool,
}

/// The days in a stage the page offers.
const DAYS: [&str; 3] = ["14", "30", "60"];

pub(super) fn narrowing(v: &Viewer, f: &CaseFilter) -> Narrowing {
    let words = |values: &[&str], key: &str, chosen: Option<&String>| {
        values
            .iter()
            .map(|x| choice(x, &v.text(&format!("temukan.{key}_{x}")), chosen))
            .collect()
    };
    Narrowing {
        search: f.cari.clone().unwrap_or_default(),
        visits: words(
            &["selesai", "terjadwal", "terlambat"],
            "kunjungan",
            f.kunjungan.as_ref(),
        ),
        money: words(&["disetujui", "dicairkan"], "uang", f.uang.as_ref()),
        in_stage: DAYS
            .iter()
            .map(|d| {
                let label = v.text("temukan.di_tahap_lebih").replace("{n}", d);
                choice(d, &label, f.di_tahap.as_ref())
            })
            .collect(),
        sort: words(&["baru", "lama_di_tahap", "nama"], "urut", f.urut.as_ref()),
        waiting: f.menunggu.as_deref() == Some("saya"),
    }
}

/// Every filter of `f` but the page, to keep in a link.
pub(super) fn kept(f: &CaseFilter) -> Vec<(&'static str, String)> {
    [
        ("program", &f.program),
        ("state", &f.state),
        ("region", &f.region),
        ("officer", &f.officer),
        ("evidence", &f.evidence),
        ("kunjungan", &f.kunjungan),
        ("uang", &f.uang),
        ("di_tahap", &f.di_tahap),
        ("cari", &f.cari),
        ("menunggu", &f.menunggu),
        ("urut", &f.urut),
        ("per_page", &f.per_page),
    ]
    .into_iter()
    .map(|(k, o)| (k, o.clone().unwrap_or_default()))
    .filter(|(_, x)| !x.is_empty())
    .collect()
}

/// How many filters narrow the list (the order and paging do not).
pub(super) fn active(f: &CaseFilter) -> usize {
    kept(f)
        .iter()
        .filter(|(k, _)| !matches!(*k, "urut" | "per_page"))
        .count()
}
