//! One outbox row ready to go, and its MIME form.

use chrono::{DateTime, Utc};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use uuid::Uuid;

use crate::{Rendered, SendError};

/// RFC 3834: keeps out-of-office replies and the like away from Pantau.
const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");

/// One email to send: a rendered outbox row with its recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The outbox row's id; the Message-ID and the `.eml` file are named by it.
    pub id: Uuid,
    /// The recipient's name and address.
    pub to: (String, String),
    /// The sender, `Name <address>` or a bare address.
    pub from: String,
    /// The Date header: when the outbox row was written, so a message sent
    /// again carries the same date (and this crate reads no clock).
    pub date: DateTime<Utc>,
    pub rendered: Rendered,
}

/// The Message-ID of the outbox row `id`: `<ID@pantau>`.
pub fn message_id(id: Uuid) -> String {
    format!("<{id}@pantau>")
}

/// The MIME message: multipart/alternative with the text and then the HTML
/// part (clients show the last part they can), Message-ID from the outbox id.
/// A sender or recipient address that does not parse is a
/// [`SendError::Permanent`]: sending it again cannot help.
pub fn to_lettre(msg: &Message) -> Result<lettre::Message, SendError> {
    let from: Mailbox = msg
        .from
        .parse()
        .map_err(|e| SendError::Permanent(format!("sender `{}`: {e}", msg.from)))?;
    let (name, email) = &msg.to;
    let address = email
        .trim()
        .parse()
        .map_err(|e| SendError::Permanent(format!("recipient `{email}`: {e}")))?;
    let name = name.trim();
    let to = Mailbox::new((!name.is_empty()).then(|| name.to_string()), address);
    let mut email = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(msg.rendered.subject.clone())
        .date(msg.date.into())
        .message_id(Some(message_id(msg.id)))
        .multipart(MultiPart::alternative_plain_html(
            msg.rendered.text.clone(),
            msg.rendered.html.clone(),
        ))
        .map_err(|e| SendError::Permanent(format!("message {}: {e}", msg.id)))?;
    email
        .headers_mut()
        .insert_raw(HeaderValue::new(AUTO_SUBMITTED, "auto-generated".into()));
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(to: &str) -> Message {
        Message {
            id: Uuid::from_u128(0x42),
            to: ("Rina Marlina".into(), to.into()),
            from: "Pantau <pantau@diskopukm.lampungprov.go.id>".into(),
            date: DateTime::from_timestamp(1_795_305_600, 0).unwrap(),
            rendered: Rendered {
                subject: "Usulan 042 menunggu persetujuan".into(),
                text: "Yth. Rina,\n".into(),
                html: "<p>Yth. Rina,</p>".into(),
            },
        }
    }

    #[test]
    fn headers_carry_the_outbox_id_and_the_rows_date() {
        let email = to_lettre(&message("rina@lampungselatankab.go.id")).unwrap();
        let raw = String::from_utf8(email.formatted()).unwrap();
        assert!(
            raw.contains("Message-ID: <00000000-0000-0000-0000-000000000042@pantau>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("Date: Sun, 22 Nov 2026 00:00:00 +0000\r\n"),
            "{raw}"
        );
        assert!(raw.contains("Auto-Submitted: auto-generated\r\n"), "{raw}");
        assert!(
            raw.contains("Content-Type: multipart/alternative;"),
            "{raw}"
        );
        assert!(
            raw.contains("To: \"Rina Marlina\" <rina@lampungselatankab.go.id>\r\n"),
            "{raw}"
        );
    }

    #[test]
    fn a_bad_address_is_permanent() {
        let err = to_lettre(&message("rina at lampung")).unwrap_err();
        assert!(matches!(err, SendError::Permanent(ref m) if m.contains("rina at lampung")));
    }
}
