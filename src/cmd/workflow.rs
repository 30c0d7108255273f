//! `pantau workflow check|graph`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use pantau_domain::Lang;
use pantau_workflow::graph::{self, Format};

use super::{Sources, load_catalog, report};

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

pub fn run(cmd: WorkflowCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        WorkflowCmd::Check { path, templates } => {
            let sources = Sources {
                dir: path.clone(),
                templates,
            };
            match load_catalog(&path, &sources.templates_dir(&path))? {
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
            let def = super::case::definition(&super::case::load(&sources)?, &program, version)?;
            let format = match format {
                GraphFormat::Mermaid => Format::Mermaid,
                GraphFormat::Dot => Format::Dot,
            };
            print!("{}", graph::render(&def, format, lang));
            Ok(ExitCode::SUCCESS)
        }
    }
}
