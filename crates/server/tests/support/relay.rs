//! A TCP relay between the browser and the app that can lose answers: a
//! request whose first line matches reaches the app and is handled, but its
//! answer never reaches the phone (the connection drops when the app starts
//! answering), as when a weak signal fails after the server saved a visit.
//! It can also lose the signal altogether: every connection is cut and no
//! request reaches the app, whoever sends it (the page, or its service
//! worker, which Chromium's own offline emulation does not reach).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Default)]
struct Cut {
    /// Requests whose bytes hold this lose their answers, while set.
    pattern: Mutex<Option<Vec<u8>>>,
    /// Answers lost so far.
    lost: AtomicUsize,
    /// No signal at all, while set.
    down: AtomicBool,
}

/// The relay; its `base` is what the browser opens instead of the app's.
#[derive(Debug)]
pub struct Relay {
    pub base: String,
    cut: Arc<Cut>,
}

impl Relay {
    /// Relays `upstream` (`http://HOST:PORT`) on a port of its own.
    pub async fn start(upstream: &str) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let cut = Arc::new(Cut::default());
        let shared = cut.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if shared.down.load(Ordering::SeqCst) {
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    continue;
                };
                tokio::spawn(pipe(client, server, shared.clone()));
            }
        });
        Relay { base, cut }
    }

    /// From now on, every request that holds `text` (e.g. `POST /kasus/ID/aksi`)
    /// is handled by the app but its answer is lost; `None` relays all again.
    pub fn lose_answers(&self, text: Option<&str>) {
        *self.cut.pattern.lock().unwrap() = text.map(|t| t.as_bytes().to_vec());
    }

    /// Cuts (`true`) or restores the signal: while cut, nothing reaches the app.
    pub fn no_signal(&self, down: bool) {
        self.cut.down.store(down, Ordering::SeqCst);
    }

    /// How many answers were lost.
    pub fn lost(&self) -> usize {
        self.cut.lost.load(Ordering::SeqCst)
    }
}

/// One connection both ways; a marked one closes when the app answers.
async fn pipe(client: TcpStream, server: TcpStream, cut: Arc<Cut>) {
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    let marked = AtomicBool::new(false);
    let up = async {
        let mut buf = vec![0; 64 * 1024];
        loop {
            let n = from_client.read(&mut buf).await.unwrap_or(0);
            if n == 0 || cut.down.load(Ordering::SeqCst) {
                return;
            }
            let bytes = &buf[..n];
            if let Some(p) = cut.pattern.lock().unwrap().as_deref()
                && bytes.windows(p.len()).any(|w| w == p)
            {
                marked.store(true, Ordering::SeqCst);
            }
            if to_server.write_all(bytes).await.is_err() {
                return;
            }
        }
    };
    let down = async {
        let mut buf = vec![0; 64 * 1024];
        loop {
            let n = from_server.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                return;
            }
            if marked.load(Ordering::SeqCst) {
                // The app has answered, so it has done the work: drop the answer.
                cut.lost.fetch_add(1, Ordering::SeqCst);
                return;
            }
            if to_client.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    // Whichever side ends first ends the connection (both halves dropped).
    tokio::select! {
        () = up => {}
        () = down => {}
    }
}
