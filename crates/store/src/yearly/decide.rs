//! Deciding one row of a yearly file without the database: its case
//! opened and its `submit` applied by the engine, in memory. The import
//! decides every row once to check it (a row the engine refuses refuses
//! the file) and again, batch by batch, to write it.

use std::collections::BTreeMap;

use pantau_domain::{Label, Lang};
use pantau_workflow::{Case, Command, Context, Decision, Definition, Effect, Event, engine};

use crate::chain;
use crate::schema::entity::case;

/// A row that passed every check the file allows before the engine: its
/// cooperative found and within scope.
#[derive(Debug, Clone)]
pub(super) struct Ready {
    pub line: u64,
    pub beneficiary_id: String,
    pub region: String,
    /// The `submit` action's answers, `data_source` among them.
    pub answers: BTreeMap<String, String>,
}

/// One transition as the engine made it.
pub(super) type Step = (Case, Event, Vec<Effect>);

/// What deciding a row makes: the case row before it existed, and its two steps.
pub(super) struct Made {
    pub before: case::Model,
    pub steps: [Step; 2],
}

/// The idempotency key of the case a row opens: the file (by content) and the line.
pub(super) fn key(file_hash: &str, line: u64) -> String {
    format!("yearly:{file_hash}:{line}")
}

/// The engine's refusal of a row, by field id (the caller names the column as the file does).
pub(super) type Problem = (String, Label);

/// Opens the row's case and applies `action` with its answers.
pub(super) fn decide(
    def: &Definition,
    action: &str,
    program_id: &str,
    file_hash: &str,
    row: &Ready,
    cx: &Context,
) -> Result<Made, Vec<Problem>> {
    let key = key(file_hash, row.line);
    let case_id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes()).to_string();
    let (opened, open_event, open_effects) =
        engine::open(def, &case_id, &key, cx).map_err(refused)?;
    let cmd = Command {
        key: format!("{key}:{action}"),
        action: action.to_string(),
        inputs: row.answers.clone(),
        observed_at: None,
    };
    let (event, effects) = match engine::decide(def, &opened, &cmd, cx).map_err(refused)? {
        Decision::Apply { event, effects } => (event, effects),
        Decision::AlreadyApplied { .. } => {
            return Err(vec![(
                String::new(),
                Label::new("sudah diterapkan", "already applied"),
            )]);
        }
    };
    let mut sent = opened.clone();
    sent.apply(&event);
    let before = case::Model {
        id: case_id,
        workflow: def.id.clone(),
        workflow_version: def.version as i32,
        region: Some(row.region.clone()),
        program_id: Some(program_id.to_string()),
        beneficiary_id: Some(row.beneficiary_id.clone()),
        state: String::new(),
        seq: 0,
        approved_amount: None,
        disbursed_amount: 0,
        snapshot: String::new(),
        head_hash: chain::GENESIS.to_string(),
        opened_at: cx.now,
        updated_at: cx.now,
        officer: None,
    };
    Ok(Made {
        before,
        steps: [(opened, open_event, open_effects), (sent, event, effects)],
    })
}

/// A refusal as problems by field: a field's own reason, or the whole
/// refusal's message under no field (the role may not open the case).
fn refused(r: pantau_workflow::Refusal) -> Vec<Problem> {
    use pantau_workflow::{FieldProblem, Refusal};
    match r {
        Refusal::Fields { errors } => errors
            .into_iter()
            .map(|e| {
                let reason = match &e.problem {
                    FieldProblem::Missing => Label::new("wajib diisi", "required"),
                    FieldProblem::Invalid(why) => why.clone(),
                    _ => Label::new(e.message(Lang::Id), e.message(Lang::En)),
                };
                (e.field, reason)
            })
            .collect(),
        other => vec![(String::new(), other.label())],
    }
}
