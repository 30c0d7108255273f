//! Settings: a command-line flag wins over an environment variable, which
//! wins over `pantau.toml`, which wins over the built-in default.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use pantau_store::{Settings, Synchronous};
use serde::Deserialize;

/// Flags shared by every command that touches the database.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// `postgres://…` or `sqlite://…`; default: a SQLite file in the data folder.
    #[arg(long, env = "PANTAU_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where Pantau keeps its SQLite file and outgoing mail (default: the platform's data folder).
    #[arg(long, env = "PANTAU_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// SQLite durability: `full` (default: an acknowledged transition survives power loss) or `normal`.
    #[arg(long, env = "PANTAU_SQLITE_SYNCHRONOUS", global = true)]
    pub sqlite_synchronous: Option<Synchronous>,
    /// A settings file (default: ./pantau.toml when it exists).
    #[arg(long, env = "PANTAU_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

/// `pantau.toml`: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    sqlite_synchronous: Option<String>,
    #[serde(default)]
    mail: MailFile,
}

/// `[mail]` in `pantau.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailFile {
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_security: Option<String>,
    pub smtp_user: Option<String>,
    pub smtp_password: Option<String>,
    pub from: Option<String>,
    pub base_url: Option<String>,
    pub reminder_schedule: Option<String>,
}

impl DbArgs {
    /// The `[mail]` table of `pantau.toml` (empty when there is none).
    pub fn mail_file(&self) -> anyhow::Result<MailFile> {
        Ok(self.file()?.mail)
    }

    fn file(&self) -> anyhow::Result<File> {
        let (path, required) = match &self.config {
            Some(p) => (p.clone(), true),
            None => (PathBuf::from("pantau.toml"), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).with_context(|| format!("in {}", path.display())),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(File::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// The data folder, created if missing.
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        let dir = match self.data_dir.clone().or(self.file()?.data_dir) {
            Some(d) => d,
            None => directories::ProjectDirs::from("id", "Pantau", "pantau")
                .map(|p| p.data_dir().to_path_buf())
                .context("no home folder to keep data in; set PANTAU_DATA_DIR")?,
        };
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create data folder {}", dir.display()))?;
        Ok(dir)
    }

    pub fn settings(&self) -> anyhow::Result<Settings> {
        let file = self.file()?;
        let url = match self.database_url.clone().or(file.database_url.clone()) {
            Some(url) => url,
            None => sqlite_url(&self.data_dir()?.join("pantau.db")),
        };
        let synchronous = match (self.sqlite_synchronous, &file.sqlite_synchronous) {
            (Some(s), _) => s,
            (None, Some(s)) => s
                .parse()
                .map_err(anyhow::Error::msg)
                .context("sqlite_synchronous in pantau.toml")?,
            (None, None) => Synchronous::default(),
        };
        Ok(Settings {
            synchronous,
            ..Settings::new(url)
        })
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The URL with its password taken out, for a command to run (the tool
/// asks for it, or finds it in `PGPASSWORD` or `~/.pgpass`).
pub fn without_password(url: &str) -> String {
    around_password(url).map_or_else(|| url.to_string(), |(a, b)| format!("{a}{b}"))
}

/// The URL with any password hidden, for messages.
pub fn redact(url: &str) -> String {
    around_password(url).map_or_else(|| url.to_string(), |(a, b)| format!("{a}:***{b}"))
}

/// What stands before (`scheme://user`) and after (`@host…`) the password
/// of a URL that has one.
fn around_password(url: &str) -> Option<(&str, &str)> {
    let scheme = url.find("://")? + 3;
    let at = url.rfind('@').filter(|&at| at >= scheme)?;
    let (user, _) = url[scheme..at].split_once(':')?;
    Some((&url[..scheme + user.len()], &url[at..]))
}
