//! Settings: a command-line flag wins over an environment variable, which
//! wins over `pantau.toml`, which wins over the built-in default. Relative
//! paths in `pantau.toml` are read from the file's own folder.

use std::net::SocketAddr;
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
    /// A settings file (default: ./pantau.toml when it exists; installed as a
    /// package, /etc/pantau/pantau.toml).
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
    workflows: Option<PathBuf>,
    templates: Option<PathBuf>,
    #[serde(default)]
    mail: MailFile,
    #[serde(default)]
    serve: ServeFile,
    /// The cooperative indicators' targets.
    #[serde(default)]
    indicators: pantau_report::indicators::Targets,
}

/// `[serve]` in `pantau.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeFile {
    pub bind: Option<SocketAddr>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub trust_forwarded_for: Option<bool>,
    pub metrics: Option<bool>,
    pub metrics_token: Option<String>,
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

    /// The `[serve]` table of `pantau.toml` (empty when there is none).
    pub fn serve_file(&self) -> anyhow::Result<ServeFile> {
        Ok(self.file()?.serve)
    }

    /// The `[indicators]` table of `pantau.toml` (the Rakor's targets when
    /// there is none), checked.
    pub fn indicator_targets(&self) -> anyhow::Result<pantau_report::indicators::Targets> {
        let targets = self.file()?.indicators;
        targets.check().context("in pantau.toml")?;
        Ok(targets)
    }

    /// The workflow and template folders `pantau.toml` names, if any.
    pub fn source_dirs(&self) -> anyhow::Result<(Option<PathBuf>, Option<PathBuf>)> {
        let file = self.file()?;
        Ok((file.workflows, file.templates))
    }

    /// The settings file this run reads, and whether it must exist.
    pub fn config_path(&self) -> Option<(PathBuf, bool)> {
        if let Some(p) = &self.config {
            return Some((p.clone(), true));
        }
        let here = PathBuf::from("pantau.toml");
        if here.is_file() {
            return Some((here, false));
        }
        installed_config()
            .filter(|p| p.is_file())
            .map(|p| (p, false))
    }

    fn file(&self) -> anyhow::Result<File> {
        let Some((path, required)) = self.config_path() else {
            return Ok(File::default());
        };
        let mut file: File = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).with_context(|| format!("in {}", path.display()))?,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => File::default(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let base = path.parent().unwrap_or(Path::new("."));
        for p in [
            &mut file.data_dir,
            &mut file.workflows,
            &mut file.templates,
            &mut file.serve.tls_cert,
            &mut file.serve.tls_key,
        ]
        .into_iter()
        .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        Ok(file)
    }

    /// The data folder, created if missing.
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        let dir = self.data_dir_path()?;
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create data folder {}", dir.display()))?;
        Ok(dir)
    }

    /// The data folder's path, whether or not it exists.
    pub fn data_dir_path(&self) -> anyhow::Result<PathBuf> {
        match self.data_dir.clone().or(self.file()?.data_dir) {
            Some(d) => Ok(d),
            None => directories::ProjectDirs::from("id", "Pantau", "pantau")
                .map(|p| p.data_dir().to_path_buf())
                .context("no home folder to keep data in; set PANTAU_DATA_DIR"),
        }
    }

    /// The database settings; the data folder is created when the default
    /// SQLite file is to live there.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let settings = self.settings_as_is()?;
        if self.database_url.is_none() && self.file()?.database_url.is_none() {
            self.data_dir()?;
        }
        Ok(settings)
    }

    /// The database settings, creating nothing.
    pub fn settings_as_is(&self) -> anyhow::Result<Settings> {
        let file = self.file()?;
        let url = match self.database_url.clone().or(file.database_url.clone()) {
            Some(url) => url,
            None => sqlite_url(&self.data_dir_path()?.join("pantau.db")),
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

/// Where an installed Pantau keeps its workflows and templates: `share/pantau`
/// beside the binary's `bin` folder (`/usr/bin/pantau` → `/usr/share/pantau`).
/// None for a binary run from a build folder.
pub fn installed_share() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?.canonicalize().ok()?;
    let prefix = exe.parent()?.parent()?;
    Some(prefix.join("share").join("pantau")).filter(|d| d.is_dir())
}

/// The settings file of an installed Pantau: `/etc/pantau/pantau.toml` for
/// one under `/usr`, `PREFIX/etc/pantau/pantau.toml` otherwise.
fn installed_config() -> Option<PathBuf> {
    let share = installed_share()?;
    let prefix = share.parent()?.parent()?;
    let etc = if prefix == Path::new("/usr") {
        PathBuf::from("/etc")
    } else {
        prefix.join("etc")
    };
    Some(etc.join("pantau").join("pantau.toml"))
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
