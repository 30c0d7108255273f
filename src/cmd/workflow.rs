//! `pantau workflow check|graph`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use pantau_domain::Lang;
use pantau_workflow::graph::{self, Format};

use super::{Sources, block_on, load_catalog, report};
use crate::config::{DbArgs, redact};

#[derive(Debug, Subcommand)]
pub enum WorkflowCmd {
    /// Load and check every definition; print each problem as FILE:LINE:COL: message.
    Check {
        /// A folder of definitions or one file.
        #[arg(default_value = "workflows")]
        path: PathBuf,
        /// Folder of templates (default: `templates` beside the workflows folder).
        #[arg(long, env = "PANTAU_TEMPLATES")]
        templates: Option<PathBuf>,
        /// Also compare each definition with the text its cases were opened on in the
        /// configured database (implied by --database-url).
        #[arg(long)]
        database: bool,
    },
    /// Draw a program's state machine, with the roles on each edge.
    Graph {
        /// The program's id, e.g. bansos.
        program: String,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
        #[arg(long, default_value = "id")]
        lang: Lang,
        /// The version to draw (default: the newest).
        #[arg(long)]
        version: Option<u32>,
        #[command(flatten)]
        sources: Sources,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

pub fn run(cmd: WorkflowCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        WorkflowCmd::Check {
            path,
            templates,
            database,
        } => {
            let templates = templates.unwrap_or_else(|| super::beside(&path));
            match load_catalog(&path, &templates)? {
                Ok(catalog) => {
                    for def in catalog.iter() {
                        println!(
                            "ok  {} v{}  {} states, {} actions, {} checklists  ({})",
                            def.id,
                            def.version,
                            def.states.len(),
                            def.actions.len(),
                            def.checklists.len(),
                            def.label.get(Lang::Id)
                        );
                        let s = &def.stages;
                        println!(
                            "    stages: proposal {}, verified {}, rejected {}, approval {}",
                            s.proposal,
                            s.verified,
                            s.rejected,
                            if s.approval.is_empty() {
                                "-".to_string()
                            } else {
                                s.approval.join(", ")
                            }
                        );
                    }
                    if database || db.database_url.is_some() {
                        return against_database(&catalog, db);
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => {
                    report(&problems);
                    Ok(ExitCode::from(1))
                }
            }
        }
        WorkflowCmd::Graph {
            program,
            format,
            lang,
            version,
            sources,
        } => {
            let def = super::case::definition(
                &super::case::load(&sources.locate(db)?)?,
                &program,
                version,
            )?;
            let format = match format {
                GraphFormat::Mermaid => Format::Mermaid,
                GraphFormat::Dot => Format::Dot,
            };
            print!("{}", graph::render(&def, format, lang));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Compares the definitions with the texts the database's cases were opened on.
fn against_database(catalog: &pantau_workflow::Catalog, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let settings = db.settings()?;
    let store = block_on(pantau_store::Store::open(&settings))?;
    let drift = block_on(store.drift(catalog))?;
    for d in &drift {
        eprintln!("{d}");
    }
    if drift.is_empty() {
        println!(
            "ok  every definition matches the text its cases were opened on in {}",
            redact(&settings.url)
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{} problem(s) found", drift.len());
        Ok(ExitCode::from(1))
    }
}
