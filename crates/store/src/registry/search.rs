//! Finding one beneficiary among many by a few keystrokes, and registering
//! one that is not found (one row through the import's own parsing).

use chrono::Utc;
use pantau_domain::access::Scope;
use pantau_registry::beneficiary::{ColumnError, Header};
use pantau_registry::regions::Regions;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::import::{beneficiary_id, parse_in_scope};
use crate::read::browse::like_literal;
use crate::read::scope::in_scope;
use crate::schema::entity::beneficiary;
use crate::{Store, StoreError, model};

/// At most this many words of a query count; the rest are ignored.
const WORDS: usize = 5;

/// What a registration did: the beneficiary's id, or the problems by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// Registered now (`new`), or found registered already by its natural key.
    Done {
        id: String,
        new: bool,
    },
    Refused(Vec<ColumnError>),
}

impl Store {
    /// Up to `limit` beneficiaries within `scope` (and of `region` and `kind`
    /// when given) matching every word of `query` (at most five): a word is
    /// found in the name (any case) or starts a NIK Koperasi, NIB, NIK or
    /// owner's NIK. By name. An empty query finds nothing.
    ///
    /// With a kabupaten/kota and a kind the rows read are that range of the
    /// index on `(region_code, kind)` only (SQLite's plan: `SEARCH … USING
    /// INDEX idx_beneficiaries_region_kind (region_code=? AND kind=?)`), a
    /// few thousand of a registry of 170,000; the matches are sorted by name
    /// and cut at `limit`.
    pub async fn search_beneficiaries(
        &self,
        scope: &Scope,
        query: &str,
        kind: Option<&str>,
        region: Option<&str>,
        limit: u64,
    ) -> Result<Vec<model::Beneficiary>, StoreError> {
        let Some(found) = words_match(query).filter(|_| limit > 0) else {
            return Ok(vec![]);
        };
        let mut cond = in_scope(self.db_backend(), "region_code", scope)
            .add(found)
            .add(beneficiary::Column::MergedInto.is_null());
        if let Some(r) = region {
            cond = cond.add(beneficiary::Column::RegionCode.eq(r));
        }
        if let Some(k) = kind {
            cond = cond.add(beneficiary::Column::Kind.eq(k));
        }
        let rows = beneficiary::Entity::find()
            .filter(cond)
            .order_by_asc(beneficiary::Column::Name)
            .order_by_asc(beneficiary::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(model::all(rows))
    }

    /// Registers one beneficiary from its columns by name (the import's
    /// column names: `kind`, `region_code`, `name`, …), checked exactly as an
    /// imported row is (`registry::beneficiary::parse_row`), and refused at
    /// its region when outside `scope`. One registered already (the same
    /// natural key) is found, not registered twice; one found outside
    /// `scope` is refused at the column that identifies it.
    pub async fn register_beneficiary(
        &self,
        cells: &[(&str, &str)],
        regions: &Regions,
        scope: &Scope,
    ) -> Result<Registered, StoreError> {
        let header = match Header::new(cells.iter().map(|(name, _)| *name)) {
            Ok(h) => h,
            Err(problems) => return Ok(Registered::Refused(problems)),
        };
        let values: Vec<&str> = cells.iter().map(|(_, v)| *v).collect();
        let b = match parse_in_scope(&header, &values, regions, scope) {
            Ok(b) => b,
            Err(problems) => return Ok(Registered::Refused(problems)),
        };
        let id = beneficiary_id(&b);
        let new = self
            .import_beneficiaries(&[(id.clone(), b.clone())], Utc::now())
            .await?
            > 0;
        // A record merged into another is found as that one.
        let kept = self.kept_beneficiary(&id).await?.unwrap_or(id);
        match self.beneficiary(&kept).await? {
            Some(row) if scope.covers(Some(&row.region_code)) => {
                Ok(Registered::Done { id: kept, new })
            }
            _ => Ok(Registered::Refused(vec![ColumnError {
                column: identifying_column(b.kind()).into(),
                reason: pantau_domain::Label::new(
                    "sudah terdaftar di wilayah lain",
                    "already registered in another region",
                ),
            }])),
        }
    }
}

/// Beneficiaries matching every word of `query` (at most five): a word is
/// found in the name (any case) or starts a NIK Koperasi, NIB, NIK or
/// owner's NIK. None for a query without words.
pub(crate) fn words_match(query: &str) -> Option<Condition> {
    let words: Vec<String> = query
        .split_whitespace()
        .take(WORDS)
        .map(|w| like_literal(&w.to_lowercase()))
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut cond = Condition::all();
    for w in &words {
        let inside = LikeExpr::new(format!("%{w}%")).escape('\\');
        let starts = || LikeExpr::new(format!("{w}%")).escape('\\');
        let mut any = Condition::any()
            .add(Expr::expr(Func::lower(Expr::col(beneficiary::Column::Name))).like(inside));
        for col in [
            beneficiary::Column::NikKoperasi,
            beneficiary::Column::Nib,
            beneficiary::Column::Nik,
            beneficiary::Column::OwnerNik,
        ] {
            any = any.add(Expr::col(col).like(starts()));
        }
        cond = cond.add(any);
    }
    Some(cond)
}

/// The column whose value makes a beneficiary of `kind` the one it is.
fn identifying_column(kind: &str) -> &'static str {
    match kind {
        "cooperative" => "nik_koperasi",
        "umkm" => "nib",
        _ => "nik",
    }
}
