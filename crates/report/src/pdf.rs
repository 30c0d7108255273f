//! PDF: headless Chromium prints the report's own HTML (`--print-to-pdf`).
//! Chosen over a Rust PDF stack because the HTML already lays out tables,
//! SVG charts and photos, Chromium embeds the fonts it used, and it costs
//! nothing to build (typst would add ~300 crates to a 2-core build); the
//! price is a runtime part, named in the error when it is missing. Behind
//! [`Printer`] so another route can replace it.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::ReportError;

/// Turns a report's HTML into a PDF.
pub trait Printer {
    fn print(&self, html: &str) -> Result<Vec<u8>, ReportError>;
}

/// Debian's `chromium` (or `PANTAU_CHROMIUM`), run headless for each report.
#[derive(Debug, Clone)]
pub struct Chromium {
    pub binary: PathBuf,
    pub timeout: Duration,
}

const CANDIDATES: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "chrome"];

impl Chromium {
    /// `PANTAU_CHROMIUM`, else the first of `chromium`, `chromium-browser`,
    /// `google-chrome` on the `PATH`.
    pub fn find() -> Result<Chromium, ReportError> {
        let binary = match std::env::var_os("PANTAU_CHROMIUM") {
            Some(p) => PathBuf::from(p),
            None => std::env::var_os("PATH")
                .iter()
                .flat_map(std::env::split_paths)
                .flat_map(|dir| CANDIDATES.map(|c| dir.join(c)))
                .find(|p| p.is_file())
                .ok_or_else(|| {
                    ReportError::Pdf(
                        "no Chromium found to print the PDF: install it \
                         (Debian: `apt-get install chromium fonts-noto-core`) or set \
                         PANTAU_CHROMIUM to its path; HTML, CSV and XLSX need nothing"
                            .into(),
                    )
                })?,
        };
        Ok(Chromium {
            binary,
            timeout: Duration::from_secs(90),
        })
    }
}

impl Printer for Chromium {
    fn print(&self, html: &str) -> Result<Vec<u8>, ReportError> {
        let io = |what: &str, e: std::io::Error| ReportError::Pdf(format!("{what}: {e}"));
        let dir = tempfile::tempdir().map_err(|e| io("temporary folder", e))?;
        let page = dir.path().join("report.html");
        let out = dir.path().join("report.pdf");
        std::fs::write(&page, html).map_err(|e| io("writing the HTML", e))?;
        let mut child = Command::new(&self.binary)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-pdf-header-footer",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .arg(format!("--print-to-pdf={}", out.display()))
            .arg(format!("file://{}", page.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| io(&format!("starting {}", self.binary.display()), e))?;
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child
                .try_wait()
                .map_err(|e| io("waiting for Chromium", e))?
            {
                break status;
            }
            if started.elapsed() > self.timeout {
                child.kill().ok();
                child.wait().ok();
                return Err(ReportError::Pdf(format!(
                    "Chromium did not finish within {} s",
                    self.timeout.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let pdf = std::fs::read(&out).unwrap_or_default();
        if !status.success() || !pdf.starts_with(b"%PDF") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read as _;
                e.read_to_string(&mut err).ok();
            }
            let last: Vec<&str> = err.lines().rev().take(3).collect();
            return Err(ReportError::Pdf(format!(
                "Chromium ({status}) wrote no PDF: {}",
                last.join(" | ")
            )));
        }
        Ok(pdf)
    }
}
