//! Sessions and API tokens (one table, found by the SHA-256 of the secret),
//! passwords (hashes only: hashing is the server's), and the count of failed
//! sign-ins that locks an account for a while. Kept in the database so every
//! app instance on it agrees.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef,
};
use sha2::Digest;

use crate::entity::{session, user};
use crate::{Store, StoreError};

/// A browser's session or an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Web,
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// A new session's secrets: shown once, stored only as a hash (the token)
/// or beside it (the form token).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// After this many failed sign-ins in a row the account waits [`LOCKOUT`].
pub const MAX_FAILED_LOGINS: i32 = 5;
pub const LOCKOUT: Duration = Duration::minutes(15);

fn secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn token_hash(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Starts a session for `login`, valid for `ttl`.
    pub async fn create_session(
        &self,
        login: &str,
        kind: SessionKind,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Result<NewSession, StoreError> {
        let new = NewSession {
            token: secret(),
            csrf: secret(),
            expires_at: now + ttl,
        };
        session::Entity::insert(session::ActiveModel {
            token_hash: Set(token_hash(&new.token)),
            login: Set(login.to_string()),
            kind: Set(kind.as_str().to_string()),
            csrf: Set(new.csrf.clone()),
            created_at: Set(now),
            expires_at: Set(new.expires_at),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(new)
    }

    /// The live session of `token` and its active user, in one query (every
    /// request asks). `all`, not `one`: SQLite prepares a statement with a
    /// bound `LIMIT` again on every run, and a key finds one row anyway.
    pub async fn session(
        &self,
        token: &str,
        kind: SessionKind,
        now: DateTime<Utc>,
    ) -> Result<Option<(session::Model, user::Model)>, StoreError> {
        let of_user: RelationDef = session::Entity::belongs_to(user::Entity)
            .from(session::Column::Login)
            .to(user::Column::Login)
            .into();
        let found = session::Entity::find_by_id(token_hash(token))
            .filter(session::Column::Kind.eq(kind.as_str()))
            .filter(session::Column::ExpiresAt.gt(now))
            .join(JoinType::InnerJoin, of_user)
            .filter(user::Column::Active.eq(true))
            .select_also(user::Entity)
            .all(&self.db)
            .await?;
        Ok(found.into_iter().find_map(|(s, u)| u.map(|u| (s, u))))
    }

    /// Ends the session of `token` (signing out, revoking a token).
    pub async fn end_session(&self, token: &str) -> Result<(), StoreError> {
        session::Entity::delete_by_id(token_hash(token))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Sets a user's password hash (and lifts a lock). False when there is no such user.
    pub async fn set_password(&self, login: &str, hash: &str) -> Result<bool, StoreError> {
        let r = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .col_expr(
                user::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(user::Column::Login.eq(login))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Counts a failed sign-in; the [`MAX_FAILED_LOGINS`]th in a row locks
    /// the account until `now + LOCKOUT`.
    pub async fn record_failed_login(
        &self,
        login: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        user::Entity::update_many()
            .col_expr(
                user::Column::FailedLogins,
                Expr::col(user::Column::FailedLogins).add(1),
            )
            .filter(user::Column::Login.eq(login))
            .exec(&self.db)
            .await?;
        user::Entity::update_many()
            .col_expr(user::Column::LockedUntil, Expr::value(now + LOCKOUT))
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .filter(user::Column::Login.eq(login))
            .filter(user::Column::FailedLogins.gte(MAX_FAILED_LOGINS))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A good sign-in: the count of failures starts again.
    pub async fn record_good_login(&self, login: &str) -> Result<(), StoreError> {
        user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .filter(user::Column::Login.eq(login))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
