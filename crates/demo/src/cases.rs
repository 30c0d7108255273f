//! Cases in every state of every workflow, each driven there through the
//! store by the shortest sequence of actions the engine accepts.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};
use pantau_domain::Role;
use pantau_store::{Opening, Store};
use pantau_workflow::evidence::Facts;
use pantau_workflow::{
    Action, Actor, Case, Catalog, Command, Context, Decision, Definition, FieldType, engine,
};

use crate::beneficiaries::People;
use crate::programs::Program;
use crate::{DemoError, Options, Summary};

/// The inputs a demo user would type for `action`.
pub(crate) fn inputs(
    def: &Definition,
    action: &Action,
    amount: i64,
    officer: &str,
    when: DateTime<Utc>,
) -> BTreeMap<String, String> {
    def.inputs(action)
        .map(|f| {
            let money =
                action.requests.as_ref() == Some(&f.id) || action.approves.as_ref() == Some(&f.id);
            let value = match f.kind {
                FieldType::Rupiah if money => amount.to_string(),
                FieldType::Rupiah => (amount / 10 * 9).to_string(),
                FieldType::Number if f.id.contains("year") || f.id.contains("tahun") => {
                    "2025".into()
                }
                FieldType::Number
                    if f.id.contains("percent")
                        || f.id.contains("progress")
                        || f.id.contains("persen") =>
                {
                    "75".into()
                }
                FieldType::Number => "12".into(),
                FieldType::YesNo => "ya".into(),
                FieldType::Choice => f.options.first().cloned().unwrap_or_default(),
                FieldType::Date => when.format("%Y-%m-%d").to_string(),
                FieldType::Document => format!("{}.pdf", f.id.replace('_', "-")),
                FieldType::Photo => format!("foto-{}.jpg", f.id.replace('_', "-")),
                FieldType::Gps => VISIT_POINT.into(),
                FieldType::User => officer.into(),
                FieldType::Text => text_for(&f.id, when),
            };
            (f.id.clone(), value)
        })
        .collect()
}

/// What a demo user would type into the text field `id`.
fn text_for(id: &str, when: DateTime<Utc>) -> String {
    let has = |w: &str| id.contains(w);
    if has("reason") || has("notes") {
        "Lengkapi dokumen pendukung dan laporan RAT".into()
    } else if has("nik_koperasi") {
        "1871020030000123".into()
    } else if has("nik") {
        "1871014505850003".into()
    } else if has("nib") {
        "9120001234567".into()
    } else if has("legal_entity") {
        "123/BH/X.3/2015".into()
    } else if has("decree") || has("letter") {
        format!("800/{}/V.19/{}", when.format("%j"), when.format("%Y"))
    } else if has("transfer") {
        format!("SP2D-{}-0042", when.format("%Y%m%d"))
    } else if has("account") {
        "Bank Lampung 380.01.12345-6".into()
    } else if has("market") && has("address") {
        "Jl. Pasar Bambu Kuning, Tanjung Karang".into()
    } else if has("market") {
        "Pasar Bambu Kuning".into()
    } else if has("address") || has("site") {
        "Jl. Cut Mutia No. 5, Bandar Lampung".into()
    } else if has("applicant") {
        "Siti Rahmawati".into()
    } else if has("business") {
        "Keripik Pisang Bu Siti".into()
    } else if has("services") {
        "klinik bisnis, pelatihan, pendampingan".into()
    } else {
        "Sesuai rencana kerja".into()
    }
}

/// Where the demo's cooperatives are registered and its visits recorded (Bandar Lampung).
pub const VISIT_POINT: &str = "-5.4292,105.2619";

/// About 2.4 km north of [`VISIT_POINT`]: the one demo visit recorded away
/// from its cooperative, flagged for a verifier to look at.
const STRAY_POINT: &str = "-5.4076,105.2619";

/// The shortest accepted action sequence from a new case to each state.
pub(crate) fn paths(def: &Definition, t0: DateTime<Utc>) -> BTreeMap<String, Vec<String>> {
    let actor = |role: Role| Actor {
        user: if role == Role::FieldOfficer {
            "petugas".into()
        } else {
            role.as_str().into()
        },
        role,
    };
    let cx = |role: Role| Context {
        now: t0,
        actor: actor(role),
        remaining_allocation: None,
        evidence: Default::default(),
    };
    let Ok((start, _, _)) = engine::open(def, "P", "o", &cx(def.opened_by[0])) else {
        return BTreeMap::new();
    };
    let key = |c: &Case| {
        (
            c.state.clone(),
            c.tranches.len(),
            c.visits.len(),
            c.visits.iter().filter(|v| v.done_at.is_some()).count(),
            c.officer.is_some(),
            c.approved.is_some(),
        )
    };
    let mut seen = BTreeSet::from([key(&start)]);
    let mut out: BTreeMap<String, Vec<String>> =
        BTreeMap::from([(start.state.clone(), Vec::new())]);
    let mut queue = VecDeque::from([(start, Vec::<String>::new())]);
    while let Some((case, path)) = queue.pop_front() {
        for action in def.actions_from(&case.state) {
            let role = action.roles[0];
            let cmd = Command {
                observed_at: None,
                key: format!("k{}", path.len()),
                action: action.id.clone(),
                inputs: inputs(def, action, 100_000_000, "petugas", t0),
            };
            let mut next = case.clone();
            let cx = Context {
                evidence: Facts::stand_ins(def, &cmd, t0),
                ..cx(role)
            };
            if let Ok(Decision::Apply { .. }) = engine::step(def, &mut next, &cmd, &cx)
                && seen.insert(key(&next))
            {
                let mut p = path.clone();
                p.push(action.id.clone());
                out.entry(next.state.clone()).or_insert_with(|| p.clone());
                queue.push_back((next, p));
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub async fn fill(
    store: &Store,
    catalog: &Catalog,
    programs: &[Program],
    people: &People,
    rng: &mut fastrand::Rng,
    opts: &Options,
    summary: &mut Summary,
) -> Result<(), DemoError> {
    let mut strayed = false;
    for program in programs {
        let Some(def) = catalog.latest(&program.workflow) else {
            continue;
        };
        let paths = paths(def, opts.as_of);
        let per_region = cases_per_region(def, program, opts);
        let mut n = 0;
        for state in &def.states {
            let path = paths.get(&state.id).ok_or_else(|| DemoError::Unreachable {
                workflow: def.id.clone(),
                state: state.id.clone(),
            })?;
            for k in 0..opts.cases_per_state {
                let (region, allocation) = program.regions[n % program.regions.len()].clone();
                n += 1;
                let amount = allocation / (per_region + 1) / 1_000_000 * 1_000_000;
                let beneficiary = beneficiary(people, &def.id, &region, n);
                // The last step lands within 100 days before `as_of`, the steps before it 2–12 days apart.
                let mut when = opts.as_of - TimeDelta::days(i64::from(rng.u32(0..100)));
                let mut times: Vec<DateTime<Utc>> = (0..=path.len())
                    .map(|_| {
                        let t = when;
                        when -= TimeDelta::days(i64::from(rng.u32(2..12)))
                            + TimeDelta::minutes(i64::from(rng.u32(0..600)));
                        t
                    })
                    .collect();
                times.reverse();
                let case = DemoCase {
                    id: uuid::Uuid::new_v5(
                        &uuid::Uuid::NAMESPACE_OID,
                        format!("demo:{}:{}:{}:{k}", opts.seed, program.id, state.id).as_bytes(),
                    )
                    .to_string(),
                    program: program.id.clone(),
                    region: region.clone(),
                    beneficiary,
                    amount,
                };
                // One KSP's last monev visit is recorded far from the cooperative.
                let stray = !strayed
                    && def.id == "perkuatan_permodalan"
                    && state.id == "awaiting_tranche"
                    && case.beneficiary.is_some();
                strayed |= stray;
                drive(store, catalog, def, &case, path, &times, stray).await?;
                summary.cases += 1;
                summary.transitions += path.len() + 1;
            }
            summary
                .states
                .push((def.id.clone(), state.id.clone(), opts.cases_per_state));
        }
    }
    Ok(())
}

/// The `n`-th beneficiary of `workflow`'s kind in `region`.
pub(crate) fn beneficiary(
    people: &People,
    workflow: &str,
    region: &str,
    n: usize,
) -> Option<String> {
    match workflow {
        "bansos" => People::pick(&people.kud, region, n),
        "perkuatan_permodalan" | "data_tahunan" => People::pick(&people.ksp, region, n),
        "wirausaha_pemula" => People::pick(&people.entrepreneurs, region, n),
        "pkl" => People::pick(&people.pkl, region, n),
        "data_tahunan_umkm" => People::pick(&people.umkm, region, n),
        _ => None,
    }
}

/// How many of a program's demo cases (one per state, spread round robin) one region holds at most.
pub(crate) fn cases_per_region(def: &Definition, program: &Program, opts: &Options) -> i64 {
    (def.states.len() * opts.cases_per_state).div_ceil(program.regions.len().max(1)) as i64
}

/// A demo case to open.
#[derive(Debug, Clone)]
pub(crate) struct DemoCase {
    pub id: String,
    pub program: String,
    pub region: String,
    pub beneficiary: Option<String>,
    /// Rupiah requested and approved.
    pub amount: i64,
}

/// The demo user who takes an action of `role` in `region`: the roster's.
pub(crate) fn actor(role: Role, region: &str) -> Actor {
    let digits = region.replace('.', "");
    let province = region.get(..2).unwrap_or_default();
    let user = match role {
        Role::FieldOfficer => format!("petugas.{digits}"),
        Role::ManagerRegency => format!("pengelola.{digits}"),
        Role::ManagerProvince => format!("pengelola.{province}"),
        Role::Verifier => format!("verifikator.{province}"),
        Role::Admin => "admin".into(),
        Role::Ministry => "kementerian".into(),
        Role::Treasurer => format!("bendahara.{province}"),
    };
    Actor { user, role }
}

/// Opens `case` at `times[0]` and takes the actions of `path`, the i-th at
/// `times[i + 1]`, each through the store like any other command. With
/// `stray`, the first monev visit is recorded away from the cooperative.
pub(crate) async fn drive(
    store: &Store,
    catalog: &Catalog,
    def: &Definition,
    case: &DemoCase,
    path: &[String],
    times: &[DateTime<Utc>],
    mut stray: bool,
) -> Result<(), DemoError> {
    let officer = actor(Role::FieldOfficer, &case.region).user;
    let opening = Opening {
        case_id: case.id.clone(),
        key: format!("{}:open", case.id),
        region: Some(case.region.clone()),
        program_id: Some(case.program.clone()),
        beneficiary_id: case.beneficiary.clone(),
        definition: def,
        source: catalog.source(&def.id, def.version).unwrap_or_default(),
    };
    store
        .open_case(
            &opening,
            &Context {
                now: times[0],
                actor: actor(def.opened_by[0], &case.region),
                remaining_allocation: None,
                evidence: Default::default(),
            },
        )
        .await?;
    for (i, action_id) in path.iter().enumerate() {
        let Some(action) = def.action(action_id) else {
            continue;
        };
        let at = times[i + 1];
        let mut answers = inputs(def, action, case.amount, &officer, at);
        for f in def.inputs(action).filter(|f| f.kind == FieldType::Photo) {
            let id = photo(store, &case.id, &case.region, i, &officer, at).await?;
            answers.insert(f.id.clone(), id);
        }
        if stray && action.completes_visit {
            stray = false;
            for f in def.inputs(action).filter(|f| f.kind == FieldType::Gps) {
                answers.insert(f.id.clone(), STRAY_POINT.into());
            }
        }
        let cmd = Command {
            observed_at: None,
            key: format!("{}:{i}", case.id),
            action: action_id.clone(),
            inputs: answers,
        };
        let cx = Context {
            now: at,
            actor: actor(action.roles[0], &case.region),
            remaining_allocation: None,
            evidence: Default::default(),
        };
        store.apply(catalog, &case.id, &cmd, &cx, None).await?;
    }
    Ok(())
}

/// Uploads the photo an officer takes on the `step`-th action of case `case`:
/// a small picture of its own, its camera time `at` in the region's zone.
async fn photo(
    store: &Store,
    case: &str,
    region: &str,
    step: usize,
    officer: &str,
    at: DateTime<Utc>,
) -> Result<String, DemoError> {
    use pantau_photo::samples;
    let zone = store
        .region(region)
        .await?
        .and_then(|r| r.zone.parse::<pantau_domain::Zone>().ok())
        .unwrap_or_default();
    let seed = case.bytes().fold(step as u32, |h, b| {
        h.wrapping_mul(31).wrapping_add(u32::from(b))
    });
    let taken = at.with_timezone(&zone.offset()).format("%Y:%m:%d %H:%M:%S");
    let bytes = samples::jpeg(&samples::scene(seed, 120, 90), 80, Some(&taken.to_string()));
    let found = pantau_photo::print(&bytes);
    let print = pantau_store::cases::evidence::PhotoPrint {
        phash: found.phash,
        taken_at: found.taken.and_then(|t| t.to_utc(zone.offset())),
    };
    Ok(store
        .put_attachment(case, "image/jpeg", bytes, print, officer, at)
        .await?)
}
