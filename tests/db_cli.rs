//! `pantau db backup` and `pantau db restore` through the real binary: a
//! SQLite backup taken while `pantau serve` runs and cases are being
//! written restores into a new place and verifies; a restore is refused
//! while the server has the database open, and for a damaged, foreign or
//! altered backup, leaving the database as it was; a migration that
//! rebuilds a table backs the file up first; on PostgreSQL both commands
//! say which `pg_dump`/`pg_restore` command to run, and that command works.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/db.rs"]
mod db;
mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use sea_orm::{ConnectionTrait, Statement};
use support::repo;

fn cli(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pantau"));
    c.current_dir(repo())
        .env("PANTAU_DATABASE_URL", url)
        .env_remove("PANTAU_DATA_DIR")
        .env_remove("PANTAU_LOG")
        .stdin(Stdio::null());
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// Opens a case in Kota Bandar Lampung under key `key`.
fn create(url: &str, key: &str) -> Output {
    cli(url)
        .args(["case", "create", "bansos", "--region", "18.71"])
        .args(["--as", "manager_regency", "--user", "rina", "--key", key])
        .output()
        .unwrap()
}

/// The rows `sql` answers, every column as text.
async fn rows(url: &str, sql: &str) -> Vec<Vec<String>> {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap();
    db.close().await.ok();
    rows.iter()
        .map(|r| {
            (0..)
                .map_while(|i| {
                    r.try_get_by_index::<String>(i)
                        .or_else(|_| r.try_get_by_index::<i64>(i).map(|n| n.to_string()))
                        .ok()
                })
                .collect()
        })
        .collect()
}

async fn cases(url: &str) -> usize {
    rows(url, "SELECT COUNT(*) FROM cases").await[0][0]
        .parse()
        .unwrap()
}

/// `N cases, M events` from a command's report.
fn counts(out: &Output) -> (usize, usize) {
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    let (_, rest) = said.split_once(" (").unwrap_or_else(|| panic!("{said}"));
    let mut words = rest.split([' ', ',']).filter(|w| !w.is_empty());
    let n = words.next().unwrap().parse().unwrap();
    assert_eq!(words.next(), Some("cases"), "{said}");
    let m = words.next().unwrap().parse().unwrap();
    assert_eq!(words.next(), Some("events"), "{said}");
    (n, m)
}

/// `pantau serve` on `url`, once it listens.
fn serve(url: &str) -> Child {
    let mut server = cli(url)
        .args(["serve", "--bind", "127.0.0.1:0", "--no-reminders"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("http://"), "serve did not start: {line}");
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serve_writes_restores_into_a_new_place_and_verifies() {
    let (dir, url) = db::fresh_sqlite();
    for i in 0..3 {
        let out = create(&url, &format!("awal-{i}"));
        assert!(out.status.success(), "{}", text(&out));
    }
    let mut server = serve(&url);
    // Cases keep being opened while the backup is taken.
    let (stop, made) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let writer = {
        let (url, stop, made) = (url.clone(), stop.clone(), made.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let n = made.load(Ordering::SeqCst);
                let out = create(&url, &format!("selama-{n}"));
                assert!(out.status.success(), "{}", text(&out));
                made.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let wait_for = |n: usize| {
        while made.load(Ordering::SeqCst) < n {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    wait_for(2);
    let before = 3 + made.load(Ordering::SeqCst);
    let kept = tempfile::tempdir().unwrap();
    let backup = kept.path().join("pantau-kopi.db");
    let out = cli(&url)
        .args(["db", "backup"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("every chain intact"), "{}", text(&out));
    let (n, m) = counts(&out);
    wait_for(made.load(Ordering::SeqCst) + 2);
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    let after = cases(&url).await;
    assert!(
        before <= n && n <= after && n == m,
        "{before} ≤ {n} ≤ {after}, one event each: {m}"
    );

    // While the server has the database open, a restore is refused and changes nothing.
    let out = cli(&url)
        .args(["db", "restore"])
        .arg(&backup)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("sedang dibuka proses Pantau lain")
            && text(&out).contains("stop it first; nothing changed"),
        "{}",
        text(&out)
    );
    assert_eq!(cases(&url).await, after);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring") || n.contains("replaced"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // Into a new place: the same cases, the same chains, verified.
    let elsewhere = tempfile::tempdir().unwrap();
    let new_url = sqlite_url(&elsewhere.path().join("baru").join("pantau.db"));
    let out = cli(&new_url)
        .args(["db", "restore"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(counts(&out), (n, m), "{}", text(&out));
    let out = cli(&new_url).args(["audit", "verify"]).output().unwrap();
    assert!(
        out.status.success() && text(&out).contains(&format!("ok: {m} events verified")),
        "{}",
        text(&out)
    );
    assert_eq!(cases(&new_url).await, n);
    let chains = "SELECT case_id, seq, hash FROM events ORDER BY case_id, seq";
    let restored = rows(&new_url, chains).await;
    let live = rows(&url, chains).await;
    assert!(restored.iter().all(|r| live.contains(r)), "{restored:?}");

    // With the server stopped, over the live database: the replaced one is kept.
    server.kill().unwrap();
    server.wait().unwrap();
    let out = cli(&url)
        .args(["db", "restore"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let replaced = PathBuf::from(
        String::from_utf8_lossy(&out.stdout)
            .split("kept as ")
            .nth(1)
            .and_then(|r| r.split(" (").next())
            .unwrap_or_else(|| panic!("{}", text(&out))),
    );
    assert_eq!(cases(&url).await, n);
    assert_eq!(cases(&sqlite_url(&replaced)).await, after);
    let out = cli(&url).args(["audit", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // And the server starts on it again.
    let mut server = serve(&url);
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_foreign_or_altered_backup_is_refused_and_nothing_changes() {
    let (dir, url) = db::fresh_sqlite();
    for i in 0..2 {
        assert!(create(&url, &format!("k-{i}")).status.success());
    }
    let backup = dir.path().join("kopi.db");
    assert!(
        cli(&url)
            .args(["db", "backup"])
            .arg(&backup)
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(create(&url, "k-2").status.success());
    let bytes = std::fs::read(&backup).unwrap();
    let cut = dir.path().join("terpotong.db");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let notes = dir.path().join("catatan.db");
    std::fs::write(&notes, "bukan basis data\n".repeat(100)).unwrap();
    let foreign = dir.path().join("lain.db");
    let other = sea_orm::Database::connect(sqlite_url(&foreign))
        .await
        .unwrap();
    other
        .execute_unprepared("CREATE TABLE catatan (isi TEXT)")
        .await
        .unwrap();
    other.close().await.unwrap();
    let altered = dir.path().join("diubah.db");
    std::fs::copy(&backup, &altered).unwrap();
    let edit = sea_orm::Database::connect(sqlite_url(&altered))
        .await
        .unwrap();
    edit.execute_unprepared("UPDATE events SET body = REPLACE(body, 'rina', 'rino') WHERE seq = 1")
        .await
        .unwrap();
    edit.close().await.unwrap();
    for (file, code, said) in [
        (&cut, 1, "not a sound copy of a database; nothing changed"),
        (&notes, 1, "not a sound copy of a database; nothing changed"),
        (&foreign, 1, "not a Pantau database"),
        (
            &altered,
            1,
            "a hash chain in the backup is broken; nothing changed): case ",
        ),
        (
            &dir.path().join("pantau.db"),
            1,
            "that is the database itself",
        ),
        (
            &dir.path().join("tidak-ada.db"),
            2,
            "no such file or folder",
        ),
    ] {
        let out = cli(&url)
            .args(["db", "restore"])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{file:?}: {}", text(&out));
        assert!(text(&out).contains(said), "{file:?}: {}", text(&out));
        assert!(!text(&out).contains("panicked"), "{}", text(&out));
        assert_eq!(cases(&url).await, 3, "{file:?}");
    }
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring") || n.contains("replaced") || n.contains("partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let out = cli(&url).args(["audit", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_that_rebuilds_a_table_backs_the_database_up_first() {
    use pantau_store::schema::migration::{Migrator, REBUILDS_TABLE};
    use sea_orm_migration::MigratorTrait;

    let rebuild = "m20261205_000008_beneficiary_key";
    assert!(REBUILDS_TABLE.contains(&rebuild));
    let (dir, url) = db::fresh_sqlite();
    // A database of an earlier Pantau, the migrations before the rebuild applied, with a beneficiary.
    let before: u32 = Migrator::migrations()
        .iter()
        .position(|m| m.name() == rebuild)
        .unwrap()
        .try_into()
        .unwrap();
    let old = sea_orm::Database::connect(url.as_str()).await.unwrap();
    Migrator::up(&old, Some(before)).await.unwrap();
    for sql in [
        "INSERT INTO regions (code, name, level, province_code, zone) VALUES ('18', 'Lampung', 'province', '18', 'WIB')",
        "INSERT INTO regions (code, name, level, province_code, zone) VALUES ('18.71', 'Kota Bandar Lampung', 'city', '18', 'WIB')",
        "INSERT INTO beneficiaries (id, kind, natural_key, region_code, name, created_at) \
         VALUES ('b-1', 'umkm', 'umkm:1871000000001', '18.71', 'Warung Bu Sri', '2026-03-01T00:00:00Z')",
    ] {
        old.execute_unprepared(sql).await.unwrap();
    }
    old.close().await.unwrap();

    let out = cli(&url).args(["db", "migrate"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let bak = dir.path().join(format!("pantau.db.before-{rebuild}.bak"));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "migration {rebuild} rebuilds a table: the database was backed up first to {}",
            bak.display()
        )),
        "{}",
        text(&out)
    );
    // The backup is the database as it was: the old table, its row, the migrations before.
    let bak_url = sqlite_url(&bak);
    let schema = "SELECT sql FROM sqlite_master WHERE name = 'beneficiaries'";
    assert!(rows(&bak_url, schema).await[0][0].contains("UNIQUE"));
    assert_eq!(
        rows(&bak_url, "SELECT name FROM beneficiaries").await,
        [["Warung Bu Sri"]]
    );
    assert_eq!(
        rows(&bak_url, "SELECT COUNT(*) FROM seaql_migrations").await[0][0],
        before.to_string()
    );
    assert!(!rows(&url, schema).await[0][0].contains("UNIQUE"));
    assert_eq!(
        rows(&url, "SELECT name FROM beneficiaries").await,
        [["Warung Bu Sri"]]
    );

    // Nothing pending: no second backup, nothing said.
    let out = cli(&url).args(["db", "migrate"]).output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        text(&out)
    );
    // A new database has nothing to keep.
    let (fresh, fresh_url) = db::fresh_sqlite();
    let out = cli(&fresh_url).args(["db", "migrate"]).output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        text(&out)
    );
    let files: Vec<String> = std::fs::read_dir(fresh.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".bak"))
        .collect();
    assert!(files.is_empty(), "{files:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_the_commands_name_pg_dump_and_pg_restore_which_work() {
    for t in db::test_databases().await {
        if t.name != "postgres" {
            continue;
        }
        for i in 0..3 {
            assert!(create(&t.url, &format!("pg-{i}")).status.success());
        }
        let dir = tempfile::tempdir().unwrap();
        let dump = dir.path().join("pantau.dump");
        let out = cli(&t.url)
            .args(["db", "backup"])
            .arg(&dump)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let said = String::from_utf8_lossy(&out.stderr).to_string();
        let (head, command) = said
            .trim()
            .split_once("; run: ")
            .unwrap_or_else(|| panic!("{said}"));
        assert!(head.contains("pg_dump"), "{said}");
        let (user, password) = password_of(&t.url);
        let bare = t.url.replacen(&format!(":{password}@"), "@", 1);
        assert_eq!(
            command,
            format!(
                "pg_dump --format=custom --enable-row-security --file={} --dbname={bare}",
                dump.display()
            )
        );
        assert!(!dump.exists(), "nothing written by pantau");

        // The command as printed, with the password where pg_dump looks for it.
        let target = db::fresh_postgres().await.unwrap();
        let restore = cli(&target)
            .args(["db", "restore"])
            .arg(&dump)
            .output()
            .unwrap();
        assert_eq!(restore.status.code(), Some(2), "{}", text(&restore));
        let said = String::from_utf8_lossy(&restore.stderr).to_string();
        let restore_cmd = said
            .lines()
            .next()
            .and_then(|l| l.split_once("; run: "))
            .map(|(_, c)| c.to_string())
            .unwrap_or_else(|| panic!("{said}"));
        assert!(restore_cmd.starts_with("pg_restore "), "{said}");
        assert!(said.contains("stop every pantau serve"), "{said}");
        if support::which("pg_dump").is_none() || support::which("pg_restore").is_none() {
            support::skip("pg_dump and pg_restore (Debian postgresql-client)");
            continue;
        }
        for c in [command, restore_cmd.as_str()] {
            let out = Command::new("sh")
                .args(["-c", c])
                .env("PGPASSWORD", password)
                .output()
                .unwrap();
            assert!(out.status.success(), "{user}: {c}: {}", text(&out));
        }
        let out = cli(&target).args(["audit", "verify"]).output().unwrap();
        assert!(
            out.status.success() && text(&out).contains("ok: 3 events verified"),
            "{}",
            text(&out)
        );
        assert_eq!(cases(&target).await, 3);
    }
}

/// The user and password of `postgres://user:password@host/db`.
fn password_of(url: &str) -> (&str, &str) {
    let creds = url.split_once("://").unwrap().1.rsplit_once('@').unwrap().0;
    creds.split_once(':').unwrap_or((creds, ""))
}
