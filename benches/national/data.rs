//! The national data: built once into a folder and kept, and the questions
//! the bench asks it (which state, which year, which cases to move).
//!
//! Growing is plain SQL on the SQLite file the demo made, in chunks of
//! `CHUNK` rows per transaction. Rows are copied column by column from the
//! demo's own (read from `pragma_table_info`, so a column added later is
//! copied too), changing only what must differ: ids, keys, region, program
//! and beneficiary.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement, Value};

use crate::common::pantau;

/// The province whose manager the bench signs in as: Jawa Timur, the most
/// kabupaten/kota (38).
pub const PROVINCE: &str = "35";
/// Its manager, added with `pantau user add`.
pub const MANAGER: &str = "pengelola.35";
/// The demo's size the copies are made from.
const DEMO_SCALE: &str = "0.02";
/// Rows per transaction while growing.
const CHUNK: usize = 100_000;
/// Written last: the folder is complete.
const MARKER: &str = "complete";

/// How much to make.
#[derive(Debug)]
pub struct Sizes {
    pub cases: usize,
    pub cooperatives: usize,
    pub umkm: usize,
}

impl Sizes {
    /// The kept folder's name: the cases, and the beneficiaries when they
    /// are not the defaults.
    pub fn folder(&self) -> String {
        if self.cooperatives == self.cases * 13 / 100 && self.umkm == self.cases {
            self.cases.to_string()
        } else {
            format!("{}-{}-{}", self.cases, self.cooperatives, self.umkm)
        }
    }
}

/// How the data came to be.
#[derive(Debug)]
pub struct Built {
    /// Seconds it took to build, when it was built.
    pub seconds: f64,
    /// Whether this run built it.
    pub fresh: bool,
    /// Bytes in the folder.
    pub bytes: u64,
}

impl Built {
    pub fn describe(&self) -> String {
        format!(
            "data {} in {:.0} s{}, {:.1} GB on disk",
            if self.fresh { "built" } else { "kept, built" },
            self.seconds,
            if self.fresh { "" } else { " earlier" },
            self.bytes as f64 / 1e9
        )
    }
}

/// The data in `dir`: kept from an earlier run when its marker is there,
/// else built now (whatever an unfinished build left is removed first).
pub fn ensure(dir: &Path, sizes: &Sizes) -> Built {
    let marker = dir.join(MARKER);
    if let Ok(text) = std::fs::read_to_string(&marker) {
        eprintln!("bench national: data kept in {}", dir.display());
        return Built {
            seconds: text.trim().parse().unwrap_or(f64::NAN),
            fresh: false,
            bytes: size(dir),
        };
    }
    if dir.exists() && std::fs::read_dir(dir).unwrap().next().is_some() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
    let started = Instant::now();
    run(pantau(dir).args(["demo", "--scale", DEMO_SCALE]));
    run(pantau(dir)
        .args(["user", "add", MANAGER, "--name", "Pengelola Jawa Timur"])
        .args([
            "--email",
            "pengelola.35@example.go.id",
            "--role",
            "manager_province",
        ])
        .args(["--region", PROVINCE])
        .env("PANTAU_PASSWORD", crate::PASSWORD));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = connect(dir).await;
        grow(&db, sizes).await;
    });
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("bench national: data built in {seconds:.0} s");
    std::fs::write(&marker, format!("{seconds:.1}\n")).unwrap();
    Built {
        seconds,
        fresh: true,
        bytes: size(dir),
    }
}

/// A copy of the kept data in `kept`'s sibling folder `…-run`, made afresh
/// for every run: a run's transitions move cases, and the next run would
/// find fewer left to move. Whatever the last run left there is removed.
pub fn working_copy(kept: &Path) -> PathBuf {
    let mut name = kept.file_name().unwrap().to_os_string();
    name.push("-run");
    let run = kept.with_file_name(name);
    if run.exists() {
        std::fs::remove_dir_all(&run).unwrap();
    }
    let started = Instant::now();
    copy_dir(kept, &run);
    eprintln!(
        "bench national: data copied to {} in {:.0} s",
        run.display(),
        started.elapsed().as_secs_f64()
    );
    run
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&source, &target);
        } else {
            std::fs::copy(&source, &target).unwrap();
        }
    }
}

fn run(cmd: &mut std::process::Command) {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Bytes of the files in `dir`.
fn size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// One connection to the folder's SQLite file.
pub async fn connect(dir: &Path) -> DatabaseConnection {
    let url = format!("sqlite://{}?mode=rw", dir.join("pantau.db").display());
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    Database::connect(opts).await.unwrap()
}

async fn exec(db: &DatabaseConnection, sql: &str) -> u64 {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
        .rows_affected()
}

async fn rows(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> Vec<sea_orm::QueryResult> {
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}: {sql}"))
}

/// `INSERT INTO table (every column) SELECT …` from rows `t` of the same
/// table in `from`: each column `t.col` unless `set` gives its expression.
/// `with` goes first: a `WITH` clause `from` reads, or nothing.
async fn copy(
    db: &DatabaseConnection,
    with: &str,
    table: &str,
    set: &[(&str, &str)],
    from: &str,
) -> u64 {
    let cols: Vec<String> = rows(
        db,
        &format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        vec![],
    )
    .await
    .iter()
    .map(|r| r.try_get_by_index::<String>(0).unwrap())
    .collect();
    let exprs: Vec<String> = cols
        .iter()
        .map(|c| {
            set.iter()
                .find(|(name, _)| name == c)
                .map_or_else(|| format!("t.\"{c}\""), |(_, e)| e.to_string())
        })
        .collect();
    let quoted: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
    exec(
        db,
        &format!(
            "{with} INSERT INTO {table} ({}) SELECT {} {from}",
            quoted.join(", "),
            exprs.join(", ")
        ),
    )
    .await
}

/// The numbers `lo` to `hi` (excluded) as the recursive CTE `s(k)`. A
/// query joins it first with `CROSS JOIN`, which SQLite never reorders:
/// else it may loop over the templates outside and the series inside.
fn series(lo: usize, hi: usize) -> String {
    format!(
        "WITH RECURSIVE s(k) AS (SELECT {lo} UNION ALL SELECT k + 1 FROM s WHERE k < {})",
        hi - 1
    )
}

/// A beneficiary's id, UUID-shaped: kind number `kn`, serial `k` (SQL).
fn beneficiary_id(kn: &str, k: &str) -> String {
    format!("printf('b%07x-0000-5000-8000-%012x', {kn}, {k})")
}

/// From the demo's data to the national size; see the bench's doc.
async fn grow(db: &DatabaseConnection, sizes: &Sizes) {
    for pragma in [
        "synchronous = OFF",
        "cache_size = -262144",
        "temp_store = MEMORY",
    ] {
        exec(db, &format!("PRAGMA {pragma}")).await;
    }
    let t = Instant::now();
    let say = |what: String| {
        eprintln!(
            "bench national: {:>6.0} s  {what}",
            t.elapsed().as_secs_f64()
        )
    };
    // The kabupaten/kota, numbered.
    exec(
        db,
        "CREATE TEMP TABLE kab (i INTEGER PRIMARY KEY, code TEXT, province TEXT); \
         INSERT INTO kab SELECT ROW_NUMBER() OVER (ORDER BY code) - 1, code, province_code \
         FROM regions WHERE level IN ('regency', 'city')",
    )
    .await;
    let kabs = count(db, "SELECT COUNT(*) FROM kab").await;

    // Beneficiaries: each kind's demo records numbered as templates; the
    // new ones spread round the kabupaten/kota (serial k lies in kab k % kabs).
    exec(
        db,
        "CREATE TEMP TABLE tb AS SELECT ROW_NUMBER() OVER (PARTITION BY kind ORDER BY id) - 1 AS i, id, kind \
         FROM beneficiaries WHERE merged_into IS NULL; CREATE INDEX temp.tb_kind ON tb (kind, i); \
         CREATE TEMP TABLE kinds (kind TEXT PRIMARY KEY, kn INTEGER, templates INTEGER, per_kab INTEGER)",
    )
    .await;
    let kinds = rows(
        db,
        "SELECT kind, COUNT(*) FROM tb GROUP BY kind ORDER BY kind",
        vec![],
    )
    .await;
    for (kn, row) in kinds.iter().enumerate() {
        let kind: String = row.try_get_by_index(0).unwrap();
        let templates: i64 = row.try_get_by_index(1).unwrap();
        // Street vendors and new entrepreneurs are micro businesses too: a
        // twentieth of the UMKM each.
        let wanted = match kind.as_str() {
            "cooperative" => sizes.cooperatives,
            "umkm" => sizes.umkm - 2 * (sizes.umkm / 20),
            _ => sizes.umkm / 20,
        };
        let new = wanted.saturating_sub(templates as usize);
        // At least one in every kabupaten/kota, whole rounds of them.
        let per_kab = if new == 0 {
            0
        } else {
            new.div_ceil(kabs as usize)
        };
        exec(
            db,
            &format!("INSERT INTO kinds VALUES ('{kind}', {kn}, {templates}, {per_kab})"),
        )
        .await;
        let total = per_kab * kabs as usize;
        for lo in (0..total).step_by(CHUNK) {
            let hi = (lo + CHUNK).min(total);
            let id = beneficiary_id(&kn.to_string(), "s.k");
            let serial = "printf('%08d', s.k)";
            // A number of the template's length, its last digits the serial.
            let number = |c: &str| {
                format!(
                    "CASE WHEN t.{c} IS NULL THEN NULL ELSE substr(t.{c}, 1, MAX(length(t.{c}) - 8, 0)) || {serial} END"
                )
            };
            let (nik_kop, nib, owner, nik) = (
                number("nik_koperasi"),
                number("nib"),
                number("owner_nik"),
                number("nik"),
            );
            let key = format!("t.kind || ':bench:' || {serial}");
            let name = format!("t.name || ' ' || (s.k / {templates} + 1)");
            let set = [
                ("id", id.as_str()),
                ("natural_key", key.as_str()),
                ("region_code", "r.code"),
                ("name", name.as_str()),
                ("nik_koperasi", nik_kop.as_str()),
                ("nib", nib.as_str()),
                ("owner_nik", owner.as_str()),
                ("nik", nik.as_str()),
                ("desa_code", "NULL"),
                ("merged_into", "NULL"),
            ];
            let from = format!(
                "FROM s CROSS JOIN tb ON tb.kind = '{kind}' AND tb.i = s.k % {templates} \
                 JOIN beneficiaries t ON t.id = tb.id JOIN kab r ON r.i = s.k % {kabs}"
            );
            exec(db, "BEGIN").await;
            copy(db, &series(lo, hi), "beneficiaries", &set, &from).await;
            exec(db, "COMMIT").await;
            say(format!("{hi} of {total} {kind} beneficiaries"));
        }
    }

    // Programs: each of the demo's in every other province too.
    exec(
        db,
        "CREATE TEMP TABLE home AS SELECT id, province_code FROM programs",
    )
    .await;
    copy(
        db,
        "",
        "programs",
        &[
            ("id", "t.id || '-' || q.code"),
            ("province_code", "q.code"),
            ("name", "t.name || ' (' || q.name || ')'"),
        ],
        "FROM programs t JOIN regions q ON q.level = 'province' AND q.code <> t.province_code",
    )
    .await;

    // Cases: copies of the demo's, template c % T in kab c % kabs (514 and
    // the demo's 222 cases share only the factor 2: each template lands in
    // half the kabupaten/kota, at any size), on
    // the province's copy of the template's program and a beneficiary of the
    // template's kind in that kab.
    exec(
        db,
        "CREATE TEMP TABLE tc AS SELECT ROW_NUMBER() OVER (ORDER BY c.id) - 1 AS i, c.id, c.program_id, \
         h.province_code AS home, b.kind FROM cases c LEFT JOIN home h ON h.id = c.program_id \
         LEFT JOIN beneficiaries b ON b.id = c.beneficiary_id; CREATE INDEX temp.tc_i ON tc (i); \
         CREATE TEMP TABLE cm (c INTEGER PRIMARY KEY, id TEXT, tid TEXT, region TEXT, program TEXT, beneficiary TEXT)",
    )
    .await;
    let templates = count(db, "SELECT COUNT(*) FROM tc").await;
    let n = sizes.cases.saturating_sub(templates as usize);
    let person = beneficiary_id(
        "k.kn",
        &format!("r.i + {kabs} * ((s.k / {kabs}) % k.per_kab)"),
    );
    for lo in (0..n).step_by(CHUNK) {
        let hi = (lo + CHUNK).min(n);
        exec(db, "BEGIN").await;
        exec(
            db,
            &format!(
                "{} INSERT INTO cm SELECT s.k, printf('c0000000-0000-4000-8000-%012x', s.k), t.id, r.code, \
                 CASE WHEN t.program_id IS NULL OR t.home = r.province THEN t.program_id \
                      ELSE t.program_id || '-' || r.province END, \
                 CASE WHEN k.per_kab > 0 THEN {person} END \
                 FROM s CROSS JOIN tc t ON t.i = s.k % {templates} JOIN kab r ON r.i = s.k % {kabs} \
                 LEFT JOIN kinds k ON k.kind = t.kind",
                series(lo, hi)
            ),
        )
        .await;
        let these = format!(
            "FROM cm CROSS JOIN {{}} t ON t.{{}} = cm.tid WHERE cm.c >= {lo} AND cm.c < {hi}"
        );
        let from = |table: &str, col: &str| these.replacen("{}", table, 1).replacen("{}", col, 1);
        copy(
            db,
            "",
            "cases",
            &[
                ("id", "cm.id"),
                ("region", "cm.region"),
                ("program_id", "cm.program"),
                (
                    "beneficiary_id",
                    "COALESCE(cm.beneficiary, t.beneficiary_id)",
                ),
                ("snapshot", "replace(t.snapshot, t.id, cm.id)"),
            ],
            &from("cases", "id"),
        )
        .await;
        copy(
            db,
            "",
            "events",
            &[
                ("case_id", "cm.id"),
                ("idem_key", "t.idem_key || '@' || cm.id"),
                ("body", "replace(t.body, t.case_id, cm.id)"),
            ],
            &from("events", "case_id"),
        )
        .await;
        for table in ["visits", "tranches"] {
            copy(
                db,
                "",
                table,
                &[("case_id", "cm.id")],
                &from(table, "case_id"),
            )
            .await;
        }
        copy(
            db,
            "",
            "reminders",
            &[("key", "t.key || '@' || cm.id"), ("case_id", "cm.id")],
            &from("reminders", "case_id"),
        )
        .await;
        exec(db, "COMMIT").await;
        say(format!(
            "{hi} of {n} cases with their events, visits, tranches, reminders"
        ));
    }

    // An allocation wherever a program has cases, covering what they approved.
    exec(
        db,
        "INSERT INTO allocations (program_id, region_code, amount, approved) \
         SELECT program_id, region, 2 * SUM(COALESCE(approved_amount, 0)) + 1000000000, \
         SUM(COALESCE(approved_amount, 0)) FROM cases WHERE program_id IS NOT NULL GROUP BY program_id, region \
         ON CONFLICT (program_id, region_code) DO UPDATE SET approved = excluded.approved, \
         amount = MAX(allocations.amount, excluded.amount)",
    )
    .await;
    exec(
        db,
        "UPDATE programs SET budget_ceiling = MAX(budget_ceiling, \
         COALESCE((SELECT SUM(amount) FROM allocations a WHERE a.program_id = programs.id), 0))",
    )
    .await;
    exec(db, "ANALYZE").await;
    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)").await;
    say("allocations, ANALYZE".into());
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    rows(db, sql, vec![]).await[0].try_get_by_index(0).unwrap()
}

/// A kind of case the manager may move: its workflow, version and state,
/// and a few of its cases to look at first.
#[derive(Debug)]
pub struct Group {
    pub workflow: String,
    pub version: i64,
    pub state: String,
    pub samples: Vec<String>,
}

/// `region IN province` in SQL, as the server's region rule says it.
const IN_PROVINCE: &str = "substr(region, 1, 3) = ? || '.'";

/// The state with the most cases in `province` (everywhere when `None`).
pub async fn busiest_state(db: &DatabaseConnection, province: Option<&str>) -> String {
    let (filter, values) = match province {
        Some(p) => (format!("WHERE {IN_PROVINCE}"), vec![p.into()]),
        None => (String::new(), vec![]),
    };
    let sql = format!(
        "SELECT state FROM cases {filter} GROUP BY state ORDER BY COUNT(*) DESC, state LIMIT 1"
    );
    let found = rows(db, &sql, values).await;
    found
        .first()
        .expect("cases in the province")
        .try_get_by_index(0)
        .unwrap()
}

/// The fiscal year of the programs with the most cases in `province`.
pub async fn busiest_year(db: &DatabaseConnection, province: &str) -> i64 {
    let sql = format!(
        "SELECT p.fiscal_year FROM cases JOIN programs p ON p.id = cases.program_id WHERE {IN_PROVINCE} \
         GROUP BY p.fiscal_year ORDER BY COUNT(*) DESC LIMIT 1"
    );
    let found = rows(db, &sql, vec![province.into()]).await;
    found
        .first()
        .expect("cases on programs in the province")
        .try_get_by_index(0)
        .unwrap()
}

/// The kinds of case in `province`, the most cases first, each with its
/// first and its last case.
pub async fn groups(db: &DatabaseConnection, province: &str) -> Vec<Group> {
    let sql = format!(
        "SELECT workflow, workflow_version, state, MIN(id), MAX(id) FROM cases WHERE {IN_PROVINCE} \
         GROUP BY workflow, workflow_version, state ORDER BY COUNT(*) DESC"
    );
    rows(db, &sql, vec![province.into()])
        .await
        .iter()
        .map(|r| Group {
            workflow: r.try_get_by_index(0).unwrap(),
            version: r.try_get_by_index(1).unwrap(),
            state: r.try_get_by_index(2).unwrap(),
            samples: vec![
                r.try_get_by_index(3).unwrap(),
                r.try_get_by_index(4).unwrap(),
            ],
        })
        .collect()
}

/// Up to `limit` cases of `group` in the bench's province.
pub async fn cases_in(db: &DatabaseConnection, group: &Group, limit: usize) -> Vec<String> {
    let sql = format!(
        "SELECT id FROM cases WHERE {IN_PROVINCE} AND workflow = ? AND workflow_version = ? AND state = ? \
         ORDER BY id LIMIT ?"
    );
    let values = vec![
        PROVINCE.into(),
        group.workflow.clone().into(),
        group.version.into(),
        group.state.clone().into(),
        (limit as i64).into(),
    ];
    rows(db, &sql, values)
        .await
        .iter()
        .map(|r| r.try_get_by_index(0).unwrap())
        .collect()
}
