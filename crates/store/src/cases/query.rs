//! Reading cases, their timelines, and verifying the hash chains.

use pantau_workflow::{Case, Event};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::chain::{self, Broken, Link};
use crate::schema::entity::{case, event};
use crate::{Store, StoreError};

/// A case with its events, oldest first.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub row: crate::model::Case,
    pub case: Case,
    pub events: Vec<Event>,
}

/// Case `id`'s events, oldest first (those before seq `before`, when given).
pub(crate) async fn events_of(
    db: &impl ConnectionTrait,
    id: &str,
    before: Option<i64>,
) -> Result<Vec<Event>, StoreError> {
    let mut find = event::Entity::find().filter(event::Column::CaseId.eq(id));
    if let Some(seq) = before {
        find = find.filter(event::Column::Seq.lt(seq));
    }
    let rows = find.order_by_asc(event::Column::Seq).all(db).await?;
    Ok(rows
        .iter()
        .map(|r| serde_json::from_str(&r.body))
        .collect::<Result<Vec<Event>, _>>()?)
}

impl Store {
    pub async fn case(&self, id: &str) -> Result<Option<CaseView>, StoreError> {
        let Some(row) = case::Entity::find_by_id(id).one(&self.db).await? else {
            return Ok(None);
        };
        let events = events_of(&self.db, id, None).await?;
        let case = serde_json::from_str(&row.snapshot)?;
        Ok(Some(CaseView {
            row: row.into(),
            case,
            events,
        }))
    }

    /// Every case, newest change first, up to `limit`.
    pub async fn cases(&self, limit: u64) -> Result<Vec<crate::model::Case>, StoreError> {
        use sea_orm::QuerySelect;
        let rows = case::Entity::find()
            .order_by_desc(case::Column::UpdatedAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Recomputes every case's chain and checks each case against its
    /// events. Returns the number of events checked, or the first event
    /// (by case id, then sequence) that does not match.
    pub async fn verify(&self) -> Result<Result<usize, Broken>, StoreError> {
        let cases = case::Entity::find()
            .order_by_asc(case::Column::Id)
            .all(&self.db)
            .await?;
        let mut total = 0;
        for c in cases {
            let rows = event::Entity::find()
                .filter(event::Column::CaseId.eq(c.id.as_str()))
                .order_by_asc(event::Column::Seq)
                .all(&self.db)
                .await?;
            let links = rows.iter().map(|r| Link {
                case_id: &r.case_id,
                seq: r.seq,
                prev_hash: &r.prev_hash,
                body: &r.body,
                hash: &r.hash,
            });
            if let Err(b) = chain::verify_case(links) {
                return Ok(Err(b));
            }
            if let Err(b) = consistent(&c, &rows) {
                return Ok(Err(b));
            }
            total += rows.len();
        }
        Ok(Ok(total))
    }
}

/// The columns beside each body, and the case row, agree with the events.
fn consistent(c: &case::Model, rows: &[event::Model]) -> Result<(), Broken> {
    let broken = |seq: i64, reason: &str| Broken {
        case_id: c.id.clone(),
        seq,
        reason: reason.to_string(),
    };
    let mut events = Vec::with_capacity(rows.len());
    for r in rows {
        let e: Event =
            serde_json::from_str(&r.body).map_err(|_| broken(r.seq, "its body is not an event"))?;
        let columns_match = e.seq as i64 == r.seq
            && e.action == r.action
            && e.to == r.to_state
            && e.from == r.from_state
            && e.key == r.idem_key
            && e.at == r.at;
        if !columns_match {
            return Err(broken(
                r.seq,
                "its columns do not match its body (the event was altered)",
            ));
        }
        events.push(e);
    }
    let last = rows.last().map_or(0, |r| r.seq);
    let replayed = Case::replay(&c.id, &events).map_err(|e| broken(last, &e.to_string()))?;
    let snapshot: Case = serde_json::from_str(&c.snapshot)
        .map_err(|_| broken(last, "the case snapshot is unreadable"))?;
    if replayed != snapshot
        || c.seq != last
        || c.state != replayed.state
        || c.officer != replayed.officer
        || rows.last().is_some_and(|r| r.hash != c.head_hash)
    {
        return Err(broken(last, "the case record does not match its events"));
    }
    Ok(())
}

impl Store {
    /// Monev visits (done, open and due from `now`, open and overdue at `now`).
    pub async fn visit_counts(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(usize, usize, usize), StoreError> {
        use crate::schema::entity::visit;
        use sea_orm::PaginatorTrait;
        let done = visit::Entity::find()
            .filter(visit::Column::DoneAt.is_not_null())
            .count(&self.db)
            .await?;
        let due = visit::Entity::find()
            .filter(visit::Column::DoneAt.is_null())
            .filter(visit::Column::DueAt.gte(now))
            .count(&self.db)
            .await?;
        let overdue = visit::Entity::find()
            .filter(visit::Column::DoneAt.is_null())
            .filter(visit::Column::DueAt.lt(now))
            .count(&self.db)
            .await?;
        Ok((done as usize, due as usize, overdue as usize))
    }
}
