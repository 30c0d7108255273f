use std::future::Future;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbErr, Statement};
use tempfile::TempDir;
use tokio::task::JoinHandle;

use crate::{Settings, Store};

/// A store on a fresh file with a table `turn_order (who)`.
async fn store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("turns.db").display());
    let store = Store::open(&Settings::new(url)).await.unwrap();
    store
        .db
        .execute_unprepared("CREATE TABLE turn_order (who TEXT NOT NULL)")
        .await
        .unwrap();
    (dir, store)
}

/// Who is in the table, as other connections see it: what is committed.
async fn committed(store: &Store) -> Vec<String> {
    let rows = store
        .db
        .query_all_raw(Statement::from_string(
            store.db_backend(),
            "SELECT who FROM turn_order ORDER BY rowid",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get_by_index(0).unwrap())
        .collect()
}

fn insert(who: &str) -> String {
    format!("INSERT INTO turn_order VALUES ('{who}')")
}

/// Batches the writing connection has begun.
async fn batches(store: &Store) -> u64 {
    store.turns.slot.lock().await.begun
}

/// Writers queued one after another (60 ms apart) while the file is
/// taken; each writes its name, then does `then` and commits.
fn queue_up(
    store: &Store,
    who: &[&'static str],
    then: fn(&'static str) -> Option<&'static str>,
) -> Vec<JoinHandle<Result<(), DbErr>>> {
    who.iter()
        .map(|&who| {
            let store = store.clone();
            let handle = tokio::spawn(async move {
                let w = store.begin_write().await.unwrap();
                w.execute_unprepared(&insert(who)).await?;
                if let Some(sql) = then(who) {
                    w.execute_unprepared(sql).await?;
                }
                w.commit().await
            });
            std::thread::sleep(Duration::from_millis(60));
            handle
        })
        .collect()
}

/// Writers who asked while the file was taken write in the order they
/// asked once it is let go. Left to SQLite's busy handler, each retries
/// on its own schedule of sleeps and a later one often goes first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_take_turns_in_the_order_they_asked() {
    let (_dir, store) = store().await;
    let first = store.begin_write().await.unwrap();
    let waiting = queue_up(&store, &["b", "c", "d", "e"], |_| None);
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.commit().await.unwrap();
    for w in waiting {
        w.await.unwrap().unwrap();
    }
    assert_eq!(committed(&store).await, ["b", "c", "d", "e"]);
}

/// Writers who waited behind one another are committed together, once;
/// one that fails takes back its own work only, in the middle of the
/// batch or at its end.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_waiting_together_commit_together_and_a_failure_is_its_own() {
    let (_dir, store) = store().await;
    let before = batches(&store).await;
    let first = store.begin_write().await.unwrap();
    first.execute_unprepared(&insert("a")).await.unwrap();
    // d and f write, then fail on a table that does not exist.
    let fails = |who| {
        ["d", "f"]
            .contains(&who)
            .then_some("INSERT INTO nowhere VALUES (1)")
    };
    let waiting = queue_up(&store, &["b", "c", "d", "e", "f"], fails);
    tokio::time::sleep(Duration::from_millis(200)).await;
    first.commit().await.unwrap();
    let mut told = Vec::new();
    for w in waiting {
        told.push(w.await.unwrap().is_ok());
    }
    assert_eq!(told, [true, true, false, true, false]);
    assert_eq!(committed(&store).await, ["a", "b", "c", "e"]);
    assert_eq!(
        batches(&store).await - before,
        1,
        "one batch for six writers"
    );
}

/// A batch whose transaction is lost tells every writer in it: none hears
/// "committed" for work that is not there, and the next writer begins a
/// batch of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_batch_tells_each_of_its_writers_and_the_next_begins_anew() {
    let (_dir, store) = store().await;
    let first = store.begin_write().await.unwrap();
    first.execute_unprepared(&insert("a")).await.unwrap();
    // b ends the whole transaction behind the batch's back.
    let ends = |who| (who == "b").then_some("ROLLBACK");
    let waiting = queue_up(&store, &["b"], ends);
    let first = tokio::spawn(first.commit());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let last = queue_up(&store, &["c"], |_| None);
    assert!(first.await.unwrap().is_err(), "a's batch was lost");
    for w in waiting {
        assert!(w.await.unwrap().is_err(), "b's batch was lost");
    }
    for w in last {
        w.await.unwrap().unwrap();
    }
    assert_eq!(committed(&store).await, ["c"]);
}

/// A writer whose caller stops waiting for the commit still has its work
/// committed, and the file is let go, when the one writer after it in the
/// batch fails and nobody else comes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_caller_who_stops_waiting_leaves_no_batch_open() {
    let (_dir, store) = store().await;
    let w = store.begin_write().await.unwrap();
    w.execute_unprepared(&insert("a")).await.unwrap();
    // b asks for its turn now, writes, then fails.
    let fails = |_| Some("INSERT INTO nowhere VALUES (1)");
    let b = queue_up(&store, &["b"], fails);
    // Polled once: a's work is in the batch, the commit handed on, then
    // the caller stops waiting.
    let mut commit = Box::pin(w.commit());
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(commit.as_mut().poll(&mut cx).is_pending());
    drop(commit);
    for w in b {
        assert!(w.await.unwrap().is_err());
    }
    for _ in 0..500 {
        if !committed(&store).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(committed(&store).await, ["a"]);
    // Another connection can write: no transaction holds the file.
    store.db.execute_unprepared(&insert("z")).await.unwrap();
    assert_eq!(committed(&store).await, ["a", "z"]);
}

/// A writer whose caller stops waiting while it opens its savepoint leaves
/// the batch in a state nobody can know: the batch is rolled back and the
/// writer before it is told so, never "committed".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_writer_dropped_while_joining_fails_its_batch_rather_than_guess() {
    let (_dir, store) = store().await;
    let a = store.begin_write().await.unwrap();
    a.execute_unprepared(&insert("a")).await.unwrap();
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    // b asks for its turn while a holds it.
    let mut b = Box::pin(store.begin_write());
    assert!(b.as_mut().poll(&mut cx).is_pending());
    // a finishes; with b asking, its commit is handed on and b has the turn.
    let a = tokio::spawn(a.commit());
    tokio::time::sleep(Duration::from_millis(200)).await;
    // b takes its turn and sends its SAVEPOINT; its caller stops waiting.
    let joined = b.as_mut().poll(&mut cx).is_ready();
    drop(b);
    let told = a.await.unwrap();
    if joined {
        // The SAVEPOINT answered within the poll (not seen in practice): b
        // was a member dropped unfinished, and a's work stands.
        told.unwrap();
        assert_eq!(committed(&store).await, ["a"]);
    } else {
        assert!(
            told.is_err(),
            "a's batch was rolled back: a must not hear 'committed'"
        );
        assert!(committed(&store).await.is_empty());
    }
    // The next writer begins anew.
    let c = store.begin_write().await.unwrap();
    c.execute_unprepared(&insert("c")).await.unwrap();
    c.commit().await.unwrap();
    assert!(committed(&store).await.ends_with(&["c".to_string()]));
}
