//! What the Ministry bundle reads: the cases of a region that have an event
//! in a year (by the event's time in UTC), each with its whole chain from
//! event 1, a page of cases at a time so a large region never sits in
//! memory whole.

use crate::model::Event;
use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use pantau_domain::access::Scope;
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Value};

use crate::read::browse::scope_sql;
use crate::schema::entity::event;
use crate::{Store, StoreError};

/// Cases read per page (and so bound in one `IN (…)` for their events).
const PAGE: u64 = 500;

/// A case as exported: its record without the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ExportCase {
    pub id: String,
    pub workflow: String,
    pub workflow_version: i32,
    pub program_id: Option<String>,
    pub region: Option<String>,
    pub beneficiary_id: Option<String>,
    pub state: String,
    pub seq: i64,
    pub head_hash: String,
}

/// The cases of a scope with an event in a year, read page by page in
/// case id order. Made by [`Store::export`].
#[derive(Debug)]
pub struct Export<'a> {
    store: &'a Store,
    scope: Scope,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    after: Option<String>,
    done: bool,
}

impl Store {
    /// The cases in `scope` with at least one event whose time (UTC) falls
    /// in `year`, with all their events. `None` when the year is out of
    /// the calendar's range.
    pub fn export(&self, scope: Scope, year: i32) -> Option<Export<'_>> {
        let start = |y: i32| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).single();
        Some(Export {
            store: self,
            scope,
            from: start(year)?,
            until: start(year.checked_add(1)?)?,
            after: None,
            done: false,
        })
    }
}

impl Export<'_> {
    /// The next page of cases, each with its events from 1 up to the
    /// case's `seq` as read (so a case and its events agree even while
    /// others write); `None` after the last.
    pub async fn next_page(&mut self) -> Result<Option<Vec<(ExportCase, Vec<Event>)>>, StoreError> {
        if self.done {
            return Ok(None);
        }
        let (scope, mut values) = scope_sql(self.store.db_backend(), &self.scope, 1);
        let n = values.len();
        values.extend([
            Value::from(self.from),
            Value::from(self.until),
            Value::from(self.after.clone().unwrap_or_default()),
        ]);
        let sql = format!(
            "SELECT c.id, c.workflow, c.workflow_version, c.program_id, c.region, \
             c.beneficiary_id, c.state, c.seq, c.head_hash FROM cases c \
             WHERE {scope} AND c.id > ${} AND EXISTS (SELECT 1 FROM events e \
             WHERE e.case_id = c.id AND e.at >= ${} AND e.at < ${}) \
             ORDER BY c.id LIMIT {PAGE}",
            n + 3,
            n + 1,
            n + 2,
        );
        let rows = self.store.raw_in(&self.scope, &sql, values).await?;
        let cases = rows
            .iter()
            .map(|r| ExportCase::from_query_result(r, ""))
            .collect::<Result<Vec<_>, _>>()?;
        self.done = (cases.len() as u64) < PAGE;
        let Some(last) = cases.last() else {
            return Ok(None);
        };
        self.after = Some(last.id.clone());
        let mut events: HashMap<String, Vec<Event>> = HashMap::new();
        for e in event::Entity::find()
            .filter(event::Column::CaseId.is_in(cases.iter().map(|c| c.id.as_str())))
            .order_by_asc(event::Column::CaseId)
            .order_by_asc(event::Column::Seq)
            .all(&self.store.db)
            .await?
        {
            events.entry(e.case_id.clone()).or_default().push(e.into());
        }
        let page = cases
            .into_iter()
            .map(|case| {
                let mut mine = events.remove(&case.id).unwrap_or_default();
                mine.retain(|e| e.seq <= case.seq);
                (case, mine)
            })
            .collect();
        Ok(Some(page))
    }
}
