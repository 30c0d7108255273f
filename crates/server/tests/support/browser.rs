//! A real headless Chromium (Debian's `chromium` and `chromium-driver`)
//! driven over WebDriver (fantoccini), for the browser tests.

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::Running;

/// Skips (or, under `PANTAU_REQUIRE_ALL=1`, fails) when a part is missing.
pub fn skip(reason: &str) {
    if std::env::var("PANTAU_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("required part missing (PANTAU_REQUIRE_ALL=1): {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

/// chromedriver, in a process group of its own with the browser it starts,
/// and the browser's profile folder. Dropped, the whole group is killed
/// (killing chromedriver alone left its Chromium running after the tests)
/// and the folder removed.
pub struct Driver {
    child: Child,
    profile: std::path::PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let killed = Command::new("kill")
            .args(["-KILL", "--", &group])
            .status()
            .is_ok_and(|s| s.success());
        if !killed {
            self.child.kill().ok();
        }
        self.child.wait().ok();
        std::fs::remove_dir_all(&self.profile).ok();
    }
}

/// A browser whose page lays out `width` CSS px wide: a phone's (below 500
/// px, where a headless Chromium window cannot go) through device
/// emulation, a desktop's by the window's size.
pub async fn browser(width: u32, height: u32) -> Option<(Client, Driver)> {
    browser_with(width, height, &[]).await
}

/// A browser started with `extra` command-line switches as well.
pub async fn browser_with(width: u32, height: u32, extra: &[&str]) -> Option<(Client, Driver)> {
    for part in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        if !Path::new(part).exists() {
            skip(&format!(
                "{part} is missing (apt-get install chromium chromium-driver)"
            ));
            return None;
        }
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let profile = tempfile::tempdir().unwrap().keep();
    let driver = Driver {
        child: Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        profile: profile.clone(),
    };
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-gpu".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        format!("--window-size={width},{height}"),
        format!("--user-data-dir={}", profile.display()),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    let caps: serde_json::Map<String, Value> = serde_json::from_value(json!({
        "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args }
    }))
    .unwrap();
    let started = Instant::now();
    loop {
        // chromedriver speaks plain HTTP on loopback: no TLS needed.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                resize(&c, width, height).await;
                return Some((c, driver));
            }
            Err(e) if started.elapsed() > Duration::from_secs(20) => {
                panic!("chromedriver did not start: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

pub async fn sign_in(c: &Client, app: &Running, login: &str) {
    sign_in_at(c, &app.base, login).await;
}

/// Signs in through the form at `base` (`https://name:port`).
pub async fn sign_in_at(c: &Client, base: &str, login: &str) {
    c.goto(&format!("{base}/masuk")).await.unwrap();
    c.find(Locator::Css("input[name=login]"))
        .await
        .unwrap()
        .send_keys(login)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(super::PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/masuk'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(c, |url, _| !url.contains("/masuk")).await;
}

/// Waits until `ready(url, page source)` holds.
pub async fn wait_until(c: &Client, ready: impl Fn(&str, &str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let url = c.current_url().await.unwrap().to_string();
        let source = c.source().await.unwrap();
        if ready(&url, &source) {
            return source;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "page did not get there: {url}\n{}",
            source.chars().take(3000).collect::<String>()
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Fills every field of the form for `action` the way a user would end up
/// with it: text, choices, dates, GPS, rupiah; files through the file input.
pub async fn fill(c: &Client, action: &str, amount: &str, photo: &Path) {
    let script = r#"
        const [action, amount] = arguments;
        const form = document.querySelector(`form input[name=_action][value="${action}"]`).form;
        const details = form.closest('details'); if (details) details.open = true;
        const sure = form.querySelector('[name=_yakin]'); if (sure) sure.checked = true;
        for (const el of form.querySelectorAll('[name^="f."]')) {
            if (el.type === 'hidden') continue;
            if (el.type === 'radio') { if (el.value === 'ya') el.checked = true; continue; }
            if (el.tagName === 'SELECT') { el.value = el.options[1].value; continue; }
            if (el.type === 'date') { el.value = '2026-11-20'; continue; }
            if (el.hasAttribute('data-rupiah')) { el.value = amount; continue; }
            if (el.inputMode === 'numeric') { el.value = '25'; continue; }
            if (el.name.includes('location') || el.name.includes('gps')) { el.value = '-5.4295,105.2610'; continue; }
            el.value = 'Uji coba peramban ' + el.name;
        }
        return Array.from(form.querySelectorAll('input[type=file]')).map(f => f.name);
    "#;
    let files = c
        .execute(script, vec![json!(action), json!(amount)])
        .await
        .unwrap();
    for name in files.as_array().unwrap() {
        let css = format!("form input[type=file][name='{}']", name.as_str().unwrap());
        c.find(Locator::Css(&css))
            .await
            .unwrap()
            .send_keys(&photo.display().to_string())
            .await
            .unwrap();
    }
    let button = c
        .execute("return arguments[0];", vec![json!(action)])
        .await
        .unwrap();
    assert_eq!(button, json!(action));
    c.execute(
        r#"const f = document.querySelector(`form input[name=_action][value="${arguments[0]}"]`).form;
           f.querySelector('button.primary').click();"#,
        vec![json!(action)],
    )
    .await
    .unwrap();
}

/// The program's totals as the API reports them to `login`.
pub async fn totals(app: &Running, login: &str, program: &str) -> Value {
    let token = app.token(login).await;
    let (_, d) = app.get(&token, "/api/dashboard").await;
    d["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == program)
        .unwrap()["total"]
        .clone()
}

/// chromedriver's network conditions: offline, or back online.
#[derive(Debug)]
struct Network {
    offline: bool,
}

impl WebDriverCompatibleCommand for Network {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/chromium/network_conditions",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let conditions = json!({ "network_conditions": {
            "offline": self.offline, "latency": 0,
            "download_throughput": 10_000_000, "upload_throughput": 10_000_000,
        }});
        (axum::http::Method::POST, Some(conditions.to_string()))
    }
}

pub async fn offline(c: &Client, offline: bool) {
    c.issue_cmd(Network { offline }).await.unwrap();
}

/// Polls `script` (returning a value) until `done` holds for it.
pub async fn until(c: &Client, script: &str, done: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let v = c.execute_async(script, vec![]).await.unwrap();
        if done(&v) {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "never reached: {script} -> {v}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The phone's queue: `[{key, status, reason, page}]`.
pub const QUEUE: &str = r#"const done = arguments[arguments.length - 1];
    const r = indexedDB.open('pantau', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('antrian', { keyPath: 'key' });
    r.onsuccess = () => {
      const q = r.result.transaction('antrian').objectStore('antrian').getAll();
      q.onsuccess = () => done(q.result.map(i => ({ key: i.key, status: i.status, reason: i.reason, page: i.page })));
    };"#;

/// Types `text` into the field `css`, emptied first (a file input takes a
/// path, and is not emptied).
pub async fn type_in(c: &Client, css: &str, text: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap();
    if field.attr("type").await.unwrap().as_deref() != Some("file") {
        field.clear().await.unwrap();
    }
    field.send_keys(text).await.unwrap();
}

pub async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Picks the option `value` of the select `css`, as a user would.
pub async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

/// A command of the Chrome DevTools protocol, through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

async fn cdp(c: &Client, cmd: &'static str, params: Value) {
    c.issue_cmd(Cdp { cmd, params }).await.unwrap();
}

/// The width below which a page is laid out as a phone's: headless
/// Chromium keeps its window at least about 500 px wide, so a narrower
/// window would lay out at 500.
const PHONE: u32 = 500;

/// Lays the page out `width` × `height` CSS px: a phone (below 500 px) by
/// DevTools' device emulation (three device pixels to the CSS pixel, a
/// touch screen, the page's `viewport` honoured), a desktop by the window's
/// size with no emulation. The emulation lasts across navigations in the tab.
pub async fn resize(c: &Client, width: u32, height: u32) {
    if width < PHONE {
        emulate(c, width, height, 3.0).await;
        cdp(
            c,
            "Emulation.setTouchEmulationEnabled",
            json!({ "enabled": true, "maxTouchPoints": 5 }),
        )
        .await;
    } else {
        cdp(c, "Emulation.clearDeviceMetricsOverride", json!({})).await;
        cdp(
            c,
            "Emulation.setTouchEmulationEnabled",
            json!({ "enabled": false }),
        )
        .await;
        c.set_window_size(width, height).await.unwrap();
    }
}

async fn emulate(c: &Client, width: u32, height: u32, scale: f64) {
    cdp(
        c,
        "Emulation.setDeviceMetricsOverride",
        json!({
            "width": width, "height": height, "deviceScaleFactor": scale,
            "mobile": width < PHONE, "screenWidth": width, "screenHeight": height,
        }),
    )
    .await;
}

/// The width the page is laid out at, in CSS px: `window.innerWidth`
/// (the root element's `clientWidth` is that less a desktop's scrollbar).
pub async fn layout_width(c: &Client) -> i64 {
    c.execute("return window.innerWidth;", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap()
}

/// The root element's `clientWidth`: the page's width less any scrollbar.
pub async fn client_width(c: &Client) -> i64 {
    c.execute("return document.documentElement.clientWidth;", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap()
}

/// How far the page reaches sideways (`scrollWidth` of the root), in CSS px.
pub async fn page_width(c: &Client) -> i64 {
    c.execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap()
}

/// Under `PANTAU_SHOTS=DIR`, the whole page as a phone (390 px) and a
/// desktop (1280 px) show it, as `DIR/NAME-WIDTH.png`; the page's size is
/// put back.
pub async fn shot(c: &Client, name: &str) {
    let Ok(dir) = std::env::var("PANTAU_SHOTS") else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    let before = size(c).await;
    for (w, h) in [(390u32, 844u32), (1280, 900)] {
        whole_page(c, w, h, &format!("{dir}/{name}-{w}.png")).await;
    }
    put_back(c, before).await;
}

/// Under `PANTAU_SHOTS=DIR`, the whole page at the width it has now, as
/// `DIR/NAME.png`.
pub async fn shot_here(c: &Client, name: &str) {
    let Ok(dir) = std::env::var("PANTAU_SHOTS") else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    let before = size(c).await;
    whole_page(c, before.0, before.1, &format!("{dir}/{name}.png")).await;
    put_back(c, before).await;
}

/// The page's width and height in CSS px.
async fn size(c: &Client) -> (u32, u32) {
    let s = c
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    (s[0].as_u64().unwrap() as u32, s[1].as_u64().unwrap() as u32)
}

/// The page laid out `w` wide and as tall as it is (at most 6000 px),
/// saved as a PNG at one device pixel to the CSS pixel.
async fn whole_page(c: &Client, w: u32, h: u32, file: &str) {
    emulate(c, w, h, 1.0).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let tall = c
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(u64::from(h))
        .min(6000) as u32;
    emulate(c, w, tall.max(h), 1.0).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let png = c.screenshot().await.unwrap();
    std::fs::write(file, png).unwrap();
}

/// The layout before a picture: a phone's emulation again, or the
/// window's own size (never changed by a picture).
async fn put_back(c: &Client, (w, h): (u32, u32)) {
    if w < PHONE {
        resize(c, w, h).await;
    } else {
        cdp(c, "Emulation.clearDeviceMetricsOverride", json!({})).await;
    }
}

/// Lets the browser keep what it downloads in `dir` (headless Chromium
/// refuses downloads unless told where), through DevTools.
pub async fn downloads_to(c: &Client, dir: &Path) {
    cdp(
        c,
        "Browser.setDownloadBehavior",
        json!({ "behavior": "allow", "downloadPath": dir.display().to_string() }),
    )
    .await;
}

/// Waits for the first finished download in `dir`: its path.
pub async fn downloaded(dir: &Path) -> std::path::PathBuf {
    let started = Instant::now();
    loop {
        let done = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_none_or(|x| x != "crdownload"));
        if let Some(p) = done {
            return p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nothing was downloaded into {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
