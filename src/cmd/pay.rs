//! `pantau pay due|batch|export|result|account|batches`: a treasurer's
//! payments through the bank from the command line, as the user LOGIN (its
//! role says what it may do: `Permission::Pay` for batches and files,
//! `Permission::Correct` for an account; its region, which cases and
//! batches). Bank file layouts are read from `templates/bank/` beside the
//! workflows (or `templates` in `pantau.toml`), else the shipped ones.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use chrono::Utc;
use clap::Subcommand;
use pantau_domain::access::{Permission, Scope, allows};
use pantau_domain::{Label, Role};
use pantau_registry::bank::layout::{self, Layout};
use pantau_store::Store;
use pantau_store::payments::{NewAccount, NewBatch, PayError, Problem};
use pantau_store::registry::Author;
use pantau_workflow::{Actor, Catalog, Context};

use super::{Sources, block_on};
use crate::config::DbArgs;

#[derive(Debug, Subcommand)]
pub enum PayCmd {
    /// The tranches due in the user's region, each payable or held with why.
    Due {
        #[command(flatten)]
        who: Who,
        /// Only the cases of this registered program.
        #[arg(long)]
        program: Option<String>,
        #[command(flatten)]
        sources: Sources,
    },
    /// Gather the payable tranches due (of the program, or the cases named) into a new batch.
    Batch {
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        program: Option<String>,
        /// A case to pay (repeat for more); a named case that may not be paid refuses the batch.
        #[arg(long = "case", value_name = "ID")]
        cases: Vec<String>,
        #[command(flatten)]
        sources: Sources,
    },
    /// Write a batch's bulk-transfer file for the bank; the first export sends the batch.
    Export {
        /// The batch's number (BYR-…) or id.
        batch: String,
        /// The bank's layout (a file in templates/bank/: generic, generic_xlsx, …).
        #[arg(long)]
        layout: String,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        sources: Sources,
    },
    /// Import the bank's result file for a sent batch (CSV or XLSX, by the layout's [result]).
    Result {
        batch: String,
        file: PathBuf,
        #[arg(long)]
        layout: String,
        #[command(flatten)]
        who: Who,
        #[command(flatten)]
        sources: Sources,
    },
    /// Set or change a beneficiary's bank account (a change needs --reason).
    Account {
        beneficiary: String,
        /// Bank Indonesia's three-digit code of the bank (002 = BRI).
        #[arg(long)]
        bank: String,
        #[arg(long)]
        number: String,
        /// The account holder's name, as the bank has it.
        #[arg(long)]
        holder: String,
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        who: Who,
    },
    /// The batches of the user's region, the newest first.
    Batches {
        #[command(flatten)]
        who: Who,
    },
}

/// The user acting.
#[derive(Debug, Clone, clap::Args)]
pub struct Who {
    /// The user's login: its role and region decide what it may do.
    #[arg(long = "as", value_name = "LOGIN")]
    login: String,
}

/// The user acting, found in the store: its login, role and scope.
struct Acting {
    login: String,
    role: Role,
    scope: Scope,
}

impl Acting {
    fn find(store: &Store, who: &Who, needs: Permission) -> anyhow::Result<Acting> {
        let (role, scope) = super::acting(store, &who.login)?;
        if !allows(role, needs) {
            bail!(
                "user {} ({}) may not do this: it needs the {needs:?} permission",
                who.login,
                role.as_str()
            );
        }
        Ok(Acting {
            login: who.login.clone(),
            role,
            scope,
        })
    }

    fn cx(&self) -> Context {
        Context {
            now: Utc::now(),
            actor: Actor {
                user: self.login.clone(),
                role: self.role,
            },
            remaining_allocation: None,
            evidence: Default::default(),
        }
    }
}

pub fn run(cmd: PayCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let store = block_on(Store::open(&db.settings()?))?;
    let catalog = |sources: &Sources| -> anyhow::Result<Catalog> {
        super::catalog_for(&store, &sources.locate(db)?)
    };
    match cmd {
        PayCmd::Due {
            who,
            program,
            sources,
        } => {
            let me = Acting::find(&store, &who, Permission::Pay)?;
            let due = block_on(store.due_tranches(
                &catalog(&sources)?,
                &me.scope,
                program.as_deref(),
                &me.cx(),
            ))?;
            println!("case\tregion\ttranche\tamount\tbeneficiary\taccount\tstanding");
            for d in &due {
                let account = d.account.as_ref().map_or_else(
                    || "-".into(),
                    |a| format!("{} {}", a.bank_code, a.account_no),
                );
                let standing = match (&d.in_batch, &d.held) {
                    (Some(b), _) => format!("in batch {b}"),
                    (None, Some(why)) => format!("held: {}", why.both()),
                    (None, None) => "payable".into(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{account}\t{standing}",
                    d.case_id, d.region, d.tranche_no, d.amount, d.beneficiary_name
                );
            }
            let payable = due.iter().filter(|d| d.payable()).count();
            println!(
                "{} tranche(s) due, {payable} payable, {} held",
                due.len(),
                due.iter().filter(|d| d.held.is_some()).count()
            );
            Ok(ExitCode::SUCCESS)
        }
        PayCmd::Batch {
            who,
            program,
            cases,
            sources,
        } => {
            let me = Acting::find(&store, &who, Permission::Pay)?;
            let new = NewBatch {
                program_id: program,
                cases,
            };
            match block_on(store.create_batch(&catalog(&sources)?, &me.scope, &new, &me.cx())) {
                Ok(made) => {
                    println!(
                        "batch {} made: {} line(s), {} (id {})",
                        made.number, made.lines, made.total, made.batch_id
                    );
                    for d in &made.held {
                        let why = d.held.as_ref().map_or_else(String::new, Label::both);
                        println!("  left out: {} tranche {}: {why}", d.case_id, d.tranche_no);
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e, None),
            }
        }
        PayCmd::Export {
            batch,
            layout,
            out,
            who,
            sources,
        } => {
            let me = Acting::find(&store, &who, Permission::Pay)?;
            let located = sources.locate(db)?;
            let layout = find_layout(&located.templates, &layout)?;
            let catalog = super::catalog_for(&store, &located)?;
            match block_on(store.export_batch(&catalog, &batch, &me.scope, &layout, &me.cx())) {
                Ok(file) => {
                    std::fs::write(&out, &file.bytes)
                        .with_context(|| format!("cannot write {}", out.display()))?;
                    println!(
                        "{}: batch {batch}, {} line(s), {} in layout {} (SHA-256 {}); the batch is sent",
                        out.display(),
                        file.lines,
                        file.total,
                        layout.id,
                        file.sha256
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e, None),
            }
        }
        PayCmd::Result {
            batch,
            file,
            layout,
            who,
            sources,
        } => {
            let me = Acting::find(&store, &who, Permission::Pay)?;
            let located = sources.locate(db)?;
            let layout = find_layout(&located.templates, &layout)?;
            let catalog = super::catalog_for(&store, &located)?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let applied = match block_on(store.import_bank_result(
                &catalog,
                &batch,
                &me.scope,
                &layout,
                &name,
                &bytes,
                &me.cx(),
            )) {
                Ok(a) => a,
                Err(e) => return refused(e, Some(&file)),
            };
            println!(
                "batch {}: {} paid, {} failed, {} returned, {} already recorded, {} unmatched{}",
                applied.batch,
                applied.paid,
                applied.failed,
                applied.returned,
                applied.already,
                applied.unmatched.len(),
                if applied.done {
                    "; every line is answered"
                } else {
                    ""
                }
            );
            for u in &applied.unmatched {
                println!(
                    "  unmatched: {}: line {}: {} {}: {}",
                    file.display(),
                    u.line,
                    u.reference.as_deref().unwrap_or("(no reference)"),
                    u.amount,
                    u.why.both()
                );
            }
            for p in &applied.refused {
                println!("  not recorded: {}", problem(p, Some(&file)));
            }
            Ok(if applied.refused.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        PayCmd::Account {
            beneficiary,
            bank,
            number,
            holder,
            reason,
            who,
        } => {
            let me = Acting::find(&store, &who, Permission::Correct)?;
            let new = NewAccount {
                bank_code: bank,
                account_no: number,
                holder_name: holder,
                reason,
            };
            let by = Author {
                login: &me.login,
                at: Utc::now(),
            };
            match block_on(store.set_account(&beneficiary, &me.scope, &new, by)) {
                Ok(a) => {
                    println!(
                        "{beneficiary}: {} {} ({}), holder {}{}",
                        a.bank_code,
                        a.account_no,
                        a.bank_name,
                        a.holder_name,
                        if a.payable() {
                            ""
                        } else {
                            "; the holder's name is not the beneficiary's: a verifier must accept it before it is paid"
                        }
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e, None),
            }
        }
        PayCmd::Batches { who } => {
            let me = Acting::find(&store, &who, Permission::Read)?;
            let batches = block_on(store.batches(&me.scope))?;
            println!(
                "batch\tregion\tstatus\tlines\ttotal\tpaid\tfailed\treturned\tawaiting the bank"
            );
            for b in &batches {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    b.number,
                    b.region,
                    b.status.label().both(),
                    b.lines,
                    b.total,
                    b.paid.0,
                    b.failed.0,
                    b.returned.0,
                    b.ordered.0
                );
            }
            println!("{} batch(es)", batches.len());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The layout `id` from `templates/bank/` when that folder exists, else the shipped ones.
fn find_layout(templates: &Path, id: &str) -> anyhow::Result<Layout> {
    let dir = templates.join("bank");
    let layouts = if dir.is_dir() {
        layout::load_dir(&dir).map_err(|problems| {
            anyhow::anyhow!(
                "the bank layouts in {} have problems:\n{}",
                dir.display(),
                problems.join("\n")
            )
        })?
    } else {
        layout::shipped()
    };
    let known: Vec<String> = layouts.iter().map(|l| l.id.clone()).collect();
    layouts
        .into_iter()
        .find(|l| l.id == id)
        .with_context(|| format!("no bank layout `{id}` (known: {})", known.join(", ")))
}

/// One problem as the terminal shows it: `FILE: line N, column C: reason`.
fn problem(p: &Problem, file: Option<&Path>) -> String {
    let mut at = Vec::new();
    if let Some(f) = file {
        at.push(f.display().to_string());
    }
    let mut place = Vec::new();
    if let Some(line) = p.line {
        place.push(format!("line {line}"));
    }
    match (p.field.as_str(), file) {
        ("", _) => {}
        (column, Some(_)) => place.push(format!("column {column}")),
        (field, None) => place.push(field.to_string()),
    }
    if !place.is_empty() {
        at.push(place.join(", "));
    }
    at.push(p.reason.both());
    at.join(": ")
}

/// Prints every problem of a refused request (exit 1); a store failure is an error.
fn refused(e: PayError, file: Option<&Path>) -> anyhow::Result<ExitCode> {
    match e {
        PayError::Refused(problems) => {
            for p in &problems {
                eprintln!("{}", problem(p, file));
            }
            eprintln!(
                "refused ({} problem(s)); nothing was changed",
                problems.len()
            );
            Ok(ExitCode::from(1))
        }
        // Another region's batch or account is not found, like one that does not exist.
        PayError::Store(pantau_store::StoreError::NotFound(what)) => {
            anyhow::bail!(
                "{what} tidak ditemukan di wilayah Anda ({what} not found in your region)"
            )
        }
        PayError::Store(e) => Err(e.into()),
    }
}
