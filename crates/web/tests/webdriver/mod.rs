//! A small W3C WebDriver client over reqwest, driving Debian's `chromedriver` and headless
//! `chromium`: just what the browser tests use. No sleeps: every wait polls with a deadline.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The running driver process and one browser session.
pub struct Browser {
    driver: Child,
    http: reqwest::Client,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

/// An element of the current page.
#[derive(Clone, Debug)]
pub struct Element(String);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether the browser and its driver are installed.
pub fn available() -> bool {
    Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session.
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match http.get(format!("{base}/status")).send().await {
                Ok(r) if r.status().is_success() => break,
                _ if Instant::now() < deadline => tokio::task::yield_now().await,
                other => panic!("chromedriver did not start: {other:?}"),
            }
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--lang=en-US",
            "--force-device-scale-factor=1",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args, "prefs": { "intl.accept_languages": "en-US,en" } }
        }}});
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_owned();
        Browser {
            driver,
            http,
            base,
            session,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if let Some(e) = v["value"].get("error") {
            panic!("webdriver {path}: {e} {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    pub async fn url(&self) -> String {
        self.get("/url").await.as_str().unwrap().to_owned()
    }

    pub async fn source(&self) -> String {
        self.get("/source").await.as_str().unwrap().to_owned()
    }

    pub async fn set_size(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({ "width": width, "height": height }))
            .await;
    }

    /// Elements matching a CSS selector (possibly none).
    pub async fn all(&self, css: &str) -> Vec<Element> {
        self.post(
            "/elements",
            json!({ "using": "css selector", "value": css }),
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|e| Element(e[ELEMENT].as_str().unwrap().to_owned()))
        .collect()
    }

    /// The first element matching `css`, waiting for it up to ten seconds.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(e) = self.all(css).await.into_iter().next() {
                return e;
            }
            assert!(
                Instant::now() < deadline,
                "no element {css} on {}",
                self.url().await
            );
            tokio::task::yield_now().await;
        }
    }

    /// Waits until the page's text contains `needle` (ten seconds at most).
    pub async fn wait_text(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let body = self.text(&self.find("body").await).await;
            if body.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "`{needle}` never appeared on {}:\n{body}",
                self.url().await
            );
            tokio::task::yield_now().await;
        }
    }

    /// Waits until the URL contains `part`.
    pub async fn wait_url(&self, part: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let u = self.url().await;
            if u.contains(part) {
                return;
            }
            assert!(Instant::now() < deadline, "URL never contained {part}: {u}");
            tokio::task::yield_now().await;
        }
    }

    pub async fn text(&self, e: &Element) -> String {
        self.get(&format!("/element/{}/text", e.0))
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub async fn attr(&self, e: &Element, name: &str) -> Option<String> {
        self.get(&format!("/element/{}/attribute/{name}", e.0))
            .await
            .as_str()
            .map(str::to_owned)
    }

    pub async fn click(&self, e: &Element) {
        self.post(&format!("/element/{}/click", e.0), json!({}))
            .await;
    }

    pub async fn type_into(&self, e: &Element, text: &str) {
        self.post(&format!("/element/{}/value", e.0), json!({ "text": text }))
            .await;
    }

    /// Presses keys on the focused element (`\u{E007}` is Enter).
    pub async fn keys(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                [
                    json!({ "type": "keyDown", "value": c.to_string() }),
                    json!({ "type": "keyUp", "value": c.to_string() }),
                ]
            })
            .collect();
        self.post(
            "/actions",
            json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] }),
        )
        .await;
        self.call(reqwest::Method::DELETE, "/actions", None).await;
    }

    pub async fn script(&self, js: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": js, "args": args }))
            .await
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, path: &Path) {
        let b64 = self.get("/screenshot").await.as_str().unwrap().to_owned();
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Saves a PNG of the whole page (the window grows to the document's height first).
    pub async fn full_screenshot(&self, path: &Path, width: u32) {
        let h = self
            .script(
                "return Math.min(document.documentElement.scrollHeight, 6000);",
                json!([]),
            )
            .await;
        let h = h.as_u64().unwrap_or(900) as u32;
        self.set_size(width, h.max(600) + 140).await;
        self.screenshot(path).await;
    }

    pub async fn quit(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
