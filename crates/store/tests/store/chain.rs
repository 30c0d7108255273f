//! The chain and the pinned definition: verify names the first altered
//! event; a changed definition needs a new version.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_names_the_first_altered_event() {
    let f = fixture();
    for (name, store, _dir) in backends().await {
        open(&store, &f, "C-1").await;
        open(&store, &f, "C-2").await;
        for (i, (role, c)) in bansos_path().into_iter().take(3).enumerate() {
            store
                .apply(&f.catalog, "C-2", &c, &cx(i as i64 + 1, "u", role), None)
                .await
                .unwrap();
        }
        assert_eq!(store.verify().await.unwrap(), Ok(5), "{name}");
        store
            .connection()
            .execute_unprepared("UPDATE events SET body = REPLACE(body, 'Rp 150.000.000', 'Rp 950.000.000') WHERE case_id = 'C-2' AND seq = 2")
            .await
            .unwrap();
        store.connection().execute_unprepared("UPDATE events SET body = REPLACE(body, '150000000', '950000000') WHERE case_id = 'C-2' AND seq = 2").await.unwrap();
        let broken = store.verify().await.unwrap().unwrap_err();
        assert_eq!(
            (broken.case_id.as_str(), broken.seq),
            ("C-2", 2),
            "{name}: {broken}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_definition_needs_a_new_version() {
    let f = fixture();
    for (name, store, _dir) in backends().await {
        open(&store, &f, "C-1").await;
        let def = f.catalog.latest("bansos").unwrap();
        let changed = format!("{}\n# edited\n", f.source("bansos"));
        let o = Opening {
            case_id: "C-2".into(),
            program_id: None,
            beneficiary_id: None,
            key: "open-C-2".into(),
            region: None,
            definition: def,
            source: &changed,
        };
        let err = store
            .open_case(&o, &cx(0, "rina", Role::ManagerRegency))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::DefinitionChanged { .. }),
            "{name}: {err:?}"
        );
    }
}
