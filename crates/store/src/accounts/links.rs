//! One-time links, found by the SHA-256 of their secret (so every instance
//! on the database knows them, and a copy of the database opens nothing):
//! the setup link that creates the first administrator, valid only while no
//! user exists, and a password reset link for one user. Each is used once.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::auth::{secret, token_hash};
use super::{Change, NewUser, insert_user, record};
use crate::schema::entity::{user, user_link};
use crate::{Store, StoreError};

/// How long a setup link lasts (a new one is made at every start while no user exists).
pub const SETUP_LIFE: Duration = Duration::days(7);
/// How long a password reset link lasts.
pub const RESET_LIFE: Duration = Duration::hours(24);

const SETUP: &str = "setup";
const RESET: &str = "reset";

/// The live link of `purpose` with secret `token`.
async fn live(
    db: &impl ConnectionTrait,
    token: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<user_link::Model>, StoreError> {
    Ok(user_link::Entity::find_by_id(token_hash(token))
        .filter(user_link::Column::Purpose.eq(purpose))
        .filter(user_link::Column::UsedAt.is_null())
        .filter(user_link::Column::ExpiresAt.gt(now))
        .one(db)
        .await?)
}

/// Marks the unused links of `purpose` (and `login`, when given) used.
async fn use_all(
    db: &impl ConnectionTrait,
    purpose: &str,
    login: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut q = user_link::Entity::update_many()
        .col_expr(user_link::Column::UsedAt, Expr::value(now))
        .filter(user_link::Column::Purpose.eq(purpose))
        .filter(user_link::Column::UsedAt.is_null());
    if let Some(l) = login {
        q = q.filter(user_link::Column::Login.eq(l));
    }
    Ok(q.exec(db).await?.rows_affected)
}

async fn insert_link(
    db: &impl ConnectionTrait,
    purpose: &str,
    login: Option<&str>,
    life: Duration,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let token = secret();
    user_link::Entity::insert(user_link::ActiveModel {
        token_hash: Set(token_hash(&token)),
        purpose: Set(purpose.into()),
        login: Set(login.map(Into::into)),
        created_at: Set(now),
        expires_at: Set(now + life),
        used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(token)
}

impl Store {
    /// How many users there are (active or not).
    pub async fn user_count(&self) -> Result<u64, StoreError> {
        Ok(user::Entity::find().count(&self.db).await?)
    }

    /// A new setup link's secret while no user exists; none once one does.
    pub async fn setup_link(&self, now: DateTime<Utc>) -> Result<Option<String>, StoreError> {
        if self.user_count().await? > 0 {
            return Ok(None);
        }
        Ok(Some(
            insert_link(&self.db, SETUP, None, SETUP_LIFE, now).await?,
        ))
    }

    /// Whether `token` is a setup link that still works: unused, not
    /// expired, and no user exists yet.
    pub async fn setup_link_live(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(live(&self.db, token, SETUP, now).await?.is_some() && self.user_count().await? == 0)
    }

    /// Creates the first user with setup link `token`, in one transaction:
    /// every setup link is used up, the user added, the change recorded.
    /// False, with nothing written, when the link does not work (used,
    /// expired, or a user exists). Two instances racing with two links:
    /// the second waits on the first's rows, then finds them used.
    pub async fn first_user(
        &self,
        token: &str,
        u: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let tx = self.begin_write().await?;
        if live(&tx, token, SETUP, now).await?.is_none() {
            return Ok(false);
        }
        if use_all(&tx, SETUP, None, now).await? == 0 || user::Entity::find().count(&tx).await? > 0
        {
            return Ok(false);
        }
        if !insert_user(&tx, u, now).await? {
            return Ok(false);
        }
        record(&tx, &u.login, &u.login, Change::Setup, String::new(), now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A password reset link for `login`, made by `actor`: earlier unused
    /// ones stop working, and the change is recorded.
    pub async fn reset_link(
        &self,
        login: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let tx = self.begin_write().await?;
        use_all(&tx, RESET, Some(login), now).await?;
        let token = insert_link(&tx, RESET, Some(login), RESET_LIFE, now).await?;
        record(&tx, login, actor, Change::ResetLink, String::new(), now).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The user a live reset link is for (an active one only).
    pub async fn reset_link_user(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<crate::model::User>, StoreError> {
        let Some(login) = live(&self.db, token, RESET, now)
            .await?
            .and_then(|l| l.login)
        else {
            return Ok(None);
        };
        Ok(self.user(&login).await?.filter(|u| u.active))
    }

    /// Uses reset link `token` to set the password hash of its (active)
    /// user: the link is used up, the change recorded, and every session and
    /// token of the user ends (as [`Store::set_password`]). The user's login, or none when the link
    /// does not work.
    pub async fn use_reset_link(
        &self,
        token: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let tx = self.begin_write().await?;
        let Some(login) = live(&tx, token, RESET, now).await?.and_then(|l| l.login) else {
            return Ok(None);
        };
        let used = user_link::Entity::update_many()
            .col_expr(user_link::Column::UsedAt, Expr::value(now))
            .filter(user_link::Column::TokenHash.eq(token_hash(token)))
            .filter(user_link::Column::UsedAt.is_null())
            .exec(&tx)
            .await?;
        let set = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .filter(user::Column::Login.eq(&login))
            .filter(user::Column::Active.eq(true))
            .exec(&tx)
            .await?;
        if used.rows_affected != 1 || set.rows_affected != 1 {
            return Ok(None);
        }
        record(&tx, &login, &login, Change::Password, String::new(), now).await?;
        tx.commit().await?;
        // Whoever knew the old password is out, as with `set_password`.
        self.end_sessions_of(&login).await?;
        Ok(Some(login))
    }
}
