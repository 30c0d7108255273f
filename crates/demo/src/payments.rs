//! Payments through the bank, made last so that nothing drawn before them
//! changes: the field officer assigned to the cases whose tranche is due in
//! Lampung (the engine pays none without one), bank accounts for their
//! beneficiaries (one in a holder's name that is not the cooperative's, left
//! for a verifier, so its tranche is held), and three batches of Lampung's
//! treasurer, each gathered, exported in the `generic` layout and answered
//! by a result file in that layout, all through the store: one the bank
//! paid, one with a transfer failed and one returned (the rest paid), and
//! one sent and awaiting the bank. Cases the demo paid by hand stay as
//! they are; only tranches left due are gathered.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{RegionCode, Role};
use pantau_registry::bank::layout::{self, Layout};
use pantau_store::Store;
use pantau_store::payments::{Due, LineView, NewAccount, NewBatch, PayError};
use pantau_store::registry::Author;
use pantau_workflow::{Catalog, Command, Context};

use crate::cases::{actor, inputs};
use crate::{DemoError, Options, Summary};

/// The province whose treasurer pays, and the layout of its bank files.
const PROVINCE: &str = "18";
const LAYOUT: &str = "generic";

/// The bank's reasons in the batch with failures.
const INACTIVE: &str = "rekening tidak aktif";
const NAME_MISMATCH: &str = "nama tidak sesuai";

/// The banks the demo's accounts are at: BRI, Mandiri, BNI, BSI.
const BANKS: [&str; 4] = ["002", "008", "009", "451"];

/// What the bank does with one line of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Paid,
    Failed(&'static str),
    Returned(&'static str),
}

/// One batch: how many tranches it takes, and the bank's answers (none:
/// sent and awaiting the bank), each `days` before `as_of`.
struct Plan {
    lines: usize,
    /// Fewest lines the batch makes sense with.
    least: usize,
    gathered: i64,
    answered: Option<i64>,
    answers: fn(usize) -> Answer,
}

const PLANS: [Plan; 3] = [
    Plan {
        lines: 4,
        least: 1,
        gathered: 10,
        answered: Some(8),
        answers: |_| Answer::Paid,
    },
    Plan {
        lines: 4,
        least: 3,
        gathered: 6,
        answered: Some(4),
        answers: |i| match i {
            0 => Answer::Failed(INACTIVE),
            1 => Answer::Returned(NAME_MISMATCH),
            _ => Answer::Paid,
        },
    },
    Plan {
        lines: 3,
        least: 1,
        gathered: 2,
        answered: None,
        answers: |_| Answer::Paid,
    },
];

impl From<PayError> for DemoError {
    fn from(e: PayError) -> Self {
        DemoError::Payment(e.to_string())
    }
}

fn treasurer(now: DateTime<Utc>) -> Context {
    Context {
        now,
        actor: actor(Role::Treasurer, PROVINCE),
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

/// The `i`-th demo account number at `bank`, as long as that bank's are.
fn account_no(bank: &str, i: usize) -> String {
    let n = 7_919 * i as u64;
    match bank {
        "002" => format!("{:04}01{:09}", 3_800 + i % 100, 500_000_000 + n),
        "008" => format!("114{:010}", 41_000_000 + n),
        "009" => format!("0{:09}", 812_000_000 + n),
        _ => format!("7{:09}", 150_000_000 + n),
    }
}

pub async fn fill(
    store: &Store,
    catalog: &Catalog,
    opts: &Options,
    summary: &mut Summary,
) -> Result<(), DemoError> {
    let layout = layout::shipped()
        .into_iter()
        .find(|l| l.id == LAYOUT)
        .ok_or_else(|| DemoError::Payment(format!("no shipped bank layout `{LAYOUT}`")))?;
    let province = RegionCode::parse(PROVINCE).map_err(|e| DemoError::Payment(e.to_string()))?;
    let scope = Scope::Region(province);
    let opened = opts.as_of - TimeDelta::days(12);
    let due = store
        .due_tranches(catalog, &scope, None, &treasurer(opened))
        .await?;
    let ready = officers(store, catalog, &due, opened).await?;
    accounts(store, &scope, &due, &ready, opened + TimeDelta::hours(1)).await?;
    let mut used: BTreeSet<String> = BTreeSet::new();
    for plan in &PLANS {
        let at = opts.as_of - TimeDelta::days(plan.gathered);
        let cx = treasurer(at);
        let mut cases = Vec::new();
        for d in store.due_tranches(catalog, &scope, None, &cx).await? {
            if cases.len() == plan.lines {
                break;
            }
            if d.payable() && !used.contains(&d.case_id) && quiet_since(store, &d, at).await? {
                cases.push(d.case_id);
            }
        }
        if cases.len() < plan.least {
            continue;
        }
        used.extend(cases.iter().cloned());
        let made = store
            .create_batch(
                catalog,
                &scope,
                &NewBatch {
                    program_id: None,
                    cases,
                },
                &cx,
            )
            .await?;
        let sent = treasurer(at + TimeDelta::minutes(30));
        store
            .export_batch(catalog, &made.number, &scope, &layout, &sent)
            .await?;
        if let Some(days) = plan.answered {
            let Some((_, lines)) = store.batch(&made.number, &scope).await? else {
                continue;
            };
            let answered = opts.as_of - TimeDelta::days(days);
            let bytes = result_file(&layout, &lines, plan.answers, answered);
            let name = format!("hasil-{}.csv", made.number);
            let applied = store
                .import_bank_result(
                    catalog,
                    &made.number,
                    &scope,
                    &layout,
                    &name,
                    &bytes,
                    &treasurer(answered),
                )
                .await?;
            if let Some(p) = applied.refused.first() {
                return Err(DemoError::Payment(format!(
                    "batch {}: {}: {}",
                    made.number, p.field, p.reason.en
                )));
            }
            summary.transitions += applied.paid;
        }
        if let Some((view, _)) = store.batch(&made.number, &scope).await? {
            summary.batches.push(view);
        }
    }
    Ok(())
}

/// Whether `d`'s case took its last step before `at` (its history stays in order).
async fn quiet_since(store: &Store, d: &Due, at: DateTime<Utc>) -> Result<bool, DemoError> {
    Ok(store
        .case(&d.case_id)
        .await?
        .is_some_and(|c| c.row.updated_at < at))
}

/// The kabupaten/kota's manager assigns its field officer, at `at`, to each
/// case of `due` that has none and took its last step before `at`; the
/// cases of `due` with an officer now.
async fn officers(
    store: &Store,
    catalog: &Catalog,
    due: &[Due],
    at: DateTime<Utc>,
) -> Result<BTreeSet<String>, DemoError> {
    let mut ready = BTreeSet::new();
    for d in due {
        let Some(c) = store.case(&d.case_id).await? else {
            continue;
        };
        if c.case.officer.is_some() {
            ready.insert(d.case_id.clone());
            continue;
        }
        let version = u32::try_from(c.row.workflow_version).unwrap_or_default();
        let Some(def) = catalog.get(&c.row.workflow, version) else {
            continue;
        };
        let Some(action) = def
            .actions_from(&c.case.state)
            .find(|a| a.assigns_officer.is_some())
        else {
            continue;
        };
        if c.row.updated_at >= at {
            continue;
        }
        let officer = actor(Role::FieldOfficer, &d.region).user;
        let cmd = Command {
            observed_at: None,
            key: format!("{}:officer", d.case_id),
            action: action.id.clone(),
            inputs: inputs(def, action, 0, &officer, at),
        };
        let cx = Context {
            now: at,
            actor: actor(action.roles[0], &d.region),
            remaining_allocation: None,
            evidence: Default::default(),
        };
        store.apply(catalog, &d.case_id, &cmd, &cx, None).await?;
        ready.insert(d.case_id.clone());
    }
    Ok(ready)
}

/// Sets an account for each beneficiary with a tranche due, its holder the
/// beneficiary, by the kabupaten/kota's manager; but the last cooperative
/// with exactly one tranche due, its case `ready` to be paid, gets an
/// account in its chairman's name, which holds that tranche until a
/// verifier accepts it.
async fn accounts(
    store: &Store,
    scope: &Scope,
    due: &[Due],
    ready: &BTreeSet<String>,
    at: DateTime<Utc>,
) -> Result<(), DemoError> {
    let mut owners: BTreeMap<&str, (&Due, usize)> = BTreeMap::new();
    for d in due {
        if let Some(b) = d.beneficiary_id.as_deref() {
            owners.entry(b).or_insert((d, 0)).1 += 1;
        }
    }
    let mut odd = None;
    for (b, (d, n)) in owners.iter().rev() {
        if *n == 1
            && ready.contains(&d.case_id)
            && store
                .beneficiary(b)
                .await?
                .is_some_and(|x| x.kind == "cooperative")
        {
            odd = Some(*b);
            break;
        }
    }
    for (i, (beneficiary, (d, _))) in owners.iter().enumerate() {
        let bank = BANKS[i % BANKS.len()];
        let holder = if Some(*beneficiary) == odd {
            "Sutrisno Hadi Wijaya".to_string()
        } else {
            d.beneficiary_name.clone()
        };
        let manager = actor(Role::ManagerRegency, &d.region).user;
        store
            .set_account(
                beneficiary,
                scope,
                &NewAccount {
                    bank_code: bank.into(),
                    account_no: account_no(bank, i),
                    holder_name: holder,
                    reason: "Rekening dari surat keterangan bank".into(),
                },
                Author {
                    login: &manager,
                    at,
                },
            )
            .await?;
    }
    Ok(())
}

/// The bank's result for `lines` in `layout` (its result columns, status
/// words and first date format), each line answered by `answer` (by its
/// position), dated `at`.
fn result_file(
    layout: &Layout,
    lines: &[LineView],
    answer: fn(usize) -> Answer,
    at: DateTime<Utc>,
) -> Vec<u8> {
    let r = &layout.result;
    let date = at
        .date_naive()
        .format(r.date_formats.first().map_or("%Y-%m-%d", String::as_str))
        .to_string();
    let word = |words: &[String]| words.first().cloned().unwrap_or_default();
    let sep = char::from(layout.delimiter).to_string();
    let mut header = vec![
        r.reference.clone(),
        r.status.clone(),
        r.amount.clone(),
        r.date.clone(),
    ];
    header.extend(r.account_no.iter().cloned());
    header.extend(r.bank_reference.iter().cloned());
    header.extend(r.reason.iter().cloned());
    let mut out = header.join(&sep);
    out.push('\n');
    for (i, l) in lines.iter().enumerate() {
        let (status, reason) = match answer(i) {
            Answer::Paid => (word(&r.paid), ""),
            Answer::Failed(why) => (word(&r.failed), why),
            Answer::Returned(why) => (word(&r.returned), why),
        };
        let mut cells = vec![
            l.reference.clone(),
            status,
            l.amount.get().to_string(),
            date.clone(),
        ];
        if r.account_no.is_some() {
            cells.push(l.account_no.clone());
        }
        if r.bank_reference.is_some() {
            cells.push(format!("TRF{}{:05}", at.format("%y%m%d"), l.line_no));
        }
        if r.reason.is_some() {
            cells.push(reason.to_string());
        }
        out.push_str(&cells.join(&sep));
        out.push('\n');
    }
    out.into_bytes()
}
