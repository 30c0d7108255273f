//! Programs, allocations and workflows in a real headless Chromium, on
//! SQLite and PostgreSQL: the administrator adds a program with two
//! allocations and reads approved, disbursed and remaining beside each; an
//! allocation lowered below what is approved is refused by field with
//! nothing lost; a province's manager changes an allocation of their
//! province and not another's (through the page or a hand-made POST); the
//! workflows page draws each definition as an SVG of its states and checks
//! an uploaded broken file without installing it. With
//! `PANTAU_SHOTS=DIR` each page is also saved as a PNG at 390 and
//! 1280 px.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use fantoccini::{Client, Locator};
use pantau_domain::Rupiah;
use serde_json::json;
use support::Running;
use support::browser::{browser, click, shot, sign_in, type_in, wait_until};

const LAMPUNG: &str = "bansos-kud-2026-lampung";
const SUMBAR: &str = "pkl-2014-sumbar";

fn rp(n: i64) -> String {
    Rupiah::new(n).unwrap().to_string()
}

async fn choose(c: &Client, css: &str, value: &str) {
    let done = c
        .execute(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1]; return s.value;",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
    assert_eq!(done, json!(value), "{css} offers {value}");
}

/// The text of the allocation table's cell `col` in the row of `region`.
async fn cell(c: &Client, region: &str, col: &str) -> String {
    let v = c
        .execute(
            "const td = document.querySelector(`tr[data-region='${arguments[0]}'] td[data-col='${arguments[1]}']`); return td ? td.textContent.trim() : null;",
            vec![json!(region), json!(col)],
        )
        .await
        .unwrap();
    v.as_str()
        .unwrap_or_else(|| panic!("no {col} for {region}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn programs_allocations_and_workflows_in_a_real_browser() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        eprintln!("{}: in the browser", app.name);
        admin_adds_a_program(&c, &app).await;
        nothing_below_approved(&c, &app).await;
        province_manager(&c, &app).await;
        workflows(&c, &app).await;
    }
    c.close().await.unwrap();
}

async fn admin_adds_a_program(c: &Client, app: &Running) {
    let name = app.name;
    sign_in(c, app, "admin").await;
    c.goto(&app.url("/admin/program")).await.unwrap();
    shot(c, "program-daftar").await;
    // A bad ceiling and id: refused by field, what was typed kept.
    type_in(c, "#p-id", "Uji Bansos").await;
    type_in(c, "#p-name", "Bansos Uji Peramban 2027").await;
    type_in(c, "#p-year", "2027").await;
    type_in(c, "#p-ceiling", "dua milyar").await;
    choose(c, "#p-workflow", "bansos@2").await;
    choose(c, "#p-province", "18").await;
    click(c, "#program-baru button.primary").await;
    let page = wait_until(c, |_, src| src.contains("has-error")).await;
    assert!(page.contains("Kode program 3–64"), "{name}: the id named");
    assert!(
        page.contains("Tulis jumlah rupiah"),
        "{name}: the ceiling named"
    );
    assert!(
        page.contains("value=\"dua milyar\""),
        "{name}: kept as typed"
    );
    assert!(
        page.contains("value=\"Bansos Uji Peramban 2027\""),
        "{name}"
    );
    assert!(
        app.store
            .program("uji-bansos-2027")
            .await
            .unwrap()
            .is_none()
    );
    shot(c, "program-daftar-salah").await;

    type_in(c, "#p-id", "uji-bansos-2027").await;
    type_in(c, "#p-ceiling", "Rp 2.000.000.000").await;
    click(c, "#program-baru button.primary").await;
    wait_until(c, |url, _| url.contains("/admin/program/uji-bansos-2027")).await;
    let p = app.store.program("uji-bansos-2027").await.unwrap().unwrap();
    assert_eq!(p.budget_ceiling, 2_000_000_000, "{name}");
    assert_eq!((p.workflow.as_str(), p.workflow_version), ("bansos", 2));

    // Two allocations, typed as offices type them.
    for (region, amount) in [("18.71", "Rp 500.000.000"), ("18.01", "750000000")] {
        choose(c, "#n-region", region).await;
        type_in(c, "#n-amount", amount).await;
        click(c, "#alokasi-baru button.primary").await;
        wait_until(c, |_, src| {
            src.contains(&format!("data-region=\"{region}\""))
        })
        .await;
    }
    for (region, amount) in [("18.71", 500_000_000), ("18.01", 750_000_000)] {
        assert_eq!(cell(c, region, "approved").await, "Rp 0", "{name}");
        assert_eq!(cell(c, region, "disbursed").await, "Rp 0", "{name}");
        assert_eq!(cell(c, region, "remaining").await, rp(amount), "{name}");
    }
    let page = c.source().await.unwrap();
    assert!(
        page.contains(&rp(1_250_000_000)),
        "{name}: allocated in total"
    );
    assert!(page.contains(&rp(750_000_000)), "{name}");
    let changes = app.store.program_changes("uji-bansos-2027").await.unwrap();
    assert_eq!(changes.len(), 3, "{name}: created and two allocations");
    assert!(changes.iter().all(|ch| ch.changed_by == "admin"), "{name}");
    assert!(page.contains("Riwayat perubahan") && page.contains("Program dibuat"));
    shot(c, "program").await;

    // Above the ceiling: refused, named.
    choose(c, "#n-region", "18.02").await;
    type_in(c, "#n-amount", "Rp 900.000.000").await;
    click(c, "#alokasi-baru button.primary").await;
    let page = wait_until(c, |_, src| src.contains("has-error")).await;
    assert!(page.contains("melebihi pagu"), "{name}");
    assert!(page.contains("value=\"Rp 900.000.000\""), "{name}: kept");
}

async fn nothing_below_approved(c: &Client, app: &Running) {
    let name = app.name;
    let uses = app.store.allocation_use(LAMPUNG).await.unwrap();
    let u = uses
        .iter()
        .find(|u| u.approved > 0 && u.disbursed > 0)
        .expect("the demo approved and disbursed bansos money somewhere");
    let region = u.region_code.clone();
    c.goto(&app.url(&format!("/admin/program/{LAMPUNG}")))
        .await
        .unwrap();
    assert_eq!(cell(c, &region, "approved").await, rp(u.approved), "{name}");
    assert_eq!(
        cell(c, &region, "disbursed").await,
        rp(u.disbursed),
        "{name}"
    );
    assert_eq!(
        cell(c, &region, "remaining").await,
        rp(u.allocation - u.approved),
        "{name}"
    );
    let typed = rp(u.approved - 1);
    let input = format!("form[data-region='{region}'] input[name=amount]");
    type_in(c, &input, &typed).await;
    click(c, &format!("form[data-region='{region}'] button")).await;
    let page = wait_until(c, |_, src| src.contains("aria-invalid")).await;
    assert!(
        page.contains(&format!(
            "Alokasi tidak dapat lebih kecil dari yang sudah disetujui, {}.",
            rp(u.approved)
        )),
        "{name}: refused, naming the amount approved"
    );
    let kept = c
        .find(Locator::Css(&input))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some(typed.as_str()),
        "{name}: kept as typed"
    );
    let after = app.store.allocation_use(LAMPUNG).await.unwrap();
    assert_eq!(after, uses, "{name}: nothing changed");
    shot(c, "program-di-bawah-disetujui").await;
}

async fn province_manager(c: &Client, app: &Running) {
    let name = app.name;
    c.goto(&app.url("/")).await.unwrap();
    c.execute(
        "document.querySelector('form[action=\"/keluar\"]').submit()",
        vec![],
    )
    .await
    .unwrap();
    wait_until(c, |url, _| url.contains("/masuk")).await;
    sign_in(c, app, "pengelola.18").await;
    let nav = c.source().await.unwrap();
    assert!(
        nav.contains("href=\"/admin/program\""),
        "{name}: in the menu"
    );
    assert!(
        !nav.contains("href=\"/admin/alur\""),
        "{name}: workflows are the admin's"
    );
    c.goto(&app.url(&format!("/admin/program/{LAMPUNG}")))
        .await
        .unwrap();
    // Lowered, so it stays within the ceiling.
    let u = app
        .store
        .allocation_use(LAMPUNG)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.allocation - u.approved >= 1_000_000)
        .expect("an allocation with room left");
    let raised = u.allocation - 1_000_000;
    let input = format!("form[data-region='{}'] input[name=amount]", u.region_code);
    type_in(c, &input, &rp(raised)).await;
    click(c, &format!("form[data-region='{}'] button", u.region_code)).await;
    wait_until(c, |url, _| url.contains("disimpan=1")).await;
    let now = app
        .store
        .allocation_use(LAMPUNG)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.region_code == u.region_code)
        .unwrap();
    assert_eq!(
        now.allocation, raised,
        "{name}: the province's manager allocates"
    );
    let last = &app.store.program_changes(LAMPUNG).await.unwrap()[0];
    assert_eq!(last.changed_by, "pengelola.18", "{name}");
    assert_eq!(last.old_value, Some(u.allocation.to_string()), "{name}");
    assert!(
        c.source().await.unwrap().contains("pengelola.18"),
        "{name}: in the history"
    );
    assert!(
        !c.source().await.unwrap().contains("id=\"ubah-program\""),
        "{name}: the program itself is the admin's"
    );
    // Sumatera Barat's program is not theirs: not found, through the page and a hand-made POST.
    c.goto(&app.url(&format!("/admin/program/{SUMBAR}")))
        .await
        .unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("404"), "{name}: another province's program");
    let before = app.store.allocation_use(SUMBAR).await.unwrap();
    let region = before[0].region_code.clone();
    for (program, region) in [(SUMBAR, region.as_str()), (LAMPUNG, "13.03")] {
        let status = c
            .execute_async(
                r#"const [program, region, done] = arguments;
                   const csrf = document.querySelector('input[name=_csrf]').value;
                   fetch(`/admin/program/${program}/alokasi`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, region, amount: '1' }) })
                     .then(r => done(r.status));"#,
                vec![json!(program), json!(region)],
            )
            .await
            .unwrap();
        assert_eq!(status, json!(404), "{name}: {program} {region} by hand");
    }
    assert_eq!(
        app.store.allocation_use(SUMBAR).await.unwrap(),
        before,
        "{name}"
    );
    assert!(
        !app.store
            .allocation_use(LAMPUNG)
            .await
            .unwrap()
            .iter()
            .any(|u| u.region_code == "13.03"),
        "{name}"
    );
    c.goto(&app.url("/")).await.unwrap();
    c.execute(
        "document.querySelector('form[action=\"/keluar\"]').submit()",
        vec![],
    )
    .await
    .unwrap();
    wait_until(c, |url, _| url.contains("/masuk")).await;
}

async fn workflows(c: &Client, app: &Running) {
    let name = app.name;
    sign_in(c, app, "admin").await;
    // In English, no Indonesian; then back.
    for (path, english, indonesian) in [
        (
            "/admin/alur?lang=en",
            "Check a workflow file",
            "Periksa berkas",
        ),
        (
            "/admin/program/bansos-kud-2026-lampung?lang=en",
            "Allocations per regency/city",
            "Alokasi per",
        ),
    ] {
        c.goto(&app.url(path)).await.unwrap();
        let page = c.source().await.unwrap();
        assert!(
            page.contains(english) && !page.contains(indonesian),
            "{name}: {path}"
        );
    }
    c.goto(&app.url("/admin/alur?lang=id")).await.unwrap();
    let def = app.app.catalog.latest("bansos").unwrap().clone();
    let drawn = c
        .execute(
            r#"const svg = document.querySelector(`#${arguments[0]} svg`);
               return svg && Array.from(svg.querySelectorAll('g.state')).map(g => [g.dataset.state, Array.from(g.querySelectorAll('text')).map(t => t.textContent).join(' ')]);"#,
            vec![json!(format!("bansos-v{}", def.version))],
        )
        .await
        .unwrap();
    let want: Vec<serde_json::Value> = def
        .states
        .iter()
        .map(|s| json!([s.id, s.label.get(pantau_domain::Lang::Id)]))
        .collect();
    assert_eq!(
        drawn,
        json!(want),
        "{name}: the graph's states are the definition's"
    );
    let shown = c.source().await.unwrap();
    assert!(
        shown.contains(LAMPUNG) || shown.contains("Bansos"),
        "{name}: its programs"
    );
    shot(c, "alur").await;

    // A broken file: findings by line, nothing installed.
    let before: Vec<(String, u32)> = app
        .app
        .catalog
        .iter()
        .map(|d| (d.id.clone(), d.version))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bansos-rusak.toml");
    let broken =
        std::fs::read_to_string(support::catalog::repo_root().join("workflows/bansos.toml"))
            .unwrap()
            .replace("version = 2", "version = 9")
            .replacen("initial = \"draft\"", "initial = \"drafff\"", 1)
            .replacen(
                "[[states]]\nid = \"submitted\"",
                "[[states]\nid = \"submitted\"",
                1,
            );
    std::fs::write(&file, &broken).unwrap();
    c.find(Locator::Css("#alur-file"))
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    click(c, "#periksa-alur button.primary").await;
    let page = wait_until(c, |_, src| src.contains("hasil-periksa")).await;
    let findings: Vec<&str> = page
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split("</code>").next().unwrap())
        .collect();
    assert!(findings.len() >= 2, "{name}: {findings:?}");
    for f in &findings {
        let mut parts = f.splitn(4, ':');
        assert_eq!(parts.next(), Some("bansos-rusak.toml"), "{name}: {f}");
        let line: usize = parts.next().unwrap().parse().unwrap();
        let _col: usize = parts.next().unwrap().parse().unwrap();
        assert!(line >= 1, "{name}: {f}");
    }
    let broken_line = broken.lines().position(|l| l == "[[states]").unwrap() + 1;
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with(&format!("bansos-rusak.toml:{broken_line}:"))),
        "{name}: the broken line {broken_line} is named: {findings:?}"
    );
    assert!(page.contains("Tidak ada yang dipasang"), "{name}");
    let after: Vec<(String, u32)> = app
        .app
        .catalog
        .iter()
        .map(|d| (d.id.clone(), d.version))
        .collect();
    assert_eq!(after, before, "{name}: nothing installed");
    assert!(
        !page.contains("id=\"bansos-v9\""),
        "{name}: not listed as installed"
    );
    shot(c, "alur-periksa").await;
    c.goto(&app.url("/")).await.unwrap();
    c.execute(
        "document.querySelector('form[action=\"/keluar\"]').submit()",
        vec![],
    )
    .await
    .unwrap();
    wait_until(c, |url, _| url.contains("/masuk")).await;
}
