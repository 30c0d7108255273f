//! Sending: SMTP through lettre's pooled async transport, or `.eml` files.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Message, to_lettre};

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain text, e.g. a relay on loopback. Never across a network.
    None,
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// Where emails go.
#[derive(Clone, PartialEq, Eq)]
pub enum Transport {
    Smtp {
        host: String,
        port: u16,
        security: Security,
        /// User name and password.
        credentials: Option<(String, String)>,
        /// The longest one message may take, connecting included.
        timeout: Duration,
    },
    /// Writes each message to `DIR/OUTBOX-ID.eml` (development, archives).
    Files { dir: PathBuf },
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Smtp {
                host,
                port,
                security,
                credentials,
                timeout,
            } => f
                .debug_struct("Smtp")
                .field("host", host)
                .field("port", port)
                .field("security", security)
                .field("user", &credentials.as_ref().map(|(user, _)| user))
                .field("timeout", timeout)
                .finish_non_exhaustive(),
            Transport::Files { dir } => f.debug_struct("Files").field("dir", dir).finish(),
        }
    }
}

/// Why a message was not sent, and so what the caller does with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later with back-off: nothing answered, the connection
    /// broke, the server said 4xx, or the settings (TLS, login) need fixing,
    /// which no single message can be blamed for.
    #[error("not sent, will try again: {0}")]
    Transient(String),
    /// Sending it again cannot help: the server refused the message or its
    /// recipient with 5xx, or an address does not parse. Park the message.
    #[error("not sent, gave up: {0}")]
    Permanent(String),
}

/// 5xx replies about logging in: the settings are wrong, not the message.
const LOGIN_CODES: [&str; 4] = ["530", "534", "535", "538"];

impl Transport {
    /// The sender for many messages: an SMTP transport keeps a pool of open
    /// connections between sends. Must be called, used and dropped inside a
    /// tokio runtime (lettre's pool spawns its housekeeping task there).
    pub async fn mailer(&self) -> Result<Mailer, SendError> {
        let inner = match self {
            Transport::Smtp {
                host,
                port,
                security,
                credentials,
                timeout,
            } => {
                let settings = SmtpSettings {
                    host: host.clone(),
                    port: *port,
                    security: *security,
                    credentials: credentials.clone(),
                    timeout: *timeout,
                };
                Inner::Smtp {
                    current: Mutex::new(settings.transport()?),
                    settings,
                }
            }
            Transport::Files { dir } => Inner::Files { dir: dir.clone() },
        };
        Ok(Mailer { inner })
    }

    /// Sends one message on a connection of its own. For a batch, use one
    /// [`Transport::mailer`] so the SMTP connection is reused.
    pub async fn send(&self, msg: &Message) -> Result<(), SendError> {
        let mailer = self.mailer().await?;
        let sent = mailer.send(msg).await;
        mailer.shutdown().await;
        sent
    }
}

/// A [`Transport`] ready to send.
pub struct Mailer {
    inner: Inner,
}

enum Inner {
    Smtp {
        settings: SmtpSettings,
        /// Replaced by a fresh pool when a send is cut off by the timeout, so
        /// a connection left in the middle of a conversation is never reused.
        current: Mutex<AsyncSmtpTransport<Tokio1Executor>>,
    },
    Files {
        dir: PathBuf,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Inner::Smtp { settings, .. } => f
                .debug_struct("Mailer")
                .field("host", &settings.host)
                .field("port", &settings.port)
                .finish_non_exhaustive(),
            Inner::Files { dir } => f.debug_struct("Mailer").field("dir", dir).finish(),
        }
    }
}

impl Mailer {
    /// Sends `msg`. `Ok` means the server accepted it (or the file is
    /// written); see [`SendError`] for the rest. A message cut off by the
    /// timeout may still have been delivered: sent again, it carries the same
    /// Message-ID.
    pub async fn send(&self, msg: &Message) -> Result<(), SendError> {
        let email = to_lettre(msg)?;
        match &self.inner {
            Inner::Files { dir } => write_eml(dir, msg.id, &email.formatted()).await,
            Inner::Smtp { settings, current } => {
                let transport = lock(current).clone();
                let timeout = settings.timeout;
                // lettre's own timeout covers connecting only: a server that
                // accepts and then says nothing would hold us forever.
                match tokio::time::timeout(timeout, transport.send(email)).await {
                    Ok(Ok(_)) => {
                        // lettre hands the connection back to the pool in a
                        // task of its own: let it run, or the next send
                        // finds the pool empty and opens another connection.
                        tokio::task::yield_now().await;
                        Ok(())
                    }
                    Ok(Err(e)) => Err(classify(&e)),
                    Err(_) => {
                        let fresh = settings.transport()?;
                        let old = std::mem::replace(&mut *lock(current), fresh);
                        tokio::spawn(async move {
                            let _ = tokio::time::timeout(timeout, old.shutdown()).await;
                        });
                        Err(SendError::Transient(format!(
                            "no answer from {}:{} within {timeout:?}",
                            settings.host, settings.port
                        )))
                    }
                }
            }
        }
    }

    /// Whether the SMTP server answers: connects (with STARTTLS or TLS and
    /// the login, as a send would), says EHLO and NOOP, and sends nothing.
    /// For files, whether the folder can be written.
    pub async fn check(&self) -> Result<(), SendError> {
        match &self.inner {
            Inner::Files { dir } => tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| SendError::Transient(format!("{}: {e}", dir.display()))),
            Inner::Smtp { current, settings } => {
                let transport = lock(current).clone();
                match tokio::time::timeout(settings.timeout, transport.test_connection()).await {
                    Ok(Ok(true)) => Ok(()),
                    Ok(Ok(false)) => Err(SendError::Transient(format!(
                        "{}:{} connected but did not answer NOOP",
                        settings.host, settings.port
                    ))),
                    Ok(Err(e)) => Err(classify(&e)),
                    Err(_) => Err(SendError::Transient(format!(
                        "no answer from {}:{} within {:?}",
                        settings.host, settings.port, settings.timeout
                    ))),
                }
            }
        }
    }

    /// Closes the pooled SMTP connections (QUIT); nothing for files.
    pub async fn shutdown(&self) {
        if let Inner::Smtp { current, settings } = &self.inner {
            let transport = lock(current).clone();
            let _ = tokio::time::timeout(settings.timeout, transport.shutdown()).await;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

struct SmtpSettings {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<(String, String)>,
    timeout: Duration,
}

impl SmtpSettings {
    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendError> {
        let settings = |e: lettre::transport::smtp::Error| {
            SendError::Transient(format!("SMTP settings for {}: {}", self.host, chain(&e)))
        };
        let host = self.host.as_str();
        let builder = match self.security {
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            Security::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(settings)?
            }
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(settings)?,
        };
        let mut builder = builder.port(self.port).timeout(Some(self.timeout));
        if let Some((user, password)) = &self.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(builder.build())
    }
}

/// 5xx is permanent, except a refused login; everything else (4xx, no
/// connection, TLS, a broken conversation) is worth another try.
fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let text = chain(e);
    let login = e
        .status()
        .is_some_and(|code| LOGIN_CODES.contains(&code.to_string().as_str()));
    if e.is_permanent() && !login {
        SendError::Permanent(text)
    } else {
        SendError::Transient(text)
    }
}

/// An error and its causes, `outer: inner: innermost`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// Writes `DIR/ID.eml` through a temporary file, so the file is whole or
/// absent and a message written again replaces it.
async fn write_eml(dir: &Path, id: Uuid, bytes: &[u8]) -> Result<(), SendError> {
    let failed = |path: &Path, e: std::io::Error| {
        SendError::Transient(format!("cannot write {}: {e}", path.display()))
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| failed(dir, e))?;
    let path = dir.join(format!("{id}.eml"));
    let partial = dir.join(format!(".{id}.eml.partial"));
    tokio::fs::write(&partial, bytes)
        .await
        .map_err(|e| failed(&partial, e))?;
    tokio::fs::rename(&partial, &path)
        .await
        .map_err(|e| failed(&path, e))
}
