//! A command's inputs read against the action's fields, the answers
//! checked against what the adapter found, and a visit's `observed_at`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pantau_domain::{Label, Role};

use super::{CLOCK_SKEW, visit_opened};
use crate::case::Case;
use crate::definition::{Action, Definition, Field};
use crate::evidence;
use crate::refusal::{FieldError, FieldProblem, Refusal};
use crate::value::{FieldType, Value};

pub(super) fn parse_inputs(
    def: &Definition,
    action: &Action,
    inputs: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, Refusal> {
    let (own, questions) = def.input_parts(action);
    // Each field's raw answer, found in one pass over the (few) inputs;
    // every field of a name gets its answer, as a look-up per field would.
    let mut answers: [Option<&str>; SLOTS] = [None; SLOTS];
    if own.len() + questions.len() > SLOTS {
        return parse_inputs_slowly(def, action, inputs);
    }
    let mut unknown = false;
    for (name, text) in inputs {
        let mut known = false;
        for (slot, f) in answers.iter_mut().zip(own.iter().chain(questions)) {
            if &f.id == name {
                *slot = Some(text.as_str());
                known = true;
            }
        }
        unknown |= !known;
    }
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    for (answer, field) in answers.iter().zip(own.iter().chain(questions)) {
        read(field, *answer, &mut values, &mut errors);
    }
    if unknown {
        unknown_names(def, action, inputs, &mut errors);
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(Refusal::Fields { errors })
    }
}

/// Reads `answer` to `field` into `values`, or its problem into `errors`
/// (an empty answer is none).
fn read(
    field: &Field,
    answer: Option<&str>,
    values: &mut BTreeMap<String, Value>,
    errors: &mut Vec<FieldError>,
) {
    match answer.map(str::trim).filter(|s| !s.is_empty()) {
        None if field.required => errors.push(FieldError {
            field: field.id.clone(),
            problem: FieldProblem::Missing,
        }),
        None => {}
        Some(text) => match Value::parse(field.kind, text, &field.options) {
            Ok(v) => {
                values.insert(field.id.clone(), v);
            }
            Err(why) => errors.push(FieldError {
                field: field.id.clone(),
                problem: FieldProblem::Invalid(why),
            }),
        },
    }
}

/// How many inputs an action may have for [`parse_inputs`] to match them on
/// the stack; more are read one look-up per field.
const SLOTS: usize = 32;

fn parse_inputs_slowly(
    def: &Definition,
    action: &Action,
    inputs: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, Refusal> {
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    for field in def.inputs(action) {
        read(
            field,
            inputs.get(&field.id).map(String::as_str),
            &mut values,
            &mut errors,
        );
    }
    unknown_names(def, action, inputs, &mut errors);
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(Refusal::Fields { errors })
    }
}

/// The inputs no field of the action takes, in the inputs' order.
fn unknown_names(
    def: &Definition,
    action: &Action,
    inputs: &BTreeMap<String, String>,
    errors: &mut Vec<FieldError>,
) {
    for name in inputs.keys() {
        if !def.inputs(action).any(|f| &f.id == name) {
            errors.push(FieldError {
                field: name.clone(),
                problem: FieldProblem::Unknown,
            });
        }
    }
}

/// Refuses each photo or user answer `why` finds a reason against, by
/// field; `why` is asked about no other answer.
pub(super) fn check_answers(
    def: &Definition,
    action: &Action,
    fields: &BTreeMap<String, Value>,
    why: impl Fn(&crate::definition::Field, &Value) -> Option<Label>,
) -> Result<(), Refusal> {
    let (own, questions) = def.input_parts(action);
    let all = || own.iter().chain(questions);
    // Only photo and user fields give photo and user answers: a field is
    // looked up when it is one, or shares its name with one.
    let names = |f: &crate::definition::Field| matches!(f.kind, FieldType::Photo | FieldType::User);
    if !all().any(names) {
        return Ok(());
    }
    let errors: Vec<FieldError> = all()
        .filter(|f| names(f) || all().any(|g| names(g) && g.id == f.id))
        .filter_map(|f| {
            let answer = fields.get(&f.id)?;
            if !matches!(answer, Value::Photo(_) | Value::User(_)) {
                return None;
            }
            let reason = why(f, answer)?;
            Some(FieldError {
                field: f.id.clone(),
                problem: FieldProblem::Invalid(reason),
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Fields { errors })
    }
}

/// Refuses a photo answer that names no picture uploaded to this case: a
/// typed file name, an unknown id, another case's file, or a file that does
/// not decode as a picture. The adapter names the case's uploads in `facts`.
pub(super) fn photo_problem(facts: &evidence::Facts, answer: &Value) -> Option<Label> {
    let Value::Photo(id) = answer else {
        return None;
    };
    match facts.photos.iter().find(|p| &p.id == id) {
        None => Some(Label::new(
            "bukan foto yang diunggah untuk kasus ini; ambil atau unggah fotonya",
            "is not a photo uploaded to this case; take or upload the photo",
        )),
        Some(p) if !p.picture => Some(Label::new(
            "berkas ini bukan gambar yang dapat dibuka",
            "this file is not a picture that opens",
        )),
        Some(_) => None,
    }
}

/// Refuses a user answer that names no active user of the field's role who
/// works in the case's region (a typed name, another region's officer).
pub(super) fn user_problem(facts: &evidence::Facts, role: Role, answer: &Value) -> Option<Label> {
    let Value::User(login) = answer else {
        return None;
    };
    let named = role.label();
    match facts.users.iter().find(|p| &p.login == login) {
        None => Some(Label::new(
            format!("`{login}` bukan pengguna Pantau"),
            format!("`{login}` is not a Pantau user"),
        )),
        Some(p) if !p.active => Some(Label::new(
            format!("`{login}` sudah dinonaktifkan"),
            format!("`{login}` has been deactivated"),
        )),
        Some(p) if p.role != role => Some(Label::new(
            format!("`{login}` bukan {}", named.id.to_lowercase()),
            format!("`{login}` is not a {}", named.en.to_lowercase()),
        )),
        Some(p) if !p.sees_case => Some(Label::new(
            format!("`{login}` tidak bertugas di wilayah kasus ini"),
            format!("`{login}` does not work in this case's region"),
        )),
        Some(_) => None,
    }
}

/// Refuses a time of observation the action cannot have happened at: ahead
/// of the clock (beyond [`CLOCK_SKEW`]), before the case entered the state
/// the action is taken from, or, for a monev visit, before the visit opened.
pub(super) fn check_observed(
    def: &Definition,
    case: &Case,
    action: &Action,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let opened = action
        .completes_visit
        .then(|| case.open_visit().map(|v| visit_opened(def, v)))
        .flatten();
    let earliest = opened.map_or(case.entered_at, |o| o.max(case.entered_at));
    let problem = if at > now + CLOCK_SKEW {
        Some(FieldProblem::ObservedInFuture { at, now })
    } else if at < earliest {
        Some(FieldProblem::ObservedTooEarly { at, earliest })
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Refusal::Fields {
            errors: vec![FieldError {
                field: OBSERVED_AT.into(),
                problem,
            }],
        }),
        None => Ok(()),
    }
}

/// The name a command's time of observation goes by in refusals.
pub const OBSERVED_AT: &str = "observed_at";
