//! Sessions and API tokens (one table, found by the SHA-256 of the secret),
//! passwords (hashes only: hashing is the server's), accounts switched off
//! and on, and the count of failed sign-ins per login and source that makes
//! a source wait longer after each failure. Kept in the database so every
//! app instance on it agrees.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, JoinType, QueryFilter, QuerySelect,
    RelationDef,
};
use sha2::Digest;

use crate::schema::entity::{session, sign_in_attempt, user};
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

/// How long a session lasts: at most `max` from signing in, and (when set)
/// no longer than `idle` after its last use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub max: Duration,
    pub idle: Option<Duration>,
}

impl Lifetime {
    /// When a session used at `now` ends if it is not used again.
    pub fn idle_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.idle.map(|i| now + i)
    }
}

/// A new session's secrets: shown once, stored only as a hash (the token)
/// or beside it (the form token).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
    /// When it ends if unused (browser sessions).
    pub idle_until: Option<DateTime<Utc>>,
}

/// Failed sign-ins of one login from one source that cost nothing; each
/// further one makes that source wait: [`FIRST_WAIT`], then twice as long
/// each time, up to [`LONGEST_WAIT`].
pub const FREE_FAILURES: i32 = 5;
pub const FIRST_WAIT: Duration = Duration::minutes(1);
pub const LONGEST_WAIT: Duration = Duration::minutes(15);
/// Failures this long past are forgotten.
pub const FORGET_FAILURES: Duration = Duration::hours(24);
/// The longest login kept in the count (longer ones are cut).
const LOGIN_KEPT: usize = 200;

/// How long a source waits after its `failures`th failure in a row.
pub fn wait_after(failures: i32) -> Option<Duration> {
    let over = u32::try_from(failures.checked_sub(FREE_FAILURES)?).ok()?;
    let doubled = FIRST_WAIT * 2i32.saturating_pow(Ord::min(over, 16));
    Some(doubled.min(LONGEST_WAIT))
}

pub(crate) fn secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

fn kept_login(login: &str) -> String {
    login.chars().take(LOGIN_KEPT).collect()
}

impl Store {
    /// Starts a session for `login`, lasting `life`.
    pub async fn create_session(
        &self,
        login: &str,
        kind: SessionKind,
        life: Lifetime,
        now: DateTime<Utc>,
    ) -> Result<NewSession, StoreError> {
        let new = NewSession {
            token: secret(),
            csrf: secret(),
            expires_at: now + life.max,
            idle_until: life.idle_until(now),
        };
        session::Entity::insert(session::ActiveModel {
            token_hash: Set(token_hash(&new.token)),
            login: Set(login.to_string()),
            kind: Set(kind.as_str().to_string()),
            csrf: Set(new.csrf.clone()),
            created_at: Set(now),
            expires_at: Set(new.expires_at),
            idle_until: Set(new.idle_until),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(new)
    }

    /// The live session of `token` (neither past its lifetime nor left idle
    /// too long) and its active user, in one query (every request asks).
    /// `all`, not `one`: SQLite prepares a statement with a bound `LIMIT`
    /// again on every run, and a key finds one row anyway.
    pub async fn session(
        &self,
        token: &str,
        kind: SessionKind,
        now: DateTime<Utc>,
    ) -> Result<Option<(crate::model::Session, crate::model::User)>, StoreError> {
        let of_user: RelationDef = session::Entity::belongs_to(user::Entity)
            .from(session::Column::Login)
            .to(user::Column::Login)
            .into();
        let found = session::Entity::find_by_id(token_hash(token))
            .filter(session::Column::Kind.eq(kind.as_str()))
            .filter(session::Column::ExpiresAt.gt(now))
            .filter(
                Condition::any()
                    .add(session::Column::IdleUntil.is_null())
                    .add(session::Column::IdleUntil.gt(now)),
            )
            .join(JoinType::InnerJoin, of_user)
            .filter(user::Column::Active.eq(true))
            .select_also(user::Entity)
            .all(&self.db)
            .await?;
        Ok(found
            .into_iter()
            .find_map(|(s, u)| u.map(|u| (s.into(), u.into()))))
    }

    /// Moves the idle end of the session of `token` on to `idle_until`.
    pub async fn touch_session(
        &self,
        token: &str,
        idle_until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        session::Entity::update_many()
            .col_expr(session::Column::IdleUntil, Expr::value(idle_until))
            .filter(session::Column::TokenHash.eq(token_hash(token)))
            .filter(session::Column::IdleUntil.lt(idle_until))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Ends the session of `token` (signing out, revoking a token).
    pub async fn end_session(&self, token: &str) -> Result<(), StoreError> {
        session::Entity::delete_by_id(token_hash(token))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Ends every session and token of `login`; how many there were.
    pub async fn end_sessions_of(&self, login: &str) -> Result<u64, StoreError> {
        let r = session::Entity::delete_many()
            .filter(session::Column::Login.eq(login))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected)
    }

    /// The password hash of active user `login`; none for an unknown,
    /// inactive or password-less account.
    pub async fn password_hash(&self, login: &str) -> Result<Option<String>, StoreError> {
        let row = user::Entity::find_by_id(login).one(&self.db).await?;
        Ok(row.filter(|u| u.active).and_then(|u| u.password_hash))
    }

    /// Sets a user's password hash and ends every session and token they
    /// had (whoever knew the old password is out). False when there is no
    /// such user.
    pub async fn set_password(&self, login: &str, hash: &str) -> Result<bool, StoreError> {
        let r = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .filter(user::Column::Login.eq(login))
            .exec(&self.db)
            .await?;
        self.end_sessions_of(login).await?;
        Ok(r.rows_affected == 1)
    }

    /// Switches an account on or off; switching off ends every session and
    /// token it had. False when there is no such user.
    pub async fn set_active(&self, login: &str, active: bool) -> Result<bool, StoreError> {
        let r = user::Entity::update_many()
            .col_expr(user::Column::Active, Expr::value(active))
            .filter(user::Column::Login.eq(login))
            .exec(&self.db)
            .await?;
        if !active {
            self.end_sessions_of(login).await?;
        }
        Ok(r.rows_affected == 1)
    }

    /// Until when `source` must wait before trying `login` again, if it must.
    pub async fn sign_in_wait(
        &self,
        login: &str,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sign_in_attempt::Entity::find_by_id((kept_login(login), source.to_string()))
            .one(&self.db)
            .await?;
        Ok(row.and_then(|r| r.locked_until).filter(|t| *t > now))
    }

    /// Counts a failed sign-in of `login` (whether it exists or not) from
    /// `source`; past [`FREE_FAILURES`] the source waits, longer each time.
    /// Answers until when it waits, if it does.
    pub async fn record_failed_sign_in(
        &self,
        login: &str,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        use sign_in_attempt::{Column, Entity};
        Entity::delete_many()
            .filter(Column::LastFailedAt.lt(now - FORGET_FAILURES))
            .exec(&self.db)
            .await?;
        let login = kept_login(login);
        Entity::insert(sign_in_attempt::ActiveModel {
            login: Set(login.clone()),
            source: Set(source.to_string()),
            failures: Set(1),
            locked_until: Set(None),
            last_failed_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([Column::Login, Column::Source])
                .value(
                    Column::Failures,
                    Expr::col((Entity, Column::Failures)).add(1),
                )
                .value(Column::LastFailedAt, Expr::value(now))
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        let Some(row) = Entity::find_by_id((login.clone(), source.to_string()))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let Some(wait) = wait_after(row.failures) else {
            return Ok(None);
        };
        let until = now + wait;
        Entity::update_many()
            .col_expr(Column::LockedUntil, Expr::value(until))
            .filter(Column::Login.eq(login))
            .filter(Column::Source.eq(source))
            .exec(&self.db)
            .await?;
        Ok(Some(until))
    }

    /// A good sign-in of `login` from `source`: its count starts again.
    pub async fn record_good_sign_in(&self, login: &str, source: &str) -> Result<(), StoreError> {
        sign_in_attempt::Entity::delete_by_id((kept_login(login), source.to_string()))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_failures_up_to_the_longest() {
        assert_eq!(wait_after(1), None);
        assert_eq!(wait_after(FREE_FAILURES - 1), None);
        assert_eq!(wait_after(FREE_FAILURES), Some(Duration::minutes(1)));
        assert_eq!(wait_after(FREE_FAILURES + 1), Some(Duration::minutes(2)));
        assert_eq!(wait_after(FREE_FAILURES + 3), Some(Duration::minutes(8)));
        assert_eq!(wait_after(FREE_FAILURES + 4), Some(LONGEST_WAIT));
        assert_eq!(wait_after(i32::MAX), Some(LONGEST_WAIT));
    }
}
