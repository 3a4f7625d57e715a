//! The web app's static files (built into the binary), the PWA manifest and
//! service worker, and the security headers every web answer carries.

use axum::{
    extract::{Path, Request},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Scripts, styles, images and workers come from this origin only; nothing inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
     font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { name: "app.css", content_type: "text/css; charset=utf-8", bytes: include_bytes!("static/app.css") },
    Asset { name: "app.js", content_type: "text/javascript; charset=utf-8", bytes: include_bytes!("static/app.js") },
    Asset {
        name: "voice.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("static/voice.js"),
    },
    Asset { name: "icon.svg", content_type: "image/svg+xml", bytes: include_bytes!("static/icon.svg") },
    Asset { name: "icon-192.png", content_type: "image/png", bytes: include_bytes!("static/icon-192.png") },
    Asset { name: "icon-512.png", content_type: "image/png", bytes: include_bytes!("static/icon-512.png") },
];

const MANIFEST: &str = include_str!("static/manifest.webmanifest");
const SERVICE_WORKER: &str = include_str!("static/sw.js");
const OFFLINE: &str = include_str!("static/offline.html");

/// `GET /static/{name}`.
pub async fn static_file(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => ([(header::CONTENT_TYPE, a.content_type), (header::CACHE_CONTROL, "public, max-age=3600")], a.bytes)
            .into_response(),
        None => super::document::error_page(StatusCode::NOT_FOUND, "There is no such file."),
    }
}

/// `GET /manifest.webmanifest`.
pub async fn manifest() -> Response {
    ([(header::CONTENT_TYPE, "application/manifest+json"), (header::CACHE_CONTROL, "public, max-age=3600")], MANIFEST)
        .into_response()
}

/// `GET /sw.js`: always revalidated, so a new version takes over.
pub async fn service_worker() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], SERVICE_WORKER)
        .into_response()
}

/// `GET /offline`: what the service worker shows when the server cannot be reached.
pub async fn offline() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], OFFLINE).into_response()
}

/// Adds the Content-Security-Policy and the other protective headers.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("microphone=(self), camera=(), geolocation=()"),
    );
    resp
}
