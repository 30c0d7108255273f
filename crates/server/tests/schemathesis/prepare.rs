//! The data the run starts from: a case in every state of every program,
//! with the answers each field expects, written for the hooks.

use super::*;

/// A TOML array of at most 8 of the strings, and the awkward ones: few
/// enough that an awkward one comes up often.
pub(super) fn toml_list(values: impl IntoIterator<Item = String>) -> String {
    let quoted: Vec<String> = values
        .into_iter()
        .take(8)
        .chain(support::awkward())
        .map(|v| serde_json::to_string(&v).unwrap())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// A whole 1×1 PNG (the server decodes every photo it keeps).
pub(super) const PNG: &[u8] = b"\x89PNG\x0d\x0a\x1a\x0a\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0bIDATx\x9cc`\x00\x02\x00\x00\x05\x00\x01z^\xab?\x00\x00\x00\x00IEND\xaeB`\x82";

/// Text for a field of `kind` that its parser takes.
pub(super) fn answer(kind: &str, options: &[Value], case: &Value, file: Option<&str>) -> String {
    match kind {
        "number" => "3".into(),
        "rupiah" => {
            let amount = case["requested_amount"].as_i64().unwrap_or(10_000_000);
            format!("{amount}")
        }
        "yes_no" => "ya".into(),
        "choice" => options.first().and_then(Value::as_str).unwrap_or("").into(),
        "date" => "2026-11-20".into(),
        "document" | "photo" => file.unwrap_or("berkas-uji").into(),
        "gps" => "-5.42,105.26".into(),
        "user" => case["officer"].as_str().map_or_else(
            || {
                let region = case["region"].as_str().unwrap_or("18.71");
                format!("petugas.{}", region.replace('.', ""))
            },
            str::to_string,
        ),
        _ => "uji schemathesis".into(),
    }
}

/// Prepares a run as the holder of `token`: uploads a file to some cases,
/// writes `schemathesis.toml` (the ids schemathesis cannot guess, as
/// dictionaries it draws path, query and body values from) and the data
/// of `schemathesis_hooks.py` (commands the workflow accepts now, the
/// uploaded files) into `dir`.
pub(super) async fn prepare(app: &Running, token: &str, dir: &Path) {
    let cases = all_items(app, token, "/api/cases").await;
    assert!(!cases.is_empty(), "the demo has cases");
    let text = |v: &Value, k: &str| v[k].as_str().map(str::to_string);
    let case_ids: Vec<String> = cases.iter().filter_map(|c| text(c, "id")).collect();
    let (_, programs) = app.get(token, "/api/programs").await;
    let program_ids: Vec<String> = programs
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| text(p, "id"))
        .collect();
    let beneficiary_ids: BTreeSet<String> = cases
        .iter()
        .filter_map(|c| text(c, "beneficiary_id"))
        .collect();
    let names: BTreeSet<String> = cases
        .iter()
        .filter_map(|c| text(c, "beneficiary_name"))
        .collect();
    let (_, regions) = app.get(token, "/api/regions").await;
    let region_codes: Vec<String> = regions
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| text(r, "code"))
        .collect();
    let states: BTreeSet<String> = cases.iter().filter_map(|c| text(c, "state")).collect();
    let officers: BTreeSet<String> = cases.iter().filter_map(|c| text(c, "officer")).collect();

    // A file on every fourth case, then every action the user may take now.
    let mut files = vec![];
    for id in case_ids.iter().step_by(4) {
        let r = app
            .http
            .post(app.url(&format!("/api/cases/{id}/attachments")))
            .bearer_auth(token)
            .header("Content-Type", "image/png")
            .body(PNG.to_vec())
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        if status == 201 {
            files.push(serde_json::json!({ "case": id, "attachment": body["id"] }));
        }
    }
    assert!(!files.is_empty(), "pengelola.18 uploads files");
    let mut actions = BTreeSet::new();
    let mut commands = vec![];
    for id in &case_ids {
        let (status, case) = app.get(token, &format!("/api/cases/{id}")).await;
        assert_eq!(status, 200, "case {id}: {case}");
        let file = files
            .iter()
            .find(|f| f["case"] == id.as_str())
            .and_then(|f| f["attachment"].as_str());
        for a in case["actions"].as_array().unwrap() {
            let action = text(a, "id").unwrap();
            actions.insert(action.clone());
            let inputs: serde_json::Map<String, Value> = a["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let options = f["options"].as_array().cloned().unwrap_or_default();
                    let kind = f["kind"].as_str().unwrap_or("text");
                    (
                        text(f, "id").unwrap(),
                        answer(kind, &options, &case, file).into(),
                    )
                })
                .collect();
            commands.push(serde_json::json!({ "case": id, "action": action, "inputs": inputs }));
        }
    }
    let data = serde_json::json!({ "commands": commands, "files": files, "cases": case_ids });
    std::fs::write(dir.join("hooks.json"), data.to_string()).unwrap();

    // Path ids: some of each kind (the hooks bring every case).
    let ids: Vec<String> = case_ids
        .iter()
        .take(3)
        .chain(program_ids.iter().take(2))
        .chain(beneficiary_ids.iter().take(3))
        .cloned()
        .collect();
    let attachments = files.iter().filter_map(|f| text(f, "attachment"));
    let config = format!(
        r#"# Written by crates/server/tests/schemathesis.rs for one run.
[dictionaries.ids]
values = {ids}
[dictionaries.attachments]
values = {attachments}
[dictionaries.programs]
values = {programs}
[dictionaries.states]
values = {states}
[dictionaries.regions]
values = {regions}
[dictionaries.officers]
values = {officers}
[dictionaries.names]
values = {names}
[dictionaries.actions]
values = {actions}

[parameters]
"path.id" = {{ dictionary = "ids", probability = 0.8 }}
"path.attachment" = {{ dictionary = "attachments", probability = 0.8 }}
"query.program" = {{ dictionary = "programs", probability = 0.5 }}
"query.state" = {{ dictionary = "states", probability = 0.5 }}
"query.region" = {{ dictionary = "regions", probability = 0.5 }}
"query.officer" = {{ dictionary = "officers", probability = 0.5 }}
"query.name" = {{ dictionary = "names", probability = 0.5 }}
"body.login" = {{ dictionary = "officers", probability = 0.5 }}
"body.action" = {{ dictionary = "actions", probability = 0.8 }}
"body.program_id" = {{ dictionary = "programs", probability = 0.8 }}
"body.region" = {{ dictionary = "regions", probability = 0.8 }}
"body.beneficiary_id" = {{ dictionary = "ids", probability = 0.8 }}
"#,
        ids = toml_list(ids),
        attachments = toml_list(attachments),
        programs = toml_list(program_ids.clone()),
        states = toml_list(states),
        regions = toml_list(region_codes),
        officers = toml_list(officers),
        names = toml_list(names),
        actions = toml_list(actions),
    );
    std::fs::write(dir.join("schemathesis.toml"), config).unwrap();
}
