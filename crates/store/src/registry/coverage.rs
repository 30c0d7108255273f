//! The Koperasi Desa/Kelurahan Merah Putih of a kabupaten/kota, with the
//! desa each names: what the coverage page (which desa have one, none or
//! several) lays over the shipped list of desa. One query, on the index of
//! `(region_code, kind)`.

use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use pantau_registry::beneficiary::MERAH_PUTIH;
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect};

use crate::read::scope::in_scope;
use crate::schema::entity::beneficiary;
use crate::{Store, StoreError};

/// A Merah Putih cooperative and the desa/kelurahan it gave.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct VillageCoop {
    pub id: String,
    pub name: String,
    /// Dotted, as kept (the current code when it was written).
    pub desa_code: Option<String>,
}

impl Store {
    /// The Merah Putih cooperatives of kabupaten/kota `regency` that
    /// `scope` sees, dissolved ones aside (they cover no desa), by name.
    pub async fn merah_putih_in(
        &self,
        regency: &RegionCode,
        scope: &Scope,
    ) -> Result<Vec<VillageCoop>, StoreError> {
        let rows = beneficiary::Entity::find()
            .select_only()
            .column(beneficiary::Column::Id)
            .column(beneficiary::Column::Name)
            .column(beneficiary::Column::DesaCode)
            .filter(in_scope(self.db_backend(), "region_code", scope))
            .filter(beneficiary::Column::RegionCode.eq(regency.as_str()))
            .filter(beneficiary::Column::Kind.eq("cooperative"))
            .filter(beneficiary::Column::CoopKind.eq(MERAH_PUTIH))
            .filter(beneficiary::Column::Dissolved.eq(false))
            .order_by_asc(beneficiary::Column::Name)
            .order_by_asc(beneficiary::Column::Id)
            .into_model::<VillageCoop>()
            .all(&self.db)
            .await?;
        Ok(rows)
    }
}
