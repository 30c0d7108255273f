//! `pantau`: the command-line face of Pantau. Each subcommand lives in its
//! own module under `cmd/`; this file only parses arguments and maps
//! results to exit codes (0 fine, 1 problems found or refused, 2 could not run).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod config;

#[derive(Debug, Parser)]
#[command(
    name = "pantau",
    version,
    about = "Pantau: monitoring dan evaluasi (monev) program bantuan Koperasi dan UMKM"
)]
struct Cli {
    #[command(flatten)]
    db: config::DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check and draw the workflow definitions (workflows/*.toml).
    #[command(subcommand)]
    Workflow(cmd::workflow::WorkflowCmd),
    /// Open cases, take actions, show timelines; simulate a script in memory.
    #[command(subcommand)]
    Case(cmd::case::CaseCmd),
    /// The database: migrate.
    #[command(subcommand)]
    Db(cmd::db::DbCmd),
    /// Import registry data: beneficiaries from CSV.
    #[command(subcommand)]
    Import(cmd::import::ImportCmd),
    /// Check the tamper-evident event log.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Workflow(c) => cmd::workflow::run(c),
        Command::Case(c) => cmd::case::run(c, &cli.db),
        Command::Db(c) => cmd::db::run(c, &cli.db),
        Command::Audit(c) => cmd::audit::run(c, &cli.db),
        Command::Import(c) => cmd::import::run(c, &cli.db),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pantau: {e:#}");
            ExitCode::from(2)
        }
    }
}
