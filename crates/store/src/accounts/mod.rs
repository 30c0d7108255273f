//! Accounts: the people who sign in and receive reminders, each with one
//! role in one region (a province covers its kabupaten/kota; none means
//! national), a language, and whether reminders come as a daily digest.
//! Sessions and passwords are `auth`'s; one-time links (first setup,
//! password reset) `links`'; changes made from the pages, each recorded,
//! `manage`'s.

pub mod auth;
pub mod links;
pub mod manage;

pub use manage::Change;
pub(crate) use manage::record;

use chrono::{DateTime, Utc};
use pantau_domain::{Lang, Role};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::schema::entity::user;
use crate::{Store, StoreError};

/// A user to add.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub region: Option<String>,
    pub lang: Lang,
    pub digest: bool,
    pub password_hash: Option<String>,
}

impl Store {
    /// Adds a user; an existing login is left as it is. Returns whether it was new.
    pub async fn add_user(&self, u: &NewUser, now: DateTime<Utc>) -> Result<bool, StoreError> {
        insert_user(&self.db, u, now).await
    }

    pub async fn user(&self, login: &str) -> Result<Option<crate::model::User>, StoreError> {
        let row = user::Entity::find_by_id(login).one(&self.db).await?;
        Ok(row.map(Into::into))
    }

    /// A user's own choices: the language of pages and emails, and whether
    /// reminders come as one daily digest. Returns whether the user exists.
    pub async fn set_preferences(
        &self,
        login: &str,
        lang: Lang,
        digest: bool,
    ) -> Result<bool, StoreError> {
        let r = user::Entity::update_many()
            .col_expr(user::Column::Lang, Expr::value(lang.as_str()))
            .col_expr(user::Column::Digest, Expr::value(digest))
            .filter(user::Column::Login.eq(login))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// The active users holding `role` who work in kabupaten/kota `region`:
    /// its own, its province's, and the national ones.
    pub async fn people_of(
        &self,
        role: Role,
        region: &str,
    ) -> Result<Vec<crate::model::User>, StoreError> {
        let people = people_in(&self.db, region, role.as_str()).await?;
        Ok(crate::model::all(people))
    }
}

/// The active users holding `role` in kabupaten/kota `region`, its province, or nationally.
pub(crate) async fn people_in(
    db: &impl ConnectionTrait,
    region: &str,
    role: &str,
) -> Result<Vec<user::Model>, StoreError> {
    let province = region.get(..2).unwrap_or_default().to_string();
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(role))
        .filter(user::Column::Active.eq(true))
        .filter(
            user::Column::RegionCode
                .is_in([region.to_string(), province])
                .or(user::Column::RegionCode.is_null()),
        )
        .order_by_asc(user::Column::Login)
        .all(db)
        .await?)
}

/// Adds a user on `db`; an existing login is left as it is. Whether it was new.
pub(crate) async fn insert_user(
    db: &impl ConnectionTrait,
    u: &NewUser,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted = user::Entity::insert(user::ActiveModel {
        login: Set(u.login.clone()),
        name: Set(u.name.clone()),
        email: Set(u.email.clone()),
        role: Set(u.role.as_str().into()),
        region_code: Set(u.region.clone()),
        lang: Set(u.lang.as_str().into()),
        digest: Set(u.digest),
        password_hash: Set(u.password_hash.clone()),
        active: Set(true),
        last_digest_on: Set(None),
        created_at: Set(now),
        failed_logins: Set(0),
        locked_until: Set(None),
    })
    .on_conflict(
        OnConflict::column(user::Column::Login)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}
