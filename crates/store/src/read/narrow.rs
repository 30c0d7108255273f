//! The narrower filters of a case list ([`Narrow`]): monev visits, money,
//! time in the current state, a search by name or case number, the cases
//! waiting on a role, and the order. Each is a SQL condition on `cases c`
//! with its values numbered after the ones already bound.

use chrono::{DateTime, Utc};
use sea_orm::Value;

/// Which cases' monev visits to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitKind {
    /// A visit done.
    Done,
    /// An open visit not yet late.
    Due,
    /// An open visit past its due time.
    Overdue,
}

/// Which money a case must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyKind {
    /// An approved amount.
    Approved,
    /// Some rupiah disbursed.
    Disbursed,
}

/// The order of a case list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseSort {
    /// Newest change first.
    #[default]
    Changed,
    /// Longest in its current state first.
    LongestInState,
    /// By the beneficiary's name.
    Name,
}

/// The states of one workflow version in which a role has an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub workflow: String,
    pub version: u32,
    /// States with an action the role may take.
    pub states: Vec<String>,
    /// States whose only action for the role accepts a visit's evidence:
    /// they wait on it only while a visit's evidence is flagged.
    pub flagged_states: Vec<String>,
}

/// The cases waiting on one caller.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WaitingFor {
    pub states: Vec<Waiting>,
    /// A field officer acts only on cases assigned to them or to nobody.
    pub officer: Option<String>,
}

/// Filters beyond program, state, region and officer.
#[derive(Debug, Clone, Default)]
pub struct Narrow {
    /// Cases with a visit of this kind at this time.
    pub visits: Option<(VisitKind, DateTime<Utc>)>,
    pub money: Option<MoneyKind>,
    /// Cases in their current state since before this time.
    pub in_state_before: Option<DateTime<Utc>>,
    /// A beneficiary's name (any part, any case) or a case number's start.
    pub search: Option<String>,
    pub waiting: Option<WaitingFor>,
    pub sort: CaseSort,
}

/// Case `c` has a visit whose evidence awaits a verifier. An `IN` list,
/// not `EXISTS`: the few flagged visits are found by `visits_review` and
/// their cases by key, where `EXISTS` probed visits for every case in scope.
pub(crate) const FLAGGED: &str =
    "c.id IN (SELECT v.case_id FROM visits v WHERE v.review = 'flagged')";

/// Pushes `v` and names its placeholder.
fn bind(values: &mut Vec<Value>, v: Value) -> String {
    values.push(v);
    format!("${}", values.len())
}

/// When case `c` entered its current state: its last event that moved it
/// there from another state (or opened it).
pub(crate) const STATE_SINCE: &str = "COALESCE((SELECT MAX(e.at) FROM events e \
     WHERE e.case_id = c.id AND e.to_state = c.state \
     AND (e.from_state IS NULL OR e.from_state <> e.to_state)), c.opened_at)";

impl Narrow {
    /// The conditions, each pushing its values onto `values`.
    pub(crate) fn clauses(&self, values: &mut Vec<Value>) -> Vec<String> {
        let mut out = vec![];
        if let Some((kind, now)) = self.visits {
            let cond = match kind {
                VisitKind::Done => "v.done_at IS NOT NULL".to_string(),
                VisitKind::Due => format!(
                    "v.done_at IS NULL AND v.due_at >= {}",
                    bind(values, now.into())
                ),
                VisitKind::Overdue => format!(
                    "v.done_at IS NULL AND v.due_at < {}",
                    bind(values, now.into())
                ),
            };
            out.push(format!(
                "EXISTS (SELECT 1 FROM visits v WHERE v.case_id = c.id AND {cond})"
            ));
        }
        match self.money {
            Some(MoneyKind::Approved) => out.push("c.approved_amount IS NOT NULL".into()),
            Some(MoneyKind::Disbursed) => out.push("c.disbursed_amount > 0".into()),
            None => {}
        }
        if let Some(before) = self.in_state_before {
            out.push(format!("{STATE_SINCE} < {}", bind(values, before.into())));
        }
        if let Some(text) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let lower = text.to_lowercase();
            let name = bind(
                values,
                format!("%{}%", super::browse::like_literal(&lower)).into(),
            );
            let id = bind(
                values,
                format!("{}%", super::browse::like_literal(&lower)).into(),
            );
            out.push(format!(
                "(c.id LIKE {id} ESCAPE '\\' OR EXISTS (SELECT 1 FROM beneficiaries b2 \
                 WHERE b2.id = c.beneficiary_id AND LOWER(b2.name) LIKE {name} ESCAPE '\\'))"
            ));
        }
        if let Some(w) = &self.waiting {
            let mut any = vec![];
            for s in w
                .states
                .iter()
                .filter(|s| !s.states.is_empty() || !s.flagged_states.is_empty())
            {
                // Bound only when named: a value the text does not name
                // would make the same text two statements on PostgreSQL.
                let wf = bind(values, s.workflow.as_str().into());
                let ver = bind(values, i64::from(s.version).into());
                let list = |values: &mut Vec<Value>, states: &[String]| {
                    states
                        .iter()
                        .map(|st| bind(values, st.as_str().into()))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut inner = vec![];
                if !s.states.is_empty() {
                    inner.push(format!("c.state IN ({})", list(values, &s.states)));
                }
                if !s.flagged_states.is_empty() {
                    inner.push(format!(
                        "(c.state IN ({}) AND {FLAGGED})",
                        list(values, &s.flagged_states)
                    ));
                }
                any.push(format!(
                    "(c.workflow = {wf} AND c.workflow_version = {ver} AND ({}))",
                    inner.join(" OR ")
                ));
            }
            out.push(if any.is_empty() {
                "FALSE".into()
            } else {
                format!("({})", any.join(" OR "))
            });
            if let Some(o) = &w.officer {
                out.push(format!(
                    "(c.officer IS NULL OR c.officer = {})",
                    bind(values, o.as_str().into())
                ));
            }
        }
        out
    }

    /// The sort key's expression and direction.
    pub(crate) fn order(&self) -> (&'static str, &'static str) {
        match self.sort {
            CaseSort::Changed => ("c.updated_at", "DESC"),
            CaseSort::LongestInState => (STATE_SINCE, "ASC"),
            CaseSort::Name => (
                "COALESCE((SELECT LOWER(b3.name) FROM beneficiaries b3 WHERE b3.id = c.beneficiary_id), '')",
                "ASC",
            ),
        }
    }
}
