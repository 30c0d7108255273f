#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Sending for real: a Python SMTP server (Debian's python3-aiosmtpd) on
//! loopback receives what `Transport::Smtp` sends, and the test reads what
//! arrived at the server. Also: nothing listening, a server that never
//! answers, and the files transport.

use std::path::Path;
use std::time::{Duration, Instant};

use pantau_domain::Lang;
use pantau_notify::{Message, Security, SendError, Templates, Transport};
use serde_json::{Value, json};
use uuid::Uuid;

const FROM: &str = "Pantau Diskop UKM Lampung <pantau@diskopukm.lampungprov.go.id>";

#[path = "../../../tests/support/smtp.rs"]
mod smtp;

use smtp::Smtp as Server;

fn transport(server: &Server) -> Transport {
    Transport::Smtp {
        host: "127.0.0.1".into(),
        port: server.port,
        security: Security::None,
        credentials: None,
        timeout: Duration::from_secs(10),
    }
}

fn templates() -> Templates {
    Templates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/email")).unwrap()
}

fn context(recipient: &str) -> Value {
    json!({
        "recipient": { "name": recipient },
        "case": {
            "number": "BSK-2026-1801-0042",
            "beneficiary": "Koperasi Wanita “Sri Rejeki”, Kec. Natar, Kab. Lampung Selatan",
            "approved": "Rp 120.000.000",
        },
        "program": "Bansos KUD Provinsi Lampung 2026",
        "state": "Diajukan",
        "since": "15 Oktober 2026 09:30 WIB",
        "due_at": "22 November 2026 07:00 WIB",
        "link": "https://pantau.diskopukm.lampungprov.go.id/kasus/0b7c6f1e-3d2a-4c55-9a3e-2f1d8c4b6a01",
        "profile": "https://pantau.diskopukm.lampungprov.go.id/profil",
        "reason": "-",
        "escalation": false,
    })
}

fn message(template: &str, lang: Lang, name: &str, email: &str) -> Message {
    Message {
        id: Uuid::new_v4(),
        to: (name.into(), email.into()),
        from: FROM.into(),
        date: chrono::DateTime::from_timestamp(1_795_305_600, 0).unwrap(),
        rendered: templates().render(template, lang, &context(name)).unwrap(),
    }
}

/// Checks one message as the server's own email parser read it.
fn assert_arrived(got: &Value, sent: &Message) {
    let (name, email) = &sent.to;
    assert_eq!(got["mail_from"], "pantau@diskopukm.lampungprov.go.id");
    assert_eq!(got["rcpt_tos"], json!([email]));
    let headers = &got["headers"];
    assert_eq!(got["to"], json!([{ "name": name, "email": email }]));
    assert_eq!(headers["From"], FROM);
    assert_eq!(headers["Subject"], sent.rendered.subject);
    assert_eq!(headers["Message-ID"], format!("<{}@pantau>", sent.id));
    assert_eq!(headers["Date"], "Sun, 22 Nov 2026 00:00:00 +0000");
    assert_eq!(headers["Auto-Submitted"], "auto-generated");
    assert_eq!(got["content_type"], "multipart/alternative");
    let parts = got["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert_eq!(parts[0]["content_type"], "text/plain");
    assert_eq!(parts[0]["charset"], "utf-8");
    assert_eq!(parts[0]["content"], sent.rendered.text);
    assert_eq!(parts[1]["content_type"], "text/html");
    assert_eq!(parts[1]["content"], sent.rendered.html);
}

#[tokio::test]
async fn two_messages_arrive_whole_and_a_resend_keeps_its_message_id() {
    let Some(server) = Server::start() else {
        return;
    };
    let first = message(
        "proposal_waiting",
        Lang::Id,
        "Rina Marlina, S.E.",
        "rina.marlina@lampungselatankab.go.id",
    );
    let second = message(
        "visit_due",
        Lang::En,
        "Bayu Saputra",
        "bayu.saputra@diskopukm.lampungprov.go.id",
    );
    let mailer = transport(&server).mailer().await.unwrap();
    mailer.send(&first).await.unwrap();
    mailer.send(&second).await.unwrap();
    // The outbox row sent again after a crash, on a connection of its own.
    transport(&server).send(&first).await.unwrap();
    mailer.shutdown().await;

    let got = server.records();
    assert_eq!(got.len(), 3);
    assert_arrived(&got[0], &first);
    assert_arrived(&got[1], &second);
    assert_arrived(&got[2], &first);
    assert!(
        first.rendered.subject.contains("BSK-2026-1801-0042")
            && second.rendered.subject.starts_with("Monev visit")
    );
    // One mailer, one connection; the one-off send opened its own.
    assert_eq!(got[0]["peer_port"], got[1]["peer_port"]);
    assert_ne!(got[1]["peer_port"], got[2]["peer_port"]);
}

#[tokio::test]
async fn a_refused_recipient_is_permanent_a_busy_one_transient() {
    let Some(server) = Server::start() else {
        return;
    };
    let mailer = transport(&server).mailer().await.unwrap();
    let refused = message(
        "case_approved",
        Lang::Id,
        "Tidak Ada",
        "reject-nobody@kab.go.id",
    );
    match mailer.send(&refused).await {
        Err(SendError::Permanent(why)) => assert!(why.contains("550"), "{why}"),
        other => panic!("expected a permanent error, got {other:?}"),
    }
    let busy = message("case_approved", Lang::Id, "Sibuk", "busy-someone@kab.go.id");
    match mailer.send(&busy).await {
        Err(SendError::Transient(why)) => assert!(why.contains("451"), "{why}"),
        other => panic!("expected a transient error, got {other:?}"),
    }
    // The pool recovers: the next message goes through.
    let fine = message("case_approved", Lang::En, "Rina Marlina", "rina@kab.go.id");
    mailer.send(&fine).await.unwrap();
    mailer.shutdown().await;
    let got = server.records();
    assert_eq!(got.len(), 1);
    assert_arrived(&got[0], &fine);
}

fn smtp_at(port: u16, timeout: Duration) -> Transport {
    Transport::Smtp {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        credentials: None,
        timeout,
    }
}

#[tokio::test]
async fn nothing_listening_is_transient() {
    let msg = message("case_approved", Lang::Id, "Rina", "rina@kab.go.id");
    let err = smtp_at(smtp::dead_port(), Duration::from_secs(5))
        .send(&msg)
        .await
        .unwrap_err();
    match err {
        SendError::Transient(why) => assert!(why.to_lowercase().contains("refused"), "{why}"),
        other => panic!("expected a transient error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_never_answers_is_cut_off_by_the_timeout() {
    // Connections complete in the kernel's backlog, but no greeting ever
    // comes: lettre's own timeout (connecting only) would wait forever.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let msg = message("case_approved", Lang::Id, "Rina", "rina@kab.go.id");
    let started = Instant::now();
    let err = smtp_at(port, Duration::from_millis(500))
        .send(&msg)
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, SendError::Transient(ref why) if why.contains("no answer")),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    drop(silent);
}

#[tokio::test]
async fn files_are_named_by_the_outbox_id_and_a_resend_replaces_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("outbox");
    let transport = Transport::Files { dir: out.clone() };
    let msg = message("visit_due", Lang::Id, "Bayu Saputra", "bayu@kab.go.id");
    transport.send(&msg).await.unwrap();
    transport.send(&msg).await.unwrap();
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec![format!("{}.eml", msg.id)]);
    let eml = std::fs::read_to_string(out.join(&names[0])).unwrap();
    assert!(eml.contains(&format!("Message-ID: <{}@pantau>\r\n", msg.id)));
    assert!(eml.contains("Content-Type: multipart/alternative;"));
}

#[tokio::test]
async fn a_bad_recipient_is_permanent_before_any_connection() {
    let msg = message("visit_due", Lang::Id, "Bayu", "bayu(at)kab.go.id");
    let err = smtp_at(smtp::dead_port(), Duration::from_secs(5))
        .send(&msg)
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Permanent(ref why) if why.contains("bayu(at)kab.go.id")));
}
