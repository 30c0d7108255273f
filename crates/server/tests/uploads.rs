//! Resumable uploads on both databases: a photo sent in parts survives a
//! connection cut mid-way (the same key finds the upload and the bytes
//! already in), a part sent twice is answered with where to go on, the
//! whole file is checked and stored once, and bad input names its field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::Running;

const PART: usize = 256 * 1024;

async fn start(app: &Running, token: &str, case: &str, body: Value) -> (u16, Value) {
    app.post(
        token,
        &format!("/api/cases/{case}/uploads"),
        "unused",
        &body,
    )
    .await
}

async fn part(
    app: &Running,
    token: &str,
    case: &str,
    upload: &str,
    offset: usize,
    bytes: &[u8],
) -> (u16, Value) {
    let r = app
        .http
        .patch(app.url(&format!("/api/cases/{case}/uploads/{upload}")))
        .bearer_auth(token)
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A case the officer `petugas.…` of its region may act on, and that officer's token.
async fn officer_case(app: &Running) -> (String, String) {
    let admin = app.token("admin").await;
    let (_, page) = app.get(&admin, "/api/cases?per_page=200").await;
    let c = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["officer"].is_string())
        .expect("a case with an officer");
    let token = app.token(c["officer"].as_str().unwrap()).await;
    (c["id"].as_str().unwrap().to_string(), token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_sent_in_parts_resumes_after_a_cut_and_is_stored_once() {
    for app in support::apps().await {
        let (case, token) = officer_case(&app).await;
        let photo = pantau_photo::samples::camera_photo(3);
        assert!(
            photo.len() > 3 * PART,
            "the photo takes several parts: {}",
            photo.len()
        );
        let new = json!({ "key": format!("form-1:photo:{}", app.name), "content_type": "image/jpeg", "size": photo.len() });
        let (status, up) = start(&app, &token, &case, new.clone()).await;
        assert_eq!(status, 201, "{}: {up}", app.name);
        assert_eq!(up["offset"], 0);
        let id = up["id"].as_str().unwrap().to_string();

        // Two parts arrive, then the connection drops.
        for i in 0..2 {
            let (status, body) = part(
                &app,
                &token,
                &case,
                &id,
                i * PART,
                &photo[i * PART..(i + 1) * PART],
            )
            .await;
            assert_eq!(status, 200, "{}: {body}", app.name);
            assert_eq!(body["offset"], (i + 1) * PART);
        }
        // The phone comes back: the same key finds the upload where it stopped.
        let (status, again) = start(&app, &token, &case, new.clone()).await;
        assert_eq!(status, 201, "{again}");
        assert_eq!(again["id"], id.as_str());
        assert_eq!(
            again["offset"],
            2 * PART,
            "{}: resumes after the bytes already in",
            app.name
        );
        // A part resent (its answer was lost) is not stored twice: 409 says where to go on.
        let (status, body) = part(&app, &token, &case, &id, PART, &photo[PART..2 * PART]).await;
        assert_eq!(status, 409, "{}: {body}", app.name);
        assert_eq!(body["offset"], 2 * PART);

        let mut offset = 2 * PART;
        let mut last = Value::Null;
        while offset < photo.len() {
            let end = (offset + PART).min(photo.len());
            let (status, body) = part(&app, &token, &case, &id, offset, &photo[offset..end]).await;
            let want = if end == photo.len() { 201 } else { 200 };
            assert_eq!(status, want, "{}: part at {offset}: {body}", app.name);
            offset = end;
            last = body;
        }
        let attachment = last["attachment"]["id"]
            .as_str()
            .expect("stored")
            .to_string();
        let r = app
            .http
            .get(app.url(&format!("/api/cases/{case}/attachments/{attachment}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.bytes().await.unwrap().as_ref(),
            photo.as_slice(),
            "{}: the file, byte for byte",
            app.name
        );

        // Asked again, the upload says it is done; a late part changes nothing.
        let (_, status_now) = app
            .get(&token, &format!("/api/cases/{case}/uploads/{id}"))
            .await;
        assert_eq!(status_now["attachment"]["id"], attachment.as_str());
        let (status, body) = part(&app, &token, &case, &id, 0, &photo[..PART]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["attachment"]["id"], attachment.as_str());

        // Keys are each sender's own: another user's same key starts their
        // own upload and names nothing of the first (before, a 409 named the
        // officer's case, whatever its region); the same sender's key on
        // another case is refused.
        let admin = app.token("admin").await;
        let (_, page) = app.get(&admin, "/api/cases?per_page=200").await;
        let other = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .find(|c| *c != case)
            .unwrap();
        let (status, body) = start(&app, &admin, other, new.clone()).await;
        assert_eq!(status, 201, "{}: {body}", app.name);
        assert_ne!(body["id"], id.as_str(), "{}: {body}", app.name);
        assert!(!body.to_string().contains(&case), "{}: {body}", app.name);
        let (status, body) = start(&app, &admin, &case, new).await;
        assert_eq!(status, 409, "{}: {body}", app.name);
        assert!(!body.to_string().contains(&case), "{}: {body}", app.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_name_the_field_and_a_whole_file_that_is_no_photo_is_refused() {
    for app in support::apps().await {
        let (case, token) = officer_case(&app).await;
        for (body, field) in [
            (
                json!({ "key": "k1", "content_type": "text/plain", "size": 10 }),
                "content_type",
            ),
            (
                json!({ "key": "k2", "content_type": "image/jpeg", "size": 20 * 1024 * 1024 }),
                "size",
            ),
            (
                json!({ "key": "k3", "content_type": "image/jpeg", "size": 0 }),
                "size",
            ),
            (
                json!({ "key": " ", "content_type": "image/jpeg", "size": 10 }),
                "key",
            ),
        ] {
            let (status, answer) = start(&app, &token, &case, body.clone()).await;
            assert_eq!(status, 400, "{}: {body} -> {answer}", app.name);
            assert_eq!(answer["fields"][0]["field"], field, "{answer}");
        }
        let fake = vec![b'x'; 300_000];
        let (_, up) = start(
            &app,
            &token,
            &case,
            json!({ "key": "not-a-photo", "content_type": "image/jpeg", "size": fake.len() }),
        )
        .await;
        let id = up["id"].as_str().unwrap().to_string();
        let r = app
            .http
            .patch(app.url(&format!("/api/cases/{case}/uploads/{id}")))
            .bearer_auth(&token)
            .body(fake[..PART].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{}: no Upload-Offset", app.name);
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["fields"][0]["field"], "Upload-Offset");
        let (status, _) = part(&app, &token, &case, &id, 0, &fake[..PART]).await;
        assert_eq!(status, 200);
        let (status, answer) = part(&app, &token, &case, &id, PART, &fake[PART..]).await;
        assert_eq!(
            status, 400,
            "{}: the whole file is checked: {answer}",
            app.name
        );
        assert_eq!(answer["fields"][0]["field"], "file", "{answer}");
        let (status, _) = app
            .get(&token, &format!("/api/cases/{case}/uploads/{id}"))
            .await;
        assert_eq!(status, 404, "{}: a refused upload is forgotten", app.name);
    }
}
