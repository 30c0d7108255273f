//! Accounts managed from the pages, on both databases: the setup link
//! (only while nobody exists, once), password links (once, the newest
//! only, ending the sessions), users found within a scope, changes
//! recorded with who and when, one's sessions listed and ended.

use pantau_domain::access::Scope;
use pantau_domain::{RegionCode, Role};

use super::*;

fn user(login: &str, role: Role, region: Option<&str>) -> NewUser {
    NewUser {
        login: login.into(),
        name: format!("Nama {login}"),
        email: format!("{login}@dinas.example"),
        role,
        region: region.map(Into::into),
        lang: Lang::Id,
        digest: false,
        password_hash: Some("x".into()),
    }
}

#[tokio::test]
async fn the_setup_link_works_once_and_only_while_nobody_exists() {
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        assert_eq!(store.user_count().await.unwrap(), 0, "{name}");
        let first = store.setup_link(t0()).await.unwrap().unwrap();
        let second = store.setup_link(t0()).await.unwrap().unwrap();
        assert!(store.setup_link_live(&first, t0()).await.unwrap(), "{name}");
        assert!(
            !store.setup_link_live("nothing", t0()).await.unwrap(),
            "{name}"
        );
        let late = t0() + pantau_store::accounts::links::SETUP_LIFE;
        assert!(
            !store.setup_link_live(&first, late).await.unwrap(),
            "{name}: expired"
        );
        let admin = user("admin", Role::Admin, None);
        assert!(
            store.first_user(&first, &admin, t0()).await.unwrap(),
            "{name}"
        );
        // Used once; the other link too; no new one while a user exists.
        assert!(
            !store.setup_link_live(&first, t0()).await.unwrap(),
            "{name}"
        );
        assert!(
            !store.setup_link_live(&second, t0()).await.unwrap(),
            "{name}"
        );
        let other = user("admin2", Role::Admin, None);
        assert!(
            !store.first_user(&second, &other, t0()).await.unwrap(),
            "{name}"
        );
        assert!(store.user("admin2").await.unwrap().is_none(), "{name}");
        assert!(store.setup_link(t0()).await.unwrap().is_none(), "{name}");
        let changes = store.user_changes("admin").await.unwrap();
        assert_eq!(changes.len(), 1, "{name}");
        assert_eq!(
            (changes[0].what.as_str(), changes[0].actor.as_str()),
            ("setup", "admin")
        );
    }
}

#[tokio::test]
async fn a_password_link_works_once_the_newest_only_and_ends_the_sessions() {
    for (name, store, _t) in stores().await {
        let life = Lifetime {
            max: Duration::hours(12),
            idle: None,
        };
        let s = store
            .create_session("rina", SessionKind::Web, life, t0())
            .await
            .unwrap();
        let older = store.reset_link("rina", "admin", t0()).await.unwrap();
        let newer = store.reset_link("rina", "admin", t0()).await.unwrap();
        assert!(
            store.reset_link_user(&older, t0()).await.unwrap().is_none(),
            "{name}: voided"
        );
        let u = store.reset_link_user(&newer, t0()).await.unwrap().unwrap();
        assert_eq!(u.login, "rina", "{name}");
        let late = t0() + pantau_store::accounts::links::RESET_LIFE;
        assert!(
            store
                .use_reset_link(&newer, "h2", late)
                .await
                .unwrap()
                .is_none(),
            "{name}: expired"
        );
        let used = store.use_reset_link(&newer, "h2", t0()).await.unwrap();
        assert_eq!(used.as_deref(), Some("rina"), "{name}");
        assert_eq!(
            store.password_hash("rina").await.unwrap().as_deref(),
            Some("h2"),
            "{name}"
        );
        assert!(
            store
                .session(&s.token, SessionKind::Web, t0())
                .await
                .unwrap()
                .is_none(),
            "{name}: ended"
        );
        assert!(
            store
                .use_reset_link(&newer, "h3", t0())
                .await
                .unwrap()
                .is_none(),
            "{name}: once"
        );
        assert_eq!(
            store.password_hash("rina").await.unwrap().as_deref(),
            Some("h2"),
            "{name}"
        );
        // A switched-off user's link opens nothing.
        let link = store.reset_link("rina", "admin", t0()).await.unwrap();
        store
            .switch_user("rina", false, "admin", t0())
            .await
            .unwrap();
        assert!(
            store.reset_link_user(&link, t0()).await.unwrap().is_none(),
            "{name}"
        );
        assert!(
            store
                .use_reset_link(&link, "h4", t0())
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        let what: Vec<String> = store
            .user_changes("rina")
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.what)
            .collect();
        assert_eq!(
            what.iter().filter(|w| *w == "reset_link").count(),
            3,
            "{name}: {what:?}"
        );
        assert!(
            what.contains(&"password".to_string()) && what.contains(&"deactivated".to_string()),
            "{name}: {what:?}"
        );
    }
}

#[tokio::test]
async fn users_are_found_within_a_scope_and_each_change_is_recorded() {
    for (name, store, _t) in stores().await {
        for u in [
            user("admin", Role::Admin, None),
            user("sari.1871", Role::FieldOfficer, Some("18.71")),
            user("budi.1303", Role::Verifier, Some("13.03")),
        ] {
            assert!(
                store.add_user_by(&u, "admin", t0()).await.unwrap(),
                "{name}"
            );
        }
        assert!(
            !store
                .add_user_by(&user("rina", Role::Admin, None), "admin", t0())
                .await
                .unwrap(),
            "{name}: taken"
        );
        let lampung = Scope::Region(RegionCode::parse("18").unwrap());
        let logins = |p: pantau_store::read::browse::Page<pantau_store::model::User>| {
            p.items.into_iter().map(|u| u.login).collect::<Vec<_>>()
        };
        let p = store.user_page(&lampung, "", 1, 10).await.unwrap();
        assert_eq!(p.total, 2, "{name}");
        assert_eq!(
            logins(p),
            ["rina", "sari.1871"],
            "{name}: not the national admin, not 13"
        );
        let all = store.user_page(&Scope::National, "", 1, 2).await.unwrap();
        assert_eq!((all.total, all.items.len()), (4, 2), "{name}: paged");
        let found = store
            .user_page(&Scope::National, "SARI", 1, 10)
            .await
            .unwrap();
        assert_eq!(logins(found), ["sari.1871"], "{name}: by login, any case");
        let found = store
            .user_page(&Scope::National, "nama budi", 1, 10)
            .await
            .unwrap();
        assert_eq!(logins(found), ["budi.1303"], "{name}: by name");
        let found = store.user_page(&Scope::National, "%", 1, 10).await.unwrap();
        assert_eq!(found.total, 0, "{name}: % is a character");

        // A role and region changed: both recorded, from and to.
        assert!(
            store
                .change_user("sari.1871", Role::Verifier, Some("18"), "admin", t0())
                .await
                .unwrap()
        );
        let sari = store.user("sari.1871").await.unwrap().unwrap();
        assert_eq!(
            (sari.role.as_str(), sari.region_code.as_deref()),
            ("verifier", Some("18"))
        );
        let changes = store.user_changes("sari.1871").await.unwrap();
        let details: Vec<_> = changes
            .iter()
            .map(|c| (c.what.as_str(), c.detail.as_str(), c.actor.as_str()))
            .collect();
        assert!(
            details.contains(&("role", "field_officer → verifier", "admin")),
            "{name}: {details:?}"
        );
        assert!(
            details.contains(&("region", "18.71 → 18", "admin")),
            "{name}: {details:?}"
        );
        assert!(details.iter().any(|d| d.0 == "added"), "{name}");
        assert!(
            !store
                .change_user("nobody", Role::Verifier, Some("18"), "admin", t0())
                .await
                .unwrap()
        );

        // Sessions: listed live ones only, one ended by its owner only.
        let life = Lifetime {
            max: Duration::hours(12),
            idle: Some(Duration::hours(2)),
        };
        let a = store
            .create_session("rina", SessionKind::Web, life, t0())
            .await
            .unwrap();
        let b = store
            .create_session("rina", SessionKind::Api, life, t0())
            .await
            .unwrap();
        let listed = store.sessions_of("rina", t0()).await.unwrap();
        assert_eq!(listed.len(), 2, "{name}");
        assert!(
            store
                .sessions_of("rina", t0() + Duration::hours(13))
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
        let id = listed
            .iter()
            .find(|s| s.kind == "api")
            .unwrap()
            .token_hash
            .clone();
        assert!(
            !store.end_session_of("sari.1871", &id).await.unwrap(),
            "{name}: not theirs"
        );
        assert!(store.end_session_of("rina", &id).await.unwrap(), "{name}");
        assert!(
            store
                .session(&b.token, SessionKind::Api, t0())
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        assert!(
            store
                .session(&a.token, SessionKind::Web, t0())
                .await
                .unwrap()
                .is_some(),
            "{name}"
        );
        // Switched off: every session ends, and it is recorded.
        assert!(
            store
                .switch_user("rina", false, "admin", t0())
                .await
                .unwrap()
        );
        assert!(
            store
                .session(&a.token, SessionKind::Web, t0())
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        assert!(
            store
                .switch_user("rina", true, "admin", t0())
                .await
                .unwrap()
        );
        let what: Vec<_> = store
            .user_changes("rina")
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.what)
            .collect();
        assert!(
            what.contains(&"deactivated".into()) && what.contains(&"activated".into()),
            "{name}: {what:?}"
        );
    }
}
