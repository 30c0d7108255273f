//! Answers kept while the database has not changed. A national dashboard
//! sums a million cases' totals, a province's hundreds of programs; under
//! a room full of readers each worked it out again. Now an answer is worked
//! out once per [change marker](pantau_store::Store::change_marker) and
//! kept until the time it names (the dashboard's: the next moment an open
//! visit turns overdue) or a minute at most; readers who ask meanwhile wait
//! for that one answer rather than each working out their own.
//!
//! Any commit, by any instance or process, changes the marker, so an answer
//! is never older than the database's last write. Where the store has no
//! marker (SQLite in memory), nothing is kept.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::OnceCell;

/// How long an answer stands at most with the database unchanged, whatever
/// time it names: the most anything that changes with time and is not
/// named can be late.
pub const LIFE: TimeDelta = TimeDelta::minutes(1);

/// Keys kept at most (a scope and a language each, or a user's count).
pub const ROOM: usize = 1024;

/// Answers of type `V` by key.
#[derive(Debug)]
pub struct Memo<V> {
    /// How long an answer stands with the database unchanged.
    life: TimeDelta,
    /// Keys kept at most.
    room: usize,
    kept: Mutex<HashMap<String, Kept<V>>>,
}

#[derive(Debug)]
struct Kept<V> {
    marker: String,
    born: DateTime<Utc>,
    /// The answer and the last moment it stands (once worked out).
    answer: Arc<OnceCell<(V, DateTime<Utc>)>>,
}

impl<V> Kept<V> {
    /// Whether the answer stands at `marker` and `now`: one still being
    /// worked out does (its readers wait for it).
    fn stands(&self, marker: &str, now: DateTime<Utc>, life: TimeDelta) -> bool {
        self.marker == marker
            && now >= self.born
            && now - self.born < life
            && self.answer.get().is_none_or(|(_, until)| now <= *until)
    }
}

impl<V: Clone> Memo<V> {
    pub fn new(life: TimeDelta, room: usize) -> Memo<V> {
        Memo {
            life,
            room,
            kept: Mutex::default(),
        }
    }

    /// The answer for `key` at `marker` (the database's, read before) and
    /// `now` (the app's clock): the kept one while it stands, else worked
    /// out by `work` with the last moment it stands, once for every reader
    /// asking meanwhile. A failure is not kept; the next reader works it out
    /// again.
    pub async fn get<E, F, Fut>(
        &self,
        key: String,
        marker: Option<String>,
        now: DateTime<Utc>,
        work: F,
    ) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(V, DateTime<Utc>), E>>,
    {
        let Some(marker) = marker else {
            return work().await.map(|(v, _)| v);
        };
        let answer = {
            let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
            match kept.get(&key) {
                Some(k) if k.stands(&marker, now, self.life) => k.answer.clone(),
                _ => {
                    if kept.len() >= self.room {
                        kept.retain(|_, k| k.stands(&marker, now, self.life));
                        if kept.len() >= self.room {
                            kept.clear();
                        }
                    }
                    let answer = Arc::new(OnceCell::new());
                    kept.insert(
                        key,
                        Kept {
                            marker,
                            born: now,
                            answer: answer.clone(),
                        },
                    );
                    answer
                }
            }
        };
        answer.get_or_try_init(work).await.map(|(v, _)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    /// Asks for `key` at marker `m` and second `t`; a new answer stands
    /// through second `until`.
    async fn ask(
        memo: &Memo<usize>,
        n: &AtomicUsize,
        key: &str,
        m: &str,
        t: i64,
        until: i64,
    ) -> usize {
        memo.get(key.into(), Some(m.into()), at(t), || async {
            Ok::<_, ()>((n.fetch_add(1, Ordering::SeqCst) + 1, at(until)))
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn kept_while_the_marker_and_its_time_stand() {
        let memo = Memo::new(TimeDelta::seconds(60), 8);
        let n = AtomicUsize::new(0);
        assert_eq!(ask(&memo, &n, "a", "1", 0, 10).await, 1);
        assert_eq!(
            ask(&memo, &n, "a", "1", 10, 99).await,
            1,
            "through its time"
        );
        assert_eq!(ask(&memo, &n, "b", "1", 10, 99).await, 2, "another key");
        assert_eq!(
            ask(&memo, &n, "a", "2", 10, 99).await,
            3,
            "the database changed"
        );
        assert_eq!(ask(&memo, &n, "a", "2", 20, 99).await, 3);
        assert_eq!(ask(&memo, &n, "a", "2", 70, 99).await, 4, "past the life");
        assert_eq!(
            ask(&memo, &n, "a", "2", 69, 99).await,
            5,
            "the clock went back"
        );
        assert_eq!(ask(&memo, &n, "a", "2", 69, 75).await, 5);
        assert_eq!(
            ask(&memo, &n, "a", "2", 99, 120).await,
            5,
            "through its time"
        );
        assert_eq!(ask(&memo, &n, "a", "2", 100, 120).await, 6, "past its time");
    }

    #[tokio::test]
    async fn one_past_its_time_is_worked_out_again() {
        let memo = Memo::new(TimeDelta::seconds(60), 8);
        let n = AtomicUsize::new(0);
        assert_eq!(ask(&memo, &n, "a", "1", 0, 5).await, 1);
        assert_eq!(ask(&memo, &n, "a", "1", 5, 50).await, 1);
        assert_eq!(ask(&memo, &n, "a", "1", 6, 50).await, 2);
    }

    #[tokio::test]
    async fn no_marker_keeps_nothing_and_failures_are_not_kept() {
        let memo: Memo<usize> = Memo::new(TimeDelta::seconds(60), 8);
        let n = AtomicUsize::new(0);
        for want in 1..=2 {
            let got = memo
                .get("a".into(), None, at(0), || async {
                    Ok::<_, ()>((n.fetch_add(1, Ordering::SeqCst) + 1, at(99)))
                })
                .await;
            assert_eq!(got, Ok(want));
        }
        let failed = memo
            .get("a".into(), Some("1".into()), at(0), || async {
                Err::<(usize, _), _>("down")
            })
            .await;
        assert_eq!(failed, Err("down"));
        assert_eq!(ask(&memo, &n, "a", "1", 0, 99).await, 3);
    }

    #[tokio::test]
    async fn readers_at_once_share_one_answer() {
        let memo = Arc::new(Memo::new(TimeDelta::seconds(60), 8));
        let n = Arc::new(AtomicUsize::new(0));
        let asks = (0..16).map(|_| {
            let (memo, n) = (memo.clone(), n.clone());
            tokio::spawn(async move {
                memo.get("a".into(), Some("1".into()), at(0), || async {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    Ok::<_, ()>((n.fetch_add(1, Ordering::SeqCst) + 1, at(99)))
                })
                .await
            })
        });
        for a in asks.collect::<Vec<_>>() {
            assert_eq!(a.await.unwrap(), Ok(1));
        }
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn room_is_bounded() {
        let memo = Memo::new(TimeDelta::seconds(60), 2);
        let n = AtomicUsize::new(0);
        for (i, key) in ["a", "b", "c"].iter().enumerate() {
            assert_eq!(ask(&memo, &n, key, "1", 0, 99).await, i + 1);
        }
        assert!(memo.kept.lock().unwrap().len() <= 2);
    }
}
