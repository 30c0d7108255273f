//! `pantau program add|show`: programs, their allocations and where the money stands.

use std::process::ExitCode;

use anyhow::{anyhow, bail};
use clap::Subcommand;
use pantau_domain::{RegionCode, Rupiah};
use pantau_registry::regions::Regions;
use pantau_store::Store;
use pantau_store::registry::NewProgram;

use super::{Sources, block_on};
use crate::config::DbArgs;

#[derive(Debug, Subcommand)]
pub enum ProgramCmd {
    /// Register a program for a fiscal year with its allocation per kabupaten/kota.
    Add {
        /// A short id, e.g. bansos-kud-2026-lampung.
        id: String,
        /// The workflow it runs on, e.g. bansos.
        #[arg(long)]
        workflow: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        year: i32,
        /// e.g. APBN (Kemenkop UKM), DAK, APBD.
        #[arg(long, default_value = "APBN")]
        funding: String,
        /// The program's budget ceiling, e.g. "Rp 4.924.000.000".
        #[arg(long)]
        ceiling: Rupiah,
        /// The province that runs it, e.g. 18.
        #[arg(long)]
        province: RegionCode,
        /// REGION=AMOUNT, e.g. 18.71="Rp 500.000.000"; repeat for each kabupaten/kota.
        #[arg(long = "allocation", value_name = "REGION=AMOUNT")]
        allocations: Vec<String>,
        #[command(flatten)]
        sources: Sources,
    },
    /// Show a program's allocations: approved, disbursed, remaining.
    Show { id: String },
}

pub fn run(cmd: ProgramCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let store = block_on(Store::open(&db.settings()?))?;
    match cmd {
        ProgramCmd::Add {
            id,
            workflow,
            name,
            year,
            funding,
            ceiling,
            province,
            allocations,
            sources,
        } => {
            let def = super::case::definition(
                &super::case::load(&sources.locate(db)?)?,
                &workflow,
                None,
            )?;
            let regions = Regions::embedded()?;
            let mut parsed = Vec::new();
            for a in &allocations {
                let (region, amount) = a
                    .split_once('=')
                    .ok_or_else(|| anyhow!("allocation `{a}` must be written REGION=AMOUNT"))?;
                let region =
                    RegionCode::parse(region).map_err(|e| anyhow!("allocation `{a}`: {e}"))?;
                if regions.get(&region).is_none() || !province.covers(&region) {
                    bail!(
                        "allocation `{a}`: {region} is not a kabupaten/kota of province {province}"
                    );
                }
                let amount = Rupiah::parse(amount).map_err(|e| anyhow!("allocation `{a}`: {e}"))?;
                parsed.push((region.to_string(), amount.get()));
            }
            let total: i64 = parsed.iter().map(|(_, a)| a).sum();
            if total > ceiling.get() {
                bail!(
                    "allocations add up to {}, above the ceiling {ceiling}",
                    Rupiah::new(total).unwrap_or_default()
                );
            }
            let program = NewProgram {
                id: id.clone(),
                name,
                workflow: def.id.clone(),
                workflow_version: def.version,
                fiscal_year: year,
                funding_source: funding,
                budget_ceiling: ceiling.get(),
                province: province.to_string(),
                allocations: parsed,
            };
            if block_on(store.add_program(&program))? {
                println!(
                    "program {id} registered on {} v{} with {} allocation(s)",
                    def.id,
                    def.version,
                    program.allocations.len()
                );
            } else {
                println!("program {id} was already registered: nothing changed");
            }
            Ok(ExitCode::SUCCESS)
        }
        ProgramCmd::Show { id } => {
            let p = block_on(store.program(&id))?.ok_or_else(|| anyhow!("no program {id}"))?;
            println!(
                "{}  {} ({} v{}), tahun anggaran {}, {}, pagu {}",
                p.id,
                p.name,
                p.workflow,
                p.workflow_version,
                p.fiscal_year,
                p.funding_source,
                rupiah(p.budget_ceiling)
            );
            println!(
                "{:<8} {:>22} {:>22} {:>22} {:>22} {:>6}",
                "wilayah", "alokasi", "disetujui", "dicairkan", "sisa", "kasus"
            );
            for u in block_on(store.allocation_use(&id))? {
                println!(
                    "{:<8} {:>22} {:>22} {:>22} {:>22} {:>6}",
                    u.region_code,
                    rupiah(u.allocation),
                    rupiah(u.approved),
                    rupiah(u.disbursed),
                    rupiah(u.allocation - u.approved),
                    u.cases
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn rupiah(v: i64) -> String {
    Rupiah::new(v).map_or_else(
        |_| format!("-{}", Rupiah::new(-v).unwrap_or_default()),
        |r| r.to_string(),
    )
}
