//! One language a page: an import's refused rows and an upload's refusal
//! give their reasons in the page's language only (no English on an
//! Indonesian page, no Indonesian on an English one), sizes as people
//! write them.

use super::*;

/// Words only English reasons use.
const ENGLISH: [&str; 12] = [
    "required",
    "must",
    "not a ",
    "unknown",
    "is not",
    "there is no",
    "between",
    "given",
    "not accepted",
    "the file",
    "at most",
    "yes/no",
];
/// Words only Indonesian reasons use.
const INDONESIAN: [&str; 12] = [
    "wajib", "bukan", "harus", "tidak", "di luar", "sampai", "bila", "paling", "berkas", "kirim",
    "diawali", "dikenal",
];

/// A CSV whose every row is refused, several columns each.
const BAD: &str = "kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active,lat,lon\n\
    cooperative,18,,123,x,ksp,banyak,mungkin,-95,\n\
    robot,99.99,Nama,,,,,,,\n\
    cooperative,18.71,Koperasi,1301010000000001,AHU-1,ksp,12,ya,-5.4,200\n";

/// The reasons column of the import page's refused rows.
fn reasons(page: &str) -> Vec<String> {
    let at = page.find("<tbody>").expect("a table of refused rows");
    let body = &page[at..page[at..].find("</tbody>").unwrap() + at];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row.split("<td>").collect();
            let last = cells.last().unwrap();
            last.split("</td>").next().unwrap().to_string()
        })
        .collect()
}

fn one_language(ctx: &str, texts: &[String], lang: &str) {
    assert!(!texts.is_empty(), "{ctx}: no reasons");
    let banned: &[&str] = if lang == "id" { &ENGLISH } else { &INDONESIAN };
    for t in texts {
        let lower = t.to_lowercase();
        for w in banned {
            assert!(
                !lower.contains(w),
                "{ctx}: `{w}` in the {lang} reason {t:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_refused_import_speaks_the_pages_language() {
    for app in support::apps().await {
        let c = app.sign_in("pengelola.18").await;
        for lang in ["id", "en"] {
            let ctx = format!("{} {lang}", app.name);
            let (status, form) = text(&c, &app.url(&format!("/impor?lang={lang}"))).await;
            assert_eq!(status, 200, "{ctx}");
            let f = Form::new().text("_csrf", hidden(&form, "_csrf")).part(
                "file",
                Part::bytes(BAD.as_bytes().to_vec())
                    .file_name("penerima.csv")
                    .mime_str("text/csv")
                    .unwrap(),
            );
            let r = c.post(app.url("/impor")).multipart(f).send().await.unwrap();
            assert_eq!(r.status(), 200, "{ctx}");
            let page = r.text().await.unwrap();
            let got = reasons(&page);
            assert!(got.len() >= 8, "{ctx}: {got:?}");
            one_language(&ctx, &got, lang);
            let wanted = if lang == "id" {
                "wajib diisi"
            } else {
                "required"
            };
            assert!(got.iter().any(|r| r.contains(wanted)), "{ctx}: {got:?}");
        }
    }
}

#[tokio::test]
async fn a_refused_upload_speaks_the_callers_language() {
    for app in support::apps().await {
        let token = app.token("verifikator.18").await;
        let (_, list) = app
            .get(
                &token,
                "/api/cases?program=bansos-kud-2026-lampung&state=disbursed",
            )
            .await;
        let case = list["items"][0]["id"].as_str().unwrap().to_string();
        let (_, detail) = app.get(&token, &format!("/api/cases/{case}")).await;
        let officer = detail["officer"].as_str().unwrap().to_string();
        let c = app.sign_in(&officer).await;
        for lang in ["id", "en"] {
            let ctx = format!("{} {lang}", app.name);
            let link = format!("/kasus/{case}?aksi=record_monev&lang={lang}");
            let (status, page) = text(&c, &app.url(&link)).await;
            assert_eq!(status, 200, "{ctx}");
            let form = action_form(&page, "record_monev").to_string();
            let f = Form::new()
                .text("_csrf", hidden(&form, "_csrf"))
                .text("_action", "record_monev")
                .text("_key", hidden(&form, "_key"))
                .text("_seq", hidden(&form, "_seq"))
                .part(
                    "file.photo",
                    Part::bytes(b"bukan foto".to_vec())
                        .file_name("catatan.txt")
                        .mime_str("text/plain")
                        .unwrap(),
                );
            let r = c
                .post(app.url(&format!("/kasus/{case}/aksi")))
                .multipart(f)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{ctx}");
            let body = r.text().await.unwrap();
            let refused = action_form(&body, "record_monev");
            let errors: Vec<String> = refused
                .split("class=\"error\"")
                .skip(1)
                .map(|e| e.split('<').next().unwrap_or("").to_string())
                .chain(
                    refused
                        .split("role=\"alert\">")
                        .skip(1)
                        .map(|e| e.split('<').next().unwrap_or("").to_string()),
                )
                .filter(|e| e.contains("text/plain"))
                .collect();
            assert!(!errors.is_empty(), "{ctx}: {refused}");
            one_language(&ctx, &errors, lang);
        }
    }
}

#[test]
fn a_files_size_reads_as_people_write_it() {
    use pantau_domain::Lang;
    use pantau_server::api::files::size_reason;
    let big = 12 * 1024 * 1024;
    assert_eq!(
        size_reason(big, Lang::Id),
        "berkas 12 MB; paling besar 10 MB"
    );
    assert_eq!(
        size_reason(2_516_582 * 5, Lang::En),
        "the file is 12 MB; at most 10 MB"
    );
    assert_eq!(size_reason(0, Lang::En), "the file is empty; at most 10 MB");
}
