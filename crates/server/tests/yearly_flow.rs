//! Issue 19's "done when", on SQLite and PostgreSQL in a real Chromium:
//! from an empty office, Kota Bandar Lampung sends its cooperatives' 2025
//! and 2026 figures by file (an Excel CSV: `;`, Windows-1252) and one by
//! the form; the province verifies some and returns one; the indicators
//! page and report then count the verified figures only, and a figure
//! opens exactly the cooperatives behind it. `PANTAU_SHOTS=DIR` keeps the
//! pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::Utc;
use fantoccini::Client;
use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode, Role};
use pantau_store::Store;
use pantau_store::accounts::NewUser;
use pantau_store::registry::NewProgram;
use serde_json::{Value, json};
use support::PASSWORD;
use support::browser::{browser, choose, click, shot, sign_in_at, type_in, wait_until};

const PROGRAM: &str = "data-tahunan-2026-lampung";

/// Seven cooperatives of Kota Bandar Lampung: (name, NIK Koperasi).
const COOPS: [(&str, &str); 7] = [
    ("KSP Andalas", "1871020030000101"),
    ("KSP Bunga", "1871020030000102"),
    ("KSP Cahaya", "1871020030000103"),
    ("KSP Damai", "1871020030000104"),
    ("KSP Elang", "1871020030000105"),
    ("KSP Fajar", "1871020030000106"),
    ("KSP Gemilang", "1871020030000107"),
];

/// `text` as Excel saves it in an Indonesian office.
fn excel(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!lossy);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn registry_csv() -> String {
    let mut text = "jenis;kode_wilayah;nama;nik_koperasi;nomor_badan_hukum;jenis_koperasi;jumlah_anggota;aktif\r\n".to_string();
    for (i, (name, nik)) in COOPS.iter().enumerate() {
        text.push_str(&format!(
            "cooperative;18.71;{name};{nik};{}/BH/X.3/2015;KSP;{};ya\r\n",
            101 + i,
            120 + i
        ));
    }
    text
}

const YEARLY: &str = "nik_koperasi;tahun;aktif;rat;tanggal_rat;jumlah_anggota;modal_sendiri;modal_luar;aset;volume_usaha;shu;kesehatan_ksp\r\n";

/// 2025: A to F active, A to D held their RAT. 2026: A to D active with
/// their RAT, E inactive (which the province returns).
fn yearly_csv(year: i32) -> String {
    let mut text = YEARLY.to_string();
    let rows: &[(usize, &str, &str)] = if year == 2025 {
        &[
            (0, "ya", "ya"),
            (1, "ya", "ya"),
            (2, "ya", "ya"),
            (3, "ya", "ya"),
            (4, "ya", "tidak"),
            (5, "ya", "tidak"),
        ]
    } else {
        &[
            (0, "ya", "ya"),
            (1, "ya", "ya"),
            (2, "ya", "ya"),
            (3, "ya", "ya"),
            (4, "tidak", "tidak"),
        ]
    };
    for (i, active, rat) in rows {
        let date = if *rat == "ya" {
            format!("14/03/{}", year + 1)
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{};{year};{active};{rat};{date};{};Rp 1.250.000.000;300.000.000;1.730.000.000;2.100.000.000;(12.500.000);sehat\r\n",
            COOPS[*i].1,
            150 + i
        ));
    }
    text
}

async fn office(store: &Store) {
    let hash = pantau_server::password::hash(PASSWORD.into())
        .await
        .unwrap();
    for (login, role, region) in [
        ("pengelola.1871", Role::ManagerRegency, "18.71"),
        ("verifikator.18", Role::Verifier, "18"),
    ] {
        let user = NewUser {
            login: login.into(),
            name: format!("Pengguna {region}"),
            email: format!("{login}@dinas.example"),
            role,
            region: Some(region.into()),
            lang: Lang::Id,
            digest: false,
            password_hash: Some(hash.clone()),
        };
        assert!(store.add_user(&user, Utc::now()).await.unwrap());
    }
    let program = NewProgram {
        id: PROGRAM.into(),
        name: "Data Tahunan Koperasi Lampung 2026".into(),
        workflow: "data_tahunan".into(),
        workflow_version: 1,
        fiscal_year: 2026,
        funding_source: "APBD Provinsi Lampung".into(),
        budget_ceiling: 0,
        province: "18".into(),
        allocations: vec![("18.71".into(), 0)],
    };
    assert!(store.add_program(&program).await.unwrap());
}

/// Sends `file` on the yearly import page and waits for its result.
async fn send_file(c: &Client, base: &str, file: &std::path::Path) -> String {
    c.goto(&format!("{base}/impor/tahunan?program={PROGRAM}"))
        .await
        .unwrap();
    type_in(c, "#file", &file.display().to_string()).await;
    click(c, "form[action='/impor/tahunan'] button.primary").await;
    wait_until(c, |_, src| src.contains("id=\"hasil\"")).await
}

/// Every case of the program: (cooperative, year, state, id); a case sent
/// from the 2025 file is of 2025, any other of 2026.
async fn cases(store: &Store) -> Vec<(String, i32, String, String)> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = store
        .connection()
        .query_all_raw(Statement::from_string(
            store.backend(),
            format!(
                "SELECT b.name, CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id \
                 AND e.body LIKE '%tahunan-2025.csv%') THEN 2025 ELSE 2026 END, c.state, c.id \
                 FROM cases c JOIN beneficiaries b ON b.id = c.beneficiary_id \
                 WHERE c.program_id = '{PROGRAM}' ORDER BY b.name, 2"
            ),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
                r.try_get_by_index(2).unwrap(),
                r.try_get_by_index(3).unwrap(),
            )
        })
        .collect()
}

async fn token(http: &reqwest::Client, base: &str, login: &str) -> String {
    let t: Value = http
        .post(format!("{base}/api/tokens"))
        .json(&json!({ "login": login, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    t["token"].as_str().unwrap().to_string()
}

async fn act(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    case: &str,
    action: &str,
    inputs: Value,
) {
    let r = http
        .post(format!("{base}/api/cases/{case}/transitions"))
        .bearer_auth(token)
        .header("Idempotency-Key", format!("{case}-{action}"))
        .json(&json!({ "action": action, "inputs": inputs }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    assert_eq!(status, 201, "{case} {action}: {}", r.text().await.unwrap());
}

/// The `/registri/{id}` links of a registry list.
fn listed(html: &str) -> usize {
    html.match_indices("href=\"/registri/")
        .filter(|(at, m)| {
            let rest = &html[at + m.len()..];
            let id = &rest[..rest.find('"').unwrap()];
            !id.starts_with("desa") && id != "ganda"
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_sends_verifies_and_reads_its_cooperatives_years() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    let files = tempfile::tempdir().unwrap();
    let registry = excel(files.path(), "koperasi.csv", &registry_csv());
    let y2025 = excel(files.path(), "tahunan-2025.csv", &yearly_csv(2025));
    let y2026 = excel(files.path(), "tahunan-2026.csv", &yearly_csv(2026));
    let http = reqwest::Client::new();
    for db in support::db::test_databases().await {
        let (base, store, db) = support::empty(db).await;
        let name = db.name;
        office(&store).await;

        // The city registers its cooperatives and sends both years by file.
        sign_in_at(&c, &base, "pengelola.1871").await;
        c.goto(&format!("{base}/impor")).await.unwrap();
        type_in(&c, "#file", &registry.display().to_string()).await;
        click(&c, "form[action='/impor'] button.primary").await;
        wait_until(&c, |_, src| src.contains("koperasi.csv")).await;
        let scope = Scope::Region(RegionCode::parse("18.71").unwrap());
        let registered = store
            .beneficiary_page(&scope, Some("cooperative"), None, 1, 10)
            .await
            .unwrap();
        assert_eq!(registered.total, 7, "{name}");
        let html = send_file(&c, &base, &y2025).await;
        assert!(
            html.contains("<strong class=\"made\">6</strong>"),
            "{name}: {html}"
        );
        let html = send_file(&c, &base, &y2026).await;
        assert!(
            html.contains("<strong class=\"made\">5</strong>"),
            "{name}: {html}"
        );
        shot(&c, "tahunan-alur-berkas").await;

        // And one cooperative's 2026 by the form: KSP Gemilang, new this year.
        c.goto(&format!("{base}/usulan/baru")).await.unwrap();
        c.execute(
            &format!(
                r#"document.querySelector('form.program-pick input[value="{PROGRAM}"]')
                     .form.querySelector('button').click();"#
            ),
            vec![],
        )
        .await
        .unwrap();
        wait_until(&c, |_, src| src.contains("id=\"cari\"")).await;
        type_in(&c, "#cari", "gemilang").await;
        let wanted = registered
            .items
            .iter()
            .find(|b| b.name == "KSP Gemilang")
            .unwrap();
        let pick = format!("penerima={}", wanted.id);
        wait_until(&c, |_, src| src.contains(&pick)).await;
        click(&c, &format!("a[href*='{pick}']")).await;
        wait_until(&c, |_, src| src.contains("name=\"f.members\"")).await;
        for (field, value) in [
            ("year", "2026"),
            ("members", "88"),
            ("own_capital", "Rp 95.000.000"),
            ("outside_capital", "0"),
            ("assets", "Rp 120.000.000"),
            ("business_volume", "Rp 210.000.000"),
            ("shu", "4.500.000"),
        ] {
            type_in(&c, &format!("input[name='f.{field}']"), value).await;
        }
        click(&c, "input[name='f.active'][value='ya']").await;
        click(&c, "input[name='f.rat_held'][value='ya']").await;
        choose(&c, "select[name='f.ksp_health']", "sehat").await;
        shot(&c, "tahunan-alur-formulir").await;
        click(&c, "button[name=_go]:not([value=draf])").await;
        wait_until(&c, |url, _| url.contains("/kasus/")).await;
        c.delete_all_cookies().await.unwrap();

        // The province verifies 2025 whole and 2026 but KSP Elang's, which it returns.
        let verifier = token(&http, &base, "verifikator.18").await;
        let sent = cases(&store).await;
        assert_eq!(sent.len(), 12, "{name}: {sent:?}");
        assert!(
            sent.iter().all(|(.., state, _)| state == "submitted"),
            "{name}: {sent:?}"
        );
        for (coop, year, _, id) in &sent {
            let year = *year;
            if coop == "KSP Elang" && year == 2026 {
                let notes =
                    json!({ "return_notes": "Koperasi tidak aktif tetapi tidak ada keterangan" });
                act(&http, &base, &verifier, id, "return_data", notes).await;
            } else {
                let quality = if coop == "KSP Andalas" { "ya" } else { "tidak" };
                act(
                    &http,
                    &base,
                    &verifier,
                    id,
                    "verify",
                    json!({ "quality": quality }),
                )
                .await;
            }
        }

        // The indicators of 2026 against 2025, verified figures only: six
        // active last year; five active now (A–D and the new G); G is new;
        // RAT 4 → 5; Elang's inactive year was returned, so it counts nowhere.
        sign_in_at(&c, &base, "verifikator.18").await;
        c.goto(&format!("{base}/indikator?tahun=2026&wilayah=18"))
            .await
            .unwrap();
        let html = wait_until(&c, |_, src| src.contains("id=\"indikator\"")).await;
        shot(&c, "tahunan-alur-indikator").await;
        for (filter, want) in [
            ("aktif", 5),
            ("baru", 1),
            ("rat", 5),
            ("tidak_aktif", 0),
            ("berkualitas", 1),
        ] {
            let href = format!("/registri?tahun=2026&amp;indikator={filter}&amp;wilayah=18.71");
            assert!(
                want == 0 || html.contains(&href),
                "{name}: {filter} links to its cooperatives: {html}"
            );
            let url = format!("{base}/registri?tahun=2026&indikator={filter}&wilayah=18.71");
            c.goto(&url).await.unwrap();
            let list = wait_until(&c, |_, src| src.contains("id=\"jumlah\"")).await;
            assert_eq!(listed(&list), want, "{name}: {filter}: {list}");
            if filter == "baru" {
                assert!(list.contains("KSP Gemilang"), "{name}: {list}");
                shot(&c, "tahunan-alur-baru").await;
            }
        }
        // The report says the same, by kabupaten/kota.
        let session = support::browser();
        let (_, page) = support::text(&session, &format!("{base}/masuk")).await;
        let csrf = support::hidden(&page, "_csrf");
        let form = [
            ("login", "verifikator.18"),
            ("password", PASSWORD),
            ("_csrf", &csrf),
            ("next", ""),
        ];
        let signed = session
            .post(format!("{base}/masuk"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(signed.status(), 303, "{name}");
        let csv = session
            .get(format!(
                "{base}/laporan/unduh?report=indicators&year=2026&format=csv&region=18"
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let row = csv
            .lines()
            .find(|l| l.starts_with("Kota Bandar Lampung"))
            .unwrap_or_else(|| panic!("{name}: {csv}"));
        assert!(
            row.contains(",6,5,1,"),
            "{name}: active before and now, new: {row}"
        );
        c.delete_all_cookies().await.unwrap();
    }
}
