//! The web app on the real router: security headers (CSP without unsafe-inline),
//! cookie flags, CSRF rejection on forms and on API writes made with the cookie,
//! sign-out revoking the API session, and the no-JavaScript buy flow through plain
//! form posts. SQLite + memory and PostgreSQL + Redis.

mod support;

use holomesh::cache::CacheBus;
use holomesh::store::Store;
use reqwest::{Method, StatusCode, header};
use serde_json::json;
use support::http::{PASSWORD, TestServer};

/// A browser without JavaScript: keeps cookies, follows nothing by itself.
struct Browser<'a> {
    s: &'a TestServer,
    cookies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    fn new(s: &'a TestServer) -> Self {
        Self { s, cookies: vec![] }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep(&mut self, resp: &reqwest::Response) -> Vec<String> {
        let set: Vec<String> = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for c in &set {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(name, _)| name != k);
                if !v.is_empty() && !c.contains("Max-Age=0") {
                    self.cookies.push((k.to_owned(), v.to_owned()));
                }
            }
        }
        set
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let resp =
            self.s.req(Method::GET, path, None).header(header::COOKIE, self.cookie_header()).send().await.expect("get");
        self.keep(&resp);
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, resp.text().await.expect("body"), headers)
    }

    /// Posts a form; returns status, `Location`, the `Set-Cookie` values and the body.
    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, Vec<String>, String) {
        let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let resp = self
            .s
            .req(Method::POST, path, None)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("post");
        let set = self.keep(&resp);
        let status = resp.status();
        let location = resp.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        (status, location, set, resp.text().await.expect("body"))
    }
}

/// The value of the first `<input name="NAME" value="…">` in a page.
fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no field {name} in the page")) + marker.len();
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

async fn sign_up<'a>(s: &'a TestServer, name: &str, role: &str) -> (Browser<'a>, Vec<String>) {
    let mut b = Browser::new(s);
    let (status, page, _) = b.get("/sign-up").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = field(&page, "_csrf");
    let email = format!("{name}@example.org");
    let (status, location, set, _) = b
        .post(
            "/sign-up",
            &[("_csrf", &csrf), ("display_name", name), ("email", &email), ("password", PASSWORD), ("role", role)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/?notice=signed_up");
    (b, set)
}

async fn headers_and_csp(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |_| {}).await;
    let mut b = Browser::new(&s);
    let (status, page, headers) = b.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().expect("type").starts_with("text/html"));
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().expect("csp");
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(!page.contains("<script>") && !page.contains(" style=\""), "no inline script or style");
    assert!(page.contains("href=\"#main\"") && page.contains("<main id=\"main\""), "skip link to main");
    // A first visit gets the pre-session cookie that binds the forms' CSRF tokens.
    assert!(b.cookies.iter().any(|(k, _)| k == "hm_pre"));
    let (status, manifest, headers) = b.get("/manifest.webmanifest").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/manifest+json");
    let m: serde_json::Value = serde_json::from_str(&manifest).expect("manifest is JSON");
    assert_eq!(m["start_url"], "/");
    let (status, _, headers) = b.get("/sw.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().expect("type").starts_with("text/javascript"));
    // The API keeps answering problem+json for unknown paths.
    let (status, _, headers) = b.get("/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
}

async fn csrf_is_required(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |_| {}).await;
    let mut b = Browser::new(&s);
    let (_, page, _) = b.get("/sign-in").await;
    let csrf = field(&page, "_csrf");
    let form = |token: &'static str| [("_csrf", token), ("email", "x@example.org"), ("password", "wrong")];
    let (status, _, _, _) = b.post("/sign-in", &form("")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token");
    let (status, _, _, _) = b.post("/sign-in", &form("bm90LXRoZS10b2tlbg")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a wrong token");
    // Another browser's token does not work with this browser's cookie.
    let mut other = Browser::new(&s);
    let (_, other_page, _) = other.get("/sign-in").await;
    let theirs = field(&other_page, "_csrf");
    assert_ne!(theirs, csrf);
    let body = [("_csrf", theirs.as_str()), ("email", "x@example.org"), ("password", "wrong")];
    let (status, _, _, _) = b.post("/sign-in", &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a token bound to another browser");
    // The right token gets through to the form's own answer (wrong password: 422).
    let body = [("_csrf", csrf.as_str()), ("email", "x@example.org"), ("password", "wrong")];
    let (status, _, _, page) = b.post("/sign-in", &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("aria-describedby=\"f-email-error\""), "the error is tied to its field");

    // Signed in, the token is bound to the session; API writes with the cookie need it too.
    let (mut b, _) = sign_up(&s, "carol", "user").await;
    let (_, page, _) = b.get("/wallet").await;
    let csrf = field(&page, "_csrf");
    let (status, _, _, _) = b.post("/wallet/deposit", &[("amount", "10")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let deposit = |token: Option<&str>| {
        let mut r = s
            .req(Method::POST, "/v1/wallet/deposits", None)
            .header(header::COOKIE, b.cookie_header())
            .json(&json!({"amount_minor": 1000}));
        if let Some(t) = token {
            r = r.header("x-csrf-token", t);
        }
        r
    };
    let resp = deposit(None).send().await.expect("send");
    support::http::expect_problem(resp, StatusCode::FORBIDDEN, "csrf_failed").await;
    let resp = deposit(Some(&csrf)).send().await.expect("send");
    assert_eq!(resp.status(), StatusCode::CREATED);
}

async fn cookies_and_sessions(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |_| {}).await;
    let (mut b, set) = sign_up(&s, "dora", "user").await;
    let session = set.iter().find(|c| c.starts_with("hm_session=")).expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain http: no Secure flag");
    // The cookie authenticates API reads too, and the session is in the API's list.
    let me =
        |b: &Browser<'_>| s.req(Method::GET, "/v1/me/sessions", None).header(header::COOKIE, b.cookie_header()).send();
    let resp = me(&b).await.expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    let sessions: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(sessions["items"].as_array().map(Vec::len), Some(1));
    let (status, page, _) = b.get("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("(this browser)"));
    // Signing out revokes the session: the cookie stops working everywhere.
    let csrf = field(&page, "_csrf");
    let kept = b.cookie_header();
    let (status, location, set, _) = b.post("/sign-out", &[("_csrf", &csrf)]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/?notice=signed_out"));
    assert!(set.iter().any(|c| c.starts_with("hm_session=;") && c.contains("Max-Age=0")));
    let resp = s.req(Method::GET, "/v1/me", None).header(header::COOKIE, kept.clone()).send().await.expect("send");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "the old cookie is revoked");
    let resp = s.req(Method::GET, "/account", None).header(header::COOKIE, kept).send().await.expect("send");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[header::LOCATION], "/sign-in?next=%2Faccount");
}

async fn secure_cookies_on_https(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |c| c.server.public_url = "https://market.example".into()).await;
    let mut b = Browser::new(&s);
    let (_, page, headers) = b.get("/sign-up").await;
    let pre = headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join("\n");
    assert!(pre.contains("__Host-hm_pre=") && pre.contains("; Secure"), "{pre}");
    let csrf = field(&page, "_csrf");
    let form = [
        ("_csrf", csrf.as_str()),
        ("display_name", "erin"),
        ("email", "erin@example.org"),
        ("password", PASSWORD),
        ("role", "user"),
    ];
    let (status, _, set, _) = b.post("/sign-up", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let session = set.iter().find(|c| c.starts_with("__Host-hm_session=")).expect("session cookie");
    assert!(session.contains("; Secure") && session.contains("HttpOnly") && session.contains("SameSite=Lax"));
}

async fn buy_without_javascript(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |_| {}).await;
    let (_, designer, _) = s.signup("frank", "designer").await;
    let body = json!({"vlnv": "frank:dsp:falcon:1.0", "title": "Falcon DSP", "description": "A DSP", "category": "dsp",
        "process_node": "28nm", "tags": [], "price": {"amount_minor": 2450, "currency": "USD"}, "royalty_bps": 0,
        "content_sha256": "ab".repeat(32), "content_size": 10});
    let (st, chip) = s.call(Method::POST, "/v1/chips", Some(&designer), Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{chip}");
    let id = chip["id"].as_str().expect("id").to_owned();
    let (st, _) = s.call(Method::POST, &format!("/v1/chips/{id}/publish"), Some(&designer), None).await;
    assert_eq!(st, StatusCode::OK);

    let (mut b, _) = sign_up(&s, "gina", "user").await;
    let (_, page, _) = b.get("/chips?q=falcon&sort=price").await;
    assert!(page.contains(&format!("/chips/{id}")), "search finds the chip");
    let (_, page, _) = b.get("/wallet").await;
    let csrf = field(&page, "_csrf");
    let (status, location, _, _) = b.post("/wallet/deposit", &[("_csrf", &csrf), ("amount", "100")]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/wallet?notice=deposited"));
    let (status, page, _) = b.get(&format!("/chips/{id}/buy")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Confirm purchase") && page.contains("$24.50"));
    let key = field(&page, "idempotency_key");
    let form = [("_csrf", csrf.as_str()), ("idempotency_key", key.as_str())];
    let (status, location, _, _) = b.post(&format!("/chips/{id}/buy"), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/purchases/") && location.ends_with("?notice=purchased"), "{location}");
    // Sending the same confirmation twice buys once.
    let (_, again, _, _) = b.post(&format!("/chips/{id}/buy"), &form).await;
    assert_eq!(again, location);
    let (status, receipt, _) = b.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(receipt.contains("Purchase complete") && receipt.contains("Licence token"));
    let (_, wallet, _) = b.get("/wallet").await;
    assert!(wallet.contains("$75.50"), "paid once");
}

http_conformance!(
    headers_and_csp,
    csrf_is_required,
    cookies_and_sessions,
    secure_cookies_on_https,
    buy_without_javascript
);
