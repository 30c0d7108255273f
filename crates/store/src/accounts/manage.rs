//! Users managed from the pages: found within a scope, added, their role
//! and region changed, switched off and on; each change recorded in
//! `user_changes` with who made it and when. And a user's own sessions:
//! listed, and ended one by one.

use chrono::{DateTime, Utc};
use pantau_domain::Role;
use pantau_domain::access::Scope;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::{NewUser, insert_user};
use crate::read::browse::{Page, contains_ci};
use crate::read::scope::in_scope;
use crate::schema::entity::{session, user, user_change};
use crate::{Store, StoreError, model};

/// What a recorded change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The first administrator, by the setup link.
    Setup,
    Added,
    Role,
    Region,
    Deactivated,
    Activated,
    /// A password reset link was made.
    ResetLink,
    /// A new password was set (by a reset link, or by the user).
    Password,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Setup => "setup",
            Change::Added => "added",
            Change::Role => "role",
            Change::Region => "region",
            Change::Deactivated => "deactivated",
            Change::Activated => "activated",
            Change::ResetLink => "reset_link",
            Change::Password => "password",
        }
    }
}

/// Records a change to `login` made by `actor`.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    login: &str,
    actor: &str,
    what: Change,
    detail: String,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    user_change::Entity::insert(user_change::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        login: Set(login.into()),
        actor: Set(actor.into()),
        at: Set(now),
        what: Set(what.as_str().into()),
        detail: Set(detail),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

impl Store {
    /// A page of the users whose region `scope` covers (national users only
    /// in a national scope), with `text` in their login, name or email
    /// (case-insensitive), by login.
    pub async fn user_page(
        &self,
        scope: &Scope,
        text: &str,
        page: u64,
        per_page: u64,
    ) -> Result<Page<model::User>, StoreError> {
        let mut cond = in_scope(self.db_backend(), "region_code", scope);
        let text = text.trim();
        if !text.is_empty() {
            cond = cond.add(
                Condition::any()
                    .add(contains_ci(user::Column::Login, text))
                    .add(contains_ci(user::Column::Name, text))
                    .add(contains_ci(user::Column::Email, text)),
            );
        }
        let total = user::Entity::find()
            .filter(cond.clone())
            .count(&self.db)
            .await?;
        let items = user::Entity::find()
            .filter(cond)
            .order_by_asc(user::Column::Login)
            .offset(page.saturating_sub(1).saturating_mul(per_page))
            .limit(per_page)
            .all(&self.db)
            .await?;
        Ok(Page {
            items: model::all(items),
            total,
        })
    }

    /// Adds a user as `actor` did, and records it, in one transaction.
    /// False (nothing written) when the login is taken.
    pub async fn add_user_by(
        &self,
        u: &NewUser,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let tx = self.begin_write().await?;
        if !insert_user(&tx, u, now).await? {
            return Ok(false);
        }
        let detail = format!("{} {}", u.role.as_str(), u.region.as_deref().unwrap_or("-"));
        record(&tx, &u.login, actor, Change::Added, detail, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Gives `login` `role` in `region`, as `actor` did: each of the two
    /// that changes is recorded (from → to), in one transaction. False when
    /// there is no such user.
    pub async fn change_user(
        &self,
        login: &str,
        role: Role,
        region: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let tx = self.begin_write().await?;
        let Some(old) = user::Entity::find_by_id(login).one(&tx).await? else {
            return Ok(false);
        };
        if old.role != role.as_str() {
            let detail = format!("{} → {}", old.role, role.as_str());
            record(&tx, login, actor, Change::Role, detail, now).await?;
        }
        if old.region_code.as_deref() != region {
            let detail = format!(
                "{} → {}",
                old.region_code.as_deref().unwrap_or("-"),
                region.unwrap_or("-")
            );
            record(&tx, login, actor, Change::Region, detail, now).await?;
        }
        user::Entity::update_many()
            .col_expr(user::Column::Role, Expr::value(role.as_str()))
            .col_expr(
                user::Column::RegionCode,
                Expr::value(region.map(String::from)),
            )
            .filter(user::Column::Login.eq(login))
            .exec(&tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Switches `login` off or on as `actor` did ([`Store::set_active`]:
    /// off ends every session), and records it. False when there is no
    /// such user.
    pub async fn switch_user(
        &self,
        login: &str,
        active: bool,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if !self.set_active(login, active).await? {
            return Ok(false);
        }
        let what = if active {
            Change::Activated
        } else {
            Change::Deactivated
        };
        record(&self.db, login, actor, what, String::new(), now).await?;
        Ok(true)
    }

    /// Records that `login` set their own password (the store's
    /// [`Store::set_password`] has set it).
    pub async fn record_own_password(
        &self,
        login: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        record(&self.db, login, login, Change::Password, String::new(), now).await
    }

    /// The changes made to `login`, newest first.
    pub async fn user_changes(&self, login: &str) -> Result<Vec<model::UserChange>, StoreError> {
        let rows = user_change::Entity::find()
            .filter(user_change::Column::Login.eq(login))
            .order_by_desc(user_change::Column::At)
            .order_by_desc(user_change::Column::Id)
            .all(&self.db)
            .await?;
        Ok(model::all(rows))
    }

    /// The live sessions and API tokens of `login` at `now`, newest first.
    pub async fn sessions_of(
        &self,
        login: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<model::Session>, StoreError> {
        let rows = session::Entity::find()
            .filter(session::Column::Login.eq(login))
            .filter(session::Column::ExpiresAt.gt(now))
            .filter(
                Condition::any()
                    .add(session::Column::IdleUntil.is_null())
                    .add(session::Column::IdleUntil.gt(now)),
            )
            .order_by_desc(session::Column::CreatedAt)
            .all(&self.db)
            .await?;
        Ok(model::all(rows))
    }

    /// Ends `login`'s session whose token hashes to `token_hash` (one of
    /// [`Store::sessions_of`]); false when they have none such.
    pub async fn end_session_of(&self, login: &str, token_hash: &str) -> Result<bool, StoreError> {
        let r = session::Entity::delete_many()
            .filter(session::Column::Login.eq(login))
            .filter(session::Column::TokenHash.eq(token_hash))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }
}
