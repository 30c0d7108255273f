//! `pantau`: the command-line face of Pantau. Each subcommand lives in its
//! own module under `cmd/`; this file only parses arguments and maps
//! results to exit codes (0 fine, 1 problems found or refused, 2 could not run).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod config;
mod logging;

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
    /// The database: migrate, back up, restore.
    #[command(subcommand)]
    Db(cmd::db::DbCmd),
    /// Programs and their allocations per kabupaten/kota.
    #[command(subcommand)]
    Program(cmd::program::ProgramCmd),
    /// Approval by decree (SK) and amending decrees (SK perubahan).
    #[command(subcommand)]
    Decree(cmd::decree::DecreeCmd),
    /// Fill the database with a realistic, repeatable picture to explore.
    Demo(cmd::demo::DemoArgs),
    /// Sweep due reminders into the outbox and send them (`--once`, or on the schedule).
    Remind(cmd::remind::RemindArgs),
    /// Emails that could not be sent: list and resend.
    #[command(subcommand)]
    Outbox(cmd::remind::OutboxCmd),
    /// Import registry data: beneficiaries from CSV.
    #[command(subcommand)]
    Import(cmd::import::ImportCmd),
    /// Payments through the bank: tranches due, batches, the bank's files, accounts.
    #[command(subcommand)]
    Pay(cmd::pay::PayCmd),
    /// Check the tamper-evident event log, in the database or in a Ministry bundle.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCmd),
    /// Write the Ministry bundle: a region's events of a year with their hash chains and reports.
    Export(cmd::export::ExportArgs),
    /// A report (program-progress, monev, accountability, indicators) as HTML, CSV, XLSX or PDF.
    Report(cmd::report::ReportArgs),
    /// Serve the API and the web pages.
    Serve(cmd::serve::ServeArgs),
    #[command(subcommand)]
    User(cmd::user::UserCmd),
    /// Check the settings, database, mail, PDF printing, data folder and certificate; change nothing.
    Doctor(cmd::doctor::DoctorArgs),
}

/// mimalloc rather than glibc's malloc: an import reads on one thread while
/// SQLite writes on another, and glibc's per-thread arenas kept ~100 MB
/// more at peak than the same work on one thread (`cargo bench --bench import`).
/// Its `override` feature makes it C's `malloc` too, so SQLite's own memory
/// (sorting, a report's rows) comes from it: on glibc's heaps, one for each
/// of sqlx's connection threads, each kept the most its connection ever
/// needed, and `pantau serve` grew from 65 to 154 MB answering the same 13 KB
/// report ten times on a province of the national bench's data.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = Cli::parse();
    logging::init(matches!(cli.command, Command::Serve(_)));
    let result = match cli.command {
        Command::Workflow(c) => cmd::workflow::run(c, &cli.db),
        Command::Case(c) => cmd::case::run(c, &cli.db),
        Command::Db(c) => cmd::db::run(c, &cli.db),
        Command::Audit(c) => cmd::audit::run(c, &cli.db),
        Command::Export(a) => cmd::export::run(a, &cli.db),
        Command::Import(c) => cmd::import::run(c, &cli.db),
        Command::Demo(a) => cmd::demo::run(a, &cli.db),
        Command::Remind(a) => cmd::remind::run(a, &cli.db),
        Command::Outbox(c) => cmd::remind::outbox(c, &cli.db),
        Command::Program(c) => cmd::program::run(c, &cli.db),
        Command::Decree(c) => cmd::decree::run(c, &cli.db),
        Command::Pay(c) => cmd::pay::run(c, &cli.db),
        Command::Report(a) => cmd::report::run(a, &cli.db),
        Command::Serve(a) => cmd::serve::run(a, &cli.db),
        Command::User(c) => cmd::user::run(c, &cli.db),
        Command::Doctor(a) => cmd::doctor::run(a, &cli.db),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pantau: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `pantau case list | head` closes our stdout early; end quietly, as other
/// command-line tools do, instead of reporting a panic.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        if text.contains("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}
