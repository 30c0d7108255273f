//! The programs named in the sources, with their allocations.

use pantau_store::registry::NewProgram;
use pantau_store::{Store, StoreError};
use pantau_workflow::Catalog;

use crate::Summary;
use crate::beneficiaries::{LAMPUNG, PKL_REGIONS};

/// A registered program and the regions its cases are spread over.
#[derive(Debug, Clone)]
pub struct Program {
    pub id: String,
    pub workflow: String,
    pub regions: Vec<(String, i64)>,
}

fn spread(total: i64, regions: &[&str]) -> Vec<(String, i64)> {
    let n = regions.len() as i64;
    let each = total / n / 1_000_000 * 1_000_000;
    regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                r.to_string(),
                if i as i64 == n - 1 {
                    total - each * (n - 1)
                } else {
                    each
                },
            )
        })
        .collect()
}

pub async fn fill(
    store: &Store,
    catalog: &Catalog,
    summary: &mut Summary,
) -> Result<Vec<Program>, StoreError> {
    let lampung: Vec<&str> = LAMPUNG.iter().map(|(c, _)| *c).collect();
    let pkl: Vec<&str> = PKL_REGIONS.iter().map(|(c, _)| *c).collect();
    // Lampung 2019: Rp 4.924.000.000 from the Ministry over three strategic programs.
    type Spec<'a> = (
        &'a str,
        &'a str,
        &'a str,
        i32,
        &'a str,
        &'a str,
        Vec<(String, i64)>,
    );
    let specs: [Spec; 8] = [
        (
            "revitalisasi-pasar-2019-lampung",
            "revitalisasi_pasar",
            "Revitalisasi Pasar Tradisional Lampung 2019",
            2019,
            "APBN (DAK Kemenkop UKM)",
            "18",
            vec![
                ("18.05".into(), 1_500_000_000),
                ("18.10".into(), 1_500_000_000),
            ],
        ),
        (
            "plut-2019-lampung",
            "plut",
            "Pembangunan PLUT-KUMKM Lampung 2019",
            2019,
            "APBN (DAK Kemenkop UKM)",
            "18",
            vec![("18.71".into(), 1_200_000_000)],
        ),
        (
            "wirausaha-pemula-2019-lampung",
            "wirausaha_pemula",
            "Bantuan Modal Awal Wirausaha Pemula Lampung 2019",
            2019,
            "APBN (Kemenkop UKM)",
            "18",
            spread(724_000_000, &lampung),
        ),
        (
            "bansos-kud-2026-lampung",
            "bansos",
            "Bantuan Sosial KUD Lampung 2026",
            2026,
            "APBN (Kemenkop UKM)",
            "18",
            spread(1_500_000_000, &lampung),
        ),
        (
            "perkuatan-ksp-2026-lampung",
            "perkuatan_permodalan",
            "Perkuatan Permodalan KSP Lampung 2026",
            2026,
            "APBN (LPDB-KUMKM)",
            "18",
            spread(3_000_000_000, &lampung),
        ),
        (
            "data-tahunan-2026-lampung",
            "data_tahunan",
            "Data Tahunan Koperasi Lampung 2026",
            2026,
            "APBD Provinsi Lampung",
            "18",
            lampung.iter().map(|r| (r.to_string(), 0)).collect(),
        ),
        (
            "pkl-2014-sumbar",
            "pkl",
            "Registrasi dan Penataan PKL Sumatera Barat 2014",
            2014,
            "APBN (Kemenkop UKM)",
            "13",
            pkl.iter().map(|r| (r.to_string(), 0)).collect(),
        ),
        (
            "data-tahunan-umkm-2026-lampung",
            "data_tahunan_umkm",
            "Data Tahunan UMKM Lampung 2026",
            2026,
            "APBD Provinsi Lampung",
            "18",
            lampung.iter().map(|r| (r.to_string(), 0)).collect(),
        ),
    ];
    let mut out = Vec::new();
    for (id, workflow, name, year, funding, province, allocations) in specs {
        let Some(def) = catalog.latest(workflow) else {
            continue;
        };
        let ceiling: i64 = allocations.iter().map(|(_, a)| a).sum();
        store
            .add_program(&NewProgram {
                id: id.into(),
                name: name.into(),
                workflow: workflow.into(),
                workflow_version: def.version,
                fiscal_year: year,
                funding_source: funding.into(),
                budget_ceiling: ceiling,
                province: province.into(),
                allocations: allocations.clone(),
            })
            .await?;
        summary
            .programs
            .push((id.to_string(), name.to_string(), ceiling));
        out.push(Program {
            id: id.into(),
            workflow: workflow.into(),
            regions: allocations,
        });
    }
    Ok(out)
}
