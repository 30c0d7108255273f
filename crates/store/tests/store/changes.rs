//! The change marker (`Store::change_marker`): new after every commit, the
//! store's own or another process's; on SQLite the same across reads.

use pantau_domain::access::Scope;
use sea_orm::ConnectionTrait;

use super::*;

async fn marker(store: &Store) -> String {
    store
        .change_marker()
        .await
        .unwrap()
        .expect("a file or a server has one")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_change_marker_moves_with_every_commit() {
    let f = fixture();
    for (name, store, t) in backends().await {
        open(&store, &f, "B-1").await;
        // A read folds PostgreSQL's case moves (a write); after it, reads.
        store.state_sums(&Scope::National).await.unwrap();
        let before = marker(&store).await;
        store.state_sums(&Scope::National).await.unwrap();
        store.visit_sums(&Scope::National, t0()).await.unwrap();
        if name == "sqlite" {
            // PostgreSQL's snapshot also moves with other databases' writes
            // on the same server (other tests): only SQLite's stands still.
            assert_eq!(marker(&store).await, before, "{name}: reads change nothing");
        }

        open(&store, &f, "B-2").await;
        let after_own = marker(&store).await;
        assert_ne!(after_own, before, "{name}: the store's own commit");

        // Another process on the same database, writing by hand.
        let other = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let opened = marker(&store).await;
        other
            .connection()
            .execute_unprepared("UPDATE cases SET region = '18.01' WHERE id = 'B-1'")
            .await
            .unwrap();
        assert_ne!(
            marker(&store).await,
            opened,
            "{name}: another process's commit"
        );
        drop(other);
    }
}
