//! What a decree reads before it decides: the rows of the cases it lists,
//! the decrees that approved them, and the action a case's definition
//! approves by decree with.

use std::collections::{BTreeMap, BTreeSet};

use pantau_workflow::{Case, Definition};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};

use crate::StoreError;
use crate::schema::entity::{case, decree, decree_item};
use pantau_registry::decree::{Change, DecreeLine};

/// The rows of the cases `lines` name, and which of them this decree
/// already lists (a previous run handled them). Both in one statement: the
/// second is an `EXISTS` on the primary key `(decree_id, case_id)` per case
/// read, so it costs one index probe per case however many items the decree
/// has, and however stale the planner's statistics are (an `IN` list of 500
/// case ids against `decree_items` was planned as a scan of the decree's
/// items when they were analyzed empty: quadratic over a large decree).
pub(super) async fn listed_cases(
    txn: &DatabaseTransaction,
    decree_id: &str,
    lines: &[(usize, &DecreeLine)],
) -> Result<(BTreeMap<String, case::Model>, BTreeSet<String>), StoreError> {
    let ids: Vec<&str> = lines.iter().map(|(_, l)| l.case_id.as_str()).collect();
    let statement = case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .expr_as(
            Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(decree_item::Entity)
                    .and_where(
                        Expr::col((decree_item::Entity, decree_item::Column::DecreeId))
                            .eq(decree_id),
                    )
                    .and_where(
                        Expr::col((decree_item::Entity, decree_item::Column::CaseId))
                            .equals((case::Entity, case::Column::Id)),
                    )
                    .to_owned(),
            ),
            "in_decree",
        )
        .build(txn.get_database_backend());
    let mut rows = BTreeMap::new();
    let mut done = BTreeSet::new();
    for r in txn.query_all_raw(statement).await? {
        let row = case::Model::from_query_result(&r, "")?;
        if r.try_get::<bool>("", "in_decree")? {
            done.insert(row.id.clone());
        }
        rows.insert(row.id.clone(), row);
    }
    Ok((rows, done))
}

/// The number of the decree that approved each of `cases`, for those a
/// decree approved (the latest, were there several).
pub(super) async fn approving_decrees(
    txn: &DatabaseTransaction,
    cases: impl Iterator<Item = &String>,
) -> Result<BTreeMap<String, String>, StoreError> {
    let ids: Vec<String> = cases.cloned().collect();
    let mut out = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String)> = decree_item::Entity::find()
            .select_only()
            .column(decree_item::Column::CaseId)
            .column_as(
                Expr::col((decree::Entity, decree::Column::Number)),
                "number",
            )
            .join(
                sea_orm::JoinType::InnerJoin,
                decree_item::Entity::belongs_to(decree::Entity)
                    .from(decree_item::Column::DecreeId)
                    .to(decree::Column::Id)
                    .into(),
            )
            .filter(decree_item::Column::CaseId.is_in(chunk.iter().cloned()))
            .filter(decree_item::Column::Outcome.eq("approved"))
            .order_by_asc(decree::Column::CreatedAt)
            .into_tuple()
            .all(txn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The by-decree action that makes `change` from the case's state.
pub(crate) fn decree_action<'a>(
    def: &'a Definition,
    case: &'a Case,
    change: Change,
) -> Option<&'a pantau_workflow::Action> {
    def.actions_from(&case.state).find(|a| {
        a.by_decree
            && match change {
                Change::Approve | Change::Amount => a.approves.is_some(),
                Change::Remove => a.revokes_approval,
            }
    })
}
