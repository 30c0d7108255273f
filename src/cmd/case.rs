//! `pantau case create|apply|show|list|simulate`: drive any workflow end to
//! end from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, anyhow, bail};
use chrono::Utc;
use clap::Subcommand;
use pantau_domain::{Lang, Role, Zone};
use pantau_store::{Opening, Outcome, Store, StoreError};
use pantau_workflow::{Actor, Catalog, Command, Context, Definition, simulate, timeline};

use super::{Located, Sources, block_on, load_catalog, report};
use crate::config::DbArgs;

/// Who is acting, as an operator tells it.
#[derive(Debug, Clone, clap::Args)]
pub struct ActorArgs {
    /// The role acted in: admin, manager_province, manager_regency, verifier, field_officer.
    #[arg(long = "as", value_name = "ROLE")]
    role: Role,
    /// The user's login name.
    #[arg(long)]
    user: String,
    /// Idempotency key; sending the same key again has no second effect (default: a new one, printed).
    #[arg(long)]
    key: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct View {
    #[arg(long, default_value = "id")]
    lang: Lang,
    /// The time zone to show times in: WIB, WITA or WIT.
    #[arg(long, default_value = "WIB")]
    zone: Zone,
}

#[derive(Debug, Subcommand)]
pub enum CaseCmd {
    /// Open a case of a program in its initial state; prints the case id.
    Create {
        /// The program's id, e.g. bansos.
        program: String,
        /// The Kemendagri code of the region the case belongs to, e.g. 18.71.
        #[arg(long)]
        region: Option<String>,
        /// A registered program (with allocations) the case draws on; its workflow must be PROGRAM.
        #[arg(long)]
        program_id: Option<String>,
        /// The registered beneficiary the case is about.
        #[arg(long)]
        beneficiary: Option<String>,
        #[command(flatten)]
        actor: ActorArgs,
        #[command(flatten)]
        view: View,
        #[command(flatten)]
        sources: Sources,
    },
    /// Take an action on a case: `pantau case apply ID submit amount_requested="Rp 150.000.000" …`.
    Apply {
        case: String,
        action: String,
        /// The action's fields as NAME=VALUE.
        fields: Vec<String>,
        /// Refuse unless the case is still at this event number (optimistic concurrency).
        #[arg(long)]
        expect_seq: Option<i64>,
        #[command(flatten)]
        actor: ActorArgs,
        #[command(flatten)]
        view: View,
        #[command(flatten)]
        sources: Sources,
    },
    /// Show a case with its timeline.
    Show {
        case: String,
        /// Print the case and its events as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        view: View,
        #[command(flatten)]
        sources: Sources,
    },
    /// List the most recently changed cases.
    List {
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Run a script of commands through the engine in memory and print the timeline.
    Simulate {
        /// The program's id, e.g. perkuatan_permodalan.
        program: String,
        /// The script (see workflows/simulations/).
        script: PathBuf,
        #[command(flatten)]
        view: View,
        #[command(flatten)]
        sources: Sources,
    },
}

pub fn run(cmd: CaseCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        CaseCmd::Create {
            program,
            region,
            program_id,
            beneficiary,
            actor,
            view,
            sources,
        } => {
            let store = open(db)?;
            let catalog = super::catalog_for(&store, &sources.locate(db)?)?;
            let def = match &program_id {
                None => latest(&catalog, &program)?,
                Some(id) => {
                    let p = block_on(store.program(id))?
                        .ok_or_else(|| anyhow!("no registered program `{id}`"))?;
                    if p.workflow != program {
                        bail!(
                            "program `{id}` runs on workflow `{}`, not `{program}`",
                            p.workflow
                        );
                    }
                    if region.is_none() {
                        bail!(
                            "a case of program `{id}` needs --region, the kabupaten/kota whose allocation it draws on"
                        );
                    }
                    definition(
                        &catalog,
                        &p.workflow,
                        u32::try_from(p.workflow_version).ok(),
                    )?
                }
            };
            let source = catalog.source(&def.id, def.version).unwrap_or_default();
            let case_id = uuid::Uuid::new_v4().to_string();
            let key = key(&actor);
            let opening = Opening {
                case_id,
                key: key.clone(),
                region,
                program_id,
                beneficiary_id: beneficiary,
                definition: &def,
                source,
            };
            let outcome = block_on(store.open_case(&opening, &context(&actor)));
            print_outcome(&catalog, outcome, &key, &view)
        }
        CaseCmd::Apply {
            case,
            action,
            fields,
            expect_seq,
            actor,
            view,
            sources,
        } => {
            let store = open(db)?;
            let catalog = super::catalog_for(&store, &sources.locate(db)?)?;
            let key = key(&actor);
            let mut inputs = std::collections::BTreeMap::new();
            for f in &fields {
                let (name, value) = f
                    .split_once('=')
                    .ok_or_else(|| anyhow!("field `{f}` must be written NAME=VALUE"))?;
                let value = match value.strip_prefix('@') {
                    Some(path) => block_on(attach(&store, &case, Path::new(path), &actor.user))?,
                    None => value.to_string(),
                };
                inputs.insert(name.trim().to_string(), value);
            }
            let command = Command {
                observed_at: None,
                key: key.clone(),
                action,
                inputs,
            };
            let outcome =
                block_on(store.apply(&catalog, &case, &command, &context(&actor), expect_seq));
            print_outcome(&catalog, outcome, &key, &view)
        }
        CaseCmd::Show {
            case,
            json,
            view,
            sources,
        } => {
            let store = open(db)?;
            let catalog = super::catalog_for(&store, &sources.locate(db)?)?;
            let found = block_on(store.case(&case))?.ok_or_else(|| anyhow!("no case {case}"))?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "region": found.row.region, "case": found.case, "events": found.events })
                    )?
                );
                return Ok(ExitCode::SUCCESS);
            }
            let def = catalog
                .get(&found.case.workflow, found.case.workflow_version)
                .cloned()
                .ok_or_else(|| {
                    anyhow!(
                        "case {case} runs on {} version {}, which is neither in the workflows folder nor pinned in the database",
                        found.case.workflow,
                        found.case.workflow_version
                    )
                })?;
            println!(
                "case {}  {} v{}: {}  region {}",
                found.case.id,
                def.id,
                def.version,
                def.label.get(view.lang),
                found.row.region.as_deref().unwrap_or("-")
            );
            println!("{}", timeline::summary(&def, &found.case, view.lang));
            for e in &found.events {
                print!("{}", timeline::event(&def, e, view.lang, view.zone));
            }
            Ok(ExitCode::SUCCESS)
        }
        CaseCmd::List { limit } => {
            let store = open(db)?;
            for c in block_on(store.cases(limit))? {
                println!(
                    "{}  {} v{}  {:<20} #{}  {}",
                    c.id,
                    c.workflow,
                    c.workflow_version,
                    c.state,
                    c.seq,
                    c.region.as_deref().unwrap_or("-")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CaseCmd::Simulate {
            program,
            script,
            view,
            sources,
        } => {
            let def = latest(&catalog(&sources.locate(db)?)?, &program)?;
            let text = std::fs::read_to_string(&script)
                .with_context(|| format!("cannot read {}", script.display()))?;
            match simulate::run(&def, &script.display().to_string(), &text) {
                Ok(run) => {
                    print!("{}", simulate::render(&def, &run, view.lang, view.zone));
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

fn open(db: &DbArgs) -> anyhow::Result<Store> {
    Ok(block_on(Store::open(&db.settings()?))?)
}

fn key(actor: &ActorArgs) -> String {
    actor
        .key
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Stores the file at `path` as an attachment of `case` (checked as an
/// upload is: a photo must decode, a PDF parse) and returns its id, for a
/// photo or document answer written `NAME=@FILE`.
async fn attach(store: &Store, case: &str, path: &Path, user: &str) -> anyhow::Result<String> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let declared = match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        other => bail!(
            "{}: `.{other}` files are not accepted; send JPEG, PNG, WebP or PDF",
            path.display()
        ),
    };
    let checked = pantau_server::api::files::check_file(declared, data, pantau_domain::Lang::En)
        .await
        .map_err(|e| {
            let reasons: Vec<String> = e.body().fields.into_iter().map(|f| f.reason).collect();
            anyhow!("{}: {}", path.display(), reasons.join("; "))
        })?;
    let row = store
        .case(case)
        .await?
        .ok_or_else(|| anyhow!("no case {case}"))?
        .row;
    let zone = match &row.region {
        Some(r) => store
            .region(r)
            .await?
            .and_then(|r| r.zone.parse().ok())
            .unwrap_or_default(),
        None => Zone::default(),
    };
    let print = pantau_server::api::evidence::photo_print(checked.print, zone);
    Ok(store
        .put_attachment(case, checked.ty, checked.data, print, user, Utc::now())
        .await?)
}

fn context(actor: &ActorArgs) -> Context {
    Context {
        now: Utc::now(),
        actor: Actor {
            user: actor.user.clone(),
            role: actor.role,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

/// Prints what a command did; refusals and conflicts go to stderr with exit 1.
fn print_outcome(
    catalog: &Catalog,
    outcome: Result<Outcome, StoreError>,
    key: &str,
    view: &View,
) -> anyhow::Result<ExitCode> {
    let outcome = match outcome {
        Ok(o) => o,
        Err(StoreError::Refused(r)) => {
            eprintln!("REFUSED [{}]: {}", r.code(), r.message(view.lang));
            return Ok(ExitCode::from(1));
        }
        Err(e @ StoreError::Conflict { .. }) => {
            eprintln!("CONFLICT: {e}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let (case_id, workflow) = match &outcome {
        Outcome::Applied { case, .. } => (
            case.id.clone(),
            Some((case.workflow.clone(), case.workflow_version)),
        ),
        Outcome::Repeated { case_id, .. } => (case_id.clone(), None),
    };
    let event = outcome.event();
    let def = workflow.and_then(|(w, v)| catalog.get(&w, v).cloned());
    match (&outcome, def) {
        (Outcome::Applied { effects, .. }, Some(def)) => {
            print!("{}", timeline::event(&def, event, view.lang, view.zone));
            for e in effects {
                println!("        → {}", timeline::effect(e, view.zone));
            }
        }
        _ => println!(
            "already applied as event #{} ({}): nothing changed",
            event.seq, event.action
        ),
    }
    println!("case: {case_id}\nkey: {key}");
    Ok(ExitCode::SUCCESS)
}

fn catalog(at: &Located) -> anyhow::Result<Catalog> {
    match load_catalog(&at.workflows, &at.templates)? {
        Ok(c) => Ok(c),
        Err(problems) => {
            report(&problems);
            bail!("the workflow definitions have problems; fix them first (pantau workflow check)")
        }
    }
}

fn latest(catalog: &Catalog, program: &str) -> anyhow::Result<Arc<Definition>> {
    definition(catalog, program, None)
}

/// The definition of `program` (newest, or `version`).
pub fn definition(
    catalog: &Catalog,
    program: &str,
    version: Option<u32>,
) -> anyhow::Result<Arc<Definition>> {
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

/// The clean catalog of the workflow folder, for other commands.
pub fn load(at: &Located) -> anyhow::Result<Catalog> {
    catalog(at)
}
