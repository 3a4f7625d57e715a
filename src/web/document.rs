//! The HTML document every page shares: head, skip link, header, `<main>`, an aside
//! and the footer; the error page, which is drawn without knowing who is looking.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use maud::{DOCTYPE, Markup, PreEscaped, html};

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · HoloMesh" }
            meta name="description" content="HoloMesh: a marketplace for chip designs you can use by voice.";
            meta name="theme-color" content="#0b3d91";
            link rel="manifest" href="/manifest.webmanifest";
            link rel="icon" href="/static/icon.svg" type="image/svg+xml";
            link rel="apple-touch-icon" href="/static/icon-192.png";
            link rel="stylesheet" href="/static/app.css";
            script src="/static/app.js" defer {}
            script src="/static/voice.js" defer {}
        }
    }
}

/// The brand link with its logo.
pub fn brand() -> Markup {
    html! { a.brand href="/" { span aria-hidden="true" { (PreEscaped(LOGO)) } "HoloMesh" } }
}

/// The whole document: `header`, then `<main>` with the `notice` region and `body`,
/// then `aside` (the voice assistant), then the footer.
pub fn document(title: &str, header: Markup, notice: Markup, body: Markup, aside: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip-link href="#main" { "Skip to main content" }
                (header)
                div.layout {
                    main #main tabindex="-1" {
                        div.notice role="status" data-notice { (notice) }
                        (body)
                    }
                    (aside)
                }
                footer.site-footer {
                    p { "HoloMesh — chip designs with signed records. " a href="/voice/help" { "Voice commands" } " · " a href="/openapi.json" { "API" } }
                }
            }
        }
    }
}

/// Pages carry CSRF tokens and personal data: never stored by caches.
pub fn no_store(resp: &mut Response) {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// An error page (no navigation: it may be drawn before the viewer is known).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = html! {
        h1 { (title) }
        p { (message) }
        p { a href="/" { "Go to the home page" } }
    };
    let header = html! { header.site-header { (brand()) } };
    let page = document(title, header, html! {}, body, html! {});
    let mut resp = (status, axum::response::Html(page.into_string())).into_response();
    no_store(&mut resp);
    resp
}

/// The logo (decorative; the brand's name is next to it).
const LOGO: &str = r##"<svg class="logo" viewBox="0 0 32 32" width="28" height="28" focusable="false"><rect x="4" y="4" width="24" height="24" rx="4" fill="#0b3d91"/><rect x="10" y="10" width="12" height="12" rx="1" fill="#fff"/><path d="M8 1v3M14 1v3M20 1v3M26 1v3M8 28v3M14 28v3M20 28v3M26 28v3M1 8h3M1 14h3M1 20h3M1 26h3M28 8h3M28 14h3M28 20h3M28 26h3" stroke="#0b3d91" stroke-width="2"/></svg>"##;
