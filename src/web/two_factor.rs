//! Two-factor authentication: enrolling with a QR code (or the secret typed in),
//! confirming with a first code, the recovery codes shown once, and turning it off.

use super::errors::{WebError, sentence};
use super::forms::{Errors, Field};
use super::layout::{csrf, page, page_with, see_other};
use super::session::{Posted, Viewer};
use crate::api::{AppState, ClientInfo};
use crate::auth::AuthError;
use crate::domain::Role;
use axum::{extract::State, http::StatusCode, response::Response};
use maud::{Markup, PreEscaped, html};

/// The otpauth URI as an inline SVG QR code.
fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(220, 220)
                .dark_color(qrcode::render::svg::Color("#000000"))
                .light_color(qrcode::render::svg::Color("#ffffff"))
                .build();
            match svg.find("<svg") {
                Some(i) => svg[i..].to_owned(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

fn secret_of(uri: &str) -> String {
    url::Url::parse(uri)
        .ok()
        .and_then(|u| u.query_pairs().find(|(k, _)| k == "secret").map(|(_, v)| v.into_owned()))
        .unwrap_or_default()
}

fn enrol_page(v: &Viewer, uri: &str, errors: &Errors) -> Markup {
    let secret = secret_of(uri);
    html! {
        h1 { "Set up two-factor authentication" }
        ol.steps {
            li {
                p { "Scan this code with an authenticator app." }
                figure.qr {
                    div role="img" aria-label="QR code that adds HoloMesh to an authenticator app" { (PreEscaped(qr_svg(uri))) }
                    figcaption { "Can't scan it? Type this key into the app: " code.secret { (secret) } }
                }
            }
            li {
                form method="post" action="/account/two-factor/confirm" novalidate {
                    (errors.summary())
                    (csrf(v))
                    input type="hidden" name="uri" value=(uri);
                    (Field::new("code", "Code from the app").autocomplete("one-time-code").inputmode("numeric").required()
                        .hint("Six digits; they change every 30 seconds.").render(errors))
                    button type="submit" { "Turn on two-factor authentication" }
                }
            }
        }
    }
}

/// `GET /account/two-factor`.
pub async fn show(v: Viewer) -> Result<Response, WebError> {
    let user = v.require()?;
    let on = user.totp_enabled;
    let errors = Errors::default();
    let body = html! {
        h1 { "Two-factor authentication" }
        p { "Status: " strong { @if on { "on" } @else { "off" } } }
        @if on {
            @if user.role == Role::Admin {
                p { "Administrators must keep two-factor authentication on." }
            } @else {
                form method="post" action="/account/two-factor/disable" novalidate {
                    (csrf(&v))
                    (Field::new("password", "Your password").kind("password").autocomplete("current-password").required().render(&errors))
                    (Field::new("code", "Code from the app, or a recovery code").autocomplete("one-time-code").required().render(&errors))
                    button type="submit" .danger { "Turn off two-factor authentication" }
                }
            }
        } @else {
            p { "Signing in will also ask for a code from an authenticator app on your phone." }
            form method="post" action="/account/two-factor/enroll" {
                (csrf(&v))
                button type="submit" { "Set up two-factor authentication" }
            }
        }
        p { a href="/account" { "Back to your account" } }
    };
    Ok(page(&v, "Two-factor authentication", body))
}

/// `POST /account/two-factor/enroll`: a new secret, shown once as a QR code.
pub async fn enroll(State(state): State<AppState>, client: ClientInfo, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let e = state.auth.totp_enroll(user, client.address.as_deref()).await?;
    Ok(page(v, "Set up two-factor authentication", enrol_page(v, &e.otpauth_uri, &Errors::default())))
}

/// `POST /account/two-factor/confirm`: turns it on and shows the recovery codes.
pub async fn confirm(State(state): State<AppState>, client: ClientInfo, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let code = post.form.text("code");
    let mut errors = Errors::default();
    if code.is_empty() {
        errors.add("code", "Enter the six digits from the app");
    } else {
        match state.auth.totp_confirm(user, code, client.address.as_deref()).await {
            Ok(codes) => {
                let body = html! {
                    h1 { "Two-factor authentication is on" }
                    p { "Keep these recovery codes somewhere safe. Each works once, if you lose your phone. They are shown only now." }
                    ul.codes aria-label="Recovery codes" { @for c in &codes { li { code { (c) } } } }
                    p { a href="/account" { "Back to your account" } }
                };
                return Ok(page(v, "Recovery codes", body));
            }
            Err(AuthError::InvalidMfaCode) => errors.add("code", "That code is wrong or expired; try the next one"),
            Err(AuthError::Conflict(m)) => errors.add("code", sentence(&m)),
            Err(e) => return Err(e.into()),
        }
    }
    let uri = post.form.text("uri");
    let body = enrol_page(v, uri, &errors);
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Set up two-factor authentication", body))
}

/// `POST /account/two-factor/disable`.
pub async fn disable(State(state): State<AppState>, client: ClientInfo, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    if user.role == Role::Admin {
        return Err(WebError::Status(
            StatusCode::FORBIDDEN,
            "Administrators must keep two-factor authentication on.".into(),
        ));
    }
    let password = Some(post.form.text("password").to_owned());
    // Turning 2FA off signs the account out everywhere, this browser too.
    match state.auth.totp_disable(user, post.form.text("code"), password, client.address.as_deref()).await {
        Ok(()) => Ok(see_other("/sign-in?notice=totp_off")),
        Err(e @ (AuthError::InvalidMfaCode | AuthError::InvalidCredentials | AuthError::Invalid(_))) => {
            let mut errors = Errors::default();
            match e {
                AuthError::InvalidMfaCode => errors.add("code", "That code is wrong or already used"),
                _ => errors.add("password", "Enter your password"),
            }
            let body = html! {
                h1 { "Two-factor authentication" }
                form method="post" action="/account/two-factor/disable" novalidate {
                    (errors.summary())
                    (csrf(v))
                    (Field::new("password", "Your password").kind("password").autocomplete("current-password").required().render(&errors))
                    (Field::new("code", "Code from the app, or a recovery code").autocomplete("one-time-code").required().render(&errors))
                    button type="submit" .danger { "Turn off two-factor authentication" }
                }
            };
            Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Two-factor authentication", body))
        }
        Err(e) => Err(e.into()),
    }
}
