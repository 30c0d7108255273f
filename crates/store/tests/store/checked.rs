//! `apply_checked`: the caller's check on the row the transaction reads
//! declines a command with nothing written, before the idempotency key is
//! looked up; the answer is the case as that transaction left it.

use super::*;
use pantau_store::{CaseView, Target};

/// Sees only Kota Bandar Lampung (18.71), as a regency user there would.
fn bandar_lampung(t: &Target<'_>) -> Result<(), String> {
    match t.region {
        Some("18.71") => Ok(()),
        other => Err(format!("{} is in {other:?}", t.id)),
    }
}

/// The view's row, case and events are what a fresh read finds.
async fn same_as_stored(store: &Store, view: &CaseView, what: &str) {
    let stored = store.case(&view.row.id).await.unwrap().unwrap();
    assert_eq!(
        format!("{:?}", view.row),
        format!("{:?}", stored.row),
        "{what}: row"
    );
    assert_eq!(view.case, stored.case, "{what}: case");
    assert_eq!(view.events, stored.events, "{what}: events");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checked_command_is_declined_before_its_key_and_answers_the_case_it_left() {
    let f = fixture();
    for (name, store, _dir) in backends().await {
        open(&store, &f, "C-1").await;
        open_in(&store, &f, "C-2", "13.71").await;
        let path = bansos_path();
        let (role, submit) = &path[0];

        // Another region's case: declined, nothing written.
        let out = store
            .apply_checked(
                &f.catalog,
                "C-2",
                submit,
                &cx(1, "u", *role),
                None,
                &bandar_lampung,
            )
            .await
            .unwrap();
        assert_eq!(out.unwrap_err(), "C-2 is in Some(\"13.71\")", "{name}");
        let events = "SELECT COUNT(*) FROM events WHERE case_id = 'C-2'";
        assert_eq!(
            count(&store, events).await,
            1,
            "{name}: written though declined"
        );

        // Applied: the answer is the case after the event, read in the transaction.
        let out = store
            .apply_checked(
                &f.catalog,
                "C-1",
                submit,
                &cx(1, "u", *role),
                None,
                &bandar_lampung,
            )
            .await
            .unwrap()
            .unwrap();
        let (Outcome::Applied { event, .. }, view) = &out else {
            panic!("{name}: {out:?}")
        };
        assert_eq!(view.row.seq, 2, "{name}");
        assert_eq!(view.events.last(), Some(event), "{name}");
        same_as_stored(&store, view, name).await;

        // The same key again: the first event, and the case as it is.
        let again = store
            .apply_checked(
                &f.catalog,
                "C-1",
                submit,
                &cx(2, "u", *role),
                None,
                &bandar_lampung,
            )
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(again.0, Outcome::Repeated { .. }), "{name}");
        assert_eq!(again.0.event(), event, "{name}");
        same_as_stored(&store, &again.1, name).await;

        // A key applied before is checked like a new one: still declined.
        let submit = &Command {
            key: "k1-c2".into(),
            ..submit.clone()
        };
        store
            .apply(&f.catalog, "C-2", submit, &cx(3, "u", *role), None)
            .await
            .unwrap();
        let out = store
            .apply_checked(
                &f.catalog,
                "C-2",
                submit,
                &cx(4, "u", *role),
                None,
                &bandar_lampung,
            )
            .await
            .unwrap();
        assert!(
            out.is_err(),
            "{name}: a repeated key answered past the check"
        );

        // No such case: not found, as from `apply`.
        let err = store
            .apply_checked(
                &f.catalog,
                "C-9",
                submit,
                &cx(5, "u", *role),
                None,
                &bandar_lampung,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{name}: {err:?}");
        assert_eq!(store.verify().await.unwrap(), Ok(4), "{name}");
    }
}
