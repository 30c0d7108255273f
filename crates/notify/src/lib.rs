//! Pantau's emails: rendering and sending.
//!
//! [`Templates`] loads `templates/email/NAME.LANG.hbs` (a `Subject:` line, a
//! blank line, then the plain-text body) and the HTML layout
//! `_layout.html.hbs`, and renders one email to a [`Rendered`] subject, text
//! and HTML, Indonesian when no English version exists. [`Message`] is one
//! outbox row ready to go; [`to_lettre`] turns it into a multipart/alternative
//! MIME message whose Message-ID is `<OUTBOX-ID@pantau>`, so a message sent
//! again after a crash carries the same Message-ID. [`Transport`] sends over
//! SMTP or writes `OUTBOX-ID.eml` files, and a failure is a [`SendError`]
//! that says whether to try again later or to give up on the message.
//!
//! Architecture invariant: this crate knows no database and reads no wall
//! clock. `store` owns the outbox (claiming, retries, back-off); the Date
//! header comes from the outbox row, not from now. A sending failure is data
//! for the caller to record, never a panic.

mod html;
mod message;
mod template;
mod transport;

pub use message::{Message, message_id, to_lettre};
pub use template::{NotifyError, Rendered, Templates};
pub use transport::{Mailer, Security, SendError, Transport};
