//! `pantau case simulate`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, anyhow};
use clap::Subcommand;
use pantau_domain::{Lang, Zone};
use pantau_workflow::{Definition, simulate};

use super::{Sources, load_catalog, report};

#[derive(Debug, Subcommand)]
pub enum CaseCmd {
    /// Run a script of commands through the engine in memory and print the timeline.
    Simulate {
        /// The program's id, e.g. perkuatan_permodalan.
        program: String,
        /// The script (see workflows/simulations/).
        script: PathBuf,
        #[arg(long, default_value = "id")]
        lang: Lang,
        /// The time zone to show times in: WIB, WITA or WIT.
        #[arg(long, default_value = "WIB")]
        zone: Zone,
        #[command(flatten)]
        sources: Sources,
    },
}

pub fn run(cmd: CaseCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        CaseCmd::Simulate {
            program,
            script,
            lang,
            zone,
            sources,
        } => {
            let def = definition(&sources, &program, None)?;
            let text = std::fs::read_to_string(&script)
                .with_context(|| format!("cannot read {}", script.display()))?;
            match simulate::run(&def, &script.display().to_string(), &text) {
                Ok(run) => {
                    print!("{}", simulate::render(&def, &run, lang, zone));
                    if run.unexpected.is_empty() {
                        Ok(ExitCode::SUCCESS)
                    } else {
                        report(&run.unexpected);
                        Ok(ExitCode::from(1))
                    }
                }
                Err(problems) => {
                    report(&problems);
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// The definition of `program` (newest, or `version`), from a clean catalog.
pub fn definition(
    sources: &Sources,
    program: &str,
    version: Option<u32>,
) -> anyhow::Result<Arc<Definition>> {
    let catalog = match load_catalog(&sources.dir, &sources.templates_dir(&sources.dir))? {
        Ok(c) => c,
        Err(problems) => {
            report(&problems);
            return Err(anyhow!(
                "the workflow definitions have problems; fix them first (pantau workflow check)"
            ));
        }
    };
    let found = match version {
        Some(v) => catalog.get(program, v),
        None => catalog.latest(program),
    };
    found.cloned().ok_or_else(|| {
        let known: Vec<String> = catalog
            .iter()
            .map(|d| format!("{} v{}", d.id, d.version))
            .collect();
        anyhow!(
            "no workflow `{program}`{} (known: {})",
            version.map(|v| format!(" version {v}")).unwrap_or_default(),
            known.join(", ")
        )
    })
}
