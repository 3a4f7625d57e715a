//! Signing up, in (password and TOTP, or an OAuth provider) and out: each browser
//! sign-in is one of the API's sessions, held in an HttpOnly cookie.

use super::errors::{WebError, sentence};
use super::forms::{Errors, Field};
use super::layout::{csrf, page, page_with};
use super::session::{Posted, Viewer};
use crate::api::{AppState, ClientInfo};
use crate::auth::{AuthError, Registration, TokenPair};
use crate::domain::Role;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};
use serde::Deserialize;

/// Where to go after signing in: a path on this site, never another origin.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && next.len() < 500 {
        next
    } else {
        "/"
    }
}

/// Sets the session cookie for `pair`'s session and goes to `to`.
fn signed_in(state: &AppState, pair: &TokenPair, to: &str) -> Result<Response, WebError> {
    let login = state.auth.browser_login(pair)?;
    let policy = state.auth.cookie_policy();
    let mut resp = Redirect::to(to).into_response();
    let h = resp.headers_mut();
    for cookie in
        [policy.set(policy.session_name(), &login.cookie, Some(login.max_age)), policy.clear(policy.pre_session_name())]
    {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.append(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

fn with_notice(next: &str, notice: &str) -> String {
    let next = safe_next(next);
    let sep = if next.contains('?') { '&' } else { '?' };
    format!("{next}{sep}notice={notice}")
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

struct SignIn<'a> {
    email: &'a str,
    next: &'a str,
    errors: Errors,
}

fn sign_in_form(v: &Viewer, f: &SignIn<'_>) -> Markup {
    html! {
        h1 { "Sign in" }
        form method="post" action="/sign-in" novalidate {
            (f.errors.summary())
            (csrf(v))
            input type="hidden" name="next" value=(f.next);
            (Field::new("email", "Email").kind("email").value(f.email).autocomplete("username").required().render(&f.errors))
            (Field::new("password", "Password").kind("password").autocomplete("current-password").required().render(&f.errors))
            (Field::new("code", "Two-factor code").autocomplete("one-time-code").inputmode("numeric")
                .hint("Only if you turned on two-factor authentication: six digits from your app, or a recovery code.").render(&f.errors))
            button type="submit" { "Sign in" }
        }
        @if !v.oauth_providers.is_empty() {
            section aria-labelledby="oauth-title" {
                h2 #oauth-title { "Or sign in with" }
                ul.plain { @for p in &v.oauth_providers { li { a.button.secondary href=(format!("/sign-in/oauth/{p}")) { (p) } } } }
            }
        }
        p { "No account yet? " a href="/sign-up" { "Sign up" } }
    }
}

/// `GET /sign-in`.
pub async fn sign_in_page(v: Viewer, Query(q): Query<NextQuery>) -> Response {
    let next = q.next.as_deref().map(safe_next).unwrap_or("/");
    page(&v, "Sign in", sign_in_form(&v, &SignIn { email: "", next, errors: Errors::default() }))
}

/// `POST /sign-in`.
pub async fn sign_in(State(state): State<AppState>, client: ClientInfo, post: Posted) -> Result<Response, WebError> {
    let (v, f) = (&post.viewer, &post.form);
    let (email, next) = (f.text("email"), safe_next(f.text("next")));
    let mut errors = Errors::default();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if f.text("password").is_empty() {
        errors.add("password", "Enter your password");
    }
    if errors.is_empty() {
        let code = Some(f.text("code")).filter(|c| !c.is_empty());
        let password = f.text("password").to_owned();
        let ip = client.address.as_deref();
        match state.auth.login(email, password, code, ip, client.user_agent.as_deref()).await {
            Ok(pair) => return signed_in(&state, &pair, &with_notice(next, "signed_in")),
            Err(AuthError::MfaRequired) => {
                errors.add("code", "This account has two-factor authentication: enter the code from your app")
            }
            Err(AuthError::InvalidMfaCode) => errors.add("code", "The two-factor code is wrong or already used"),
            Err(AuthError::InvalidCredentials) => errors.add("email", "The email or password is wrong"),
            Err(e @ AuthError::Throttled { .. }) => errors.add("email", sentence(&e.to_string())),
            Err(e) => return Err(e.into()),
        }
    }
    let body = sign_in_form(v, &SignIn { email, next, errors });
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Sign in", body))
}

fn sign_up_form(v: &Viewer, f: &super::session::FormData, errors: &Errors) -> Markup {
    let designer = f.text("role") == "designer";
    html! {
        h1 { "Sign up" }
        form method="post" action="/sign-up" novalidate {
            (errors.summary())
            (csrf(v))
            (Field::new("display_name", "Your name").value(f.text("display_name")).autocomplete("name").required().render(errors))
            (Field::new("email", "Email").kind("email").value(f.text("email")).autocomplete("email").required().render(errors))
            (Field::new("password", "Password").kind("password").autocomplete("new-password").required()
                .hint("At least 12 characters. A few unrelated words work well.").render(errors))
            fieldset {
                legend { "I want to" }
                label.check { input type="radio" name="role" value="user" checked[!designer]; " buy chips" }
                label.check { input type="radio" name="role" value="designer" checked[designer]; " sell my chip designs (and buy)" }
            }
            button type="submit" { "Create account" }
        }
        p { "Already have an account? " a href="/sign-in" { "Sign in" } }
    }
}

/// `GET /sign-up`.
pub async fn sign_up_page(v: Viewer) -> Response {
    page(&v, "Sign up", sign_up_form(&v, &Default::default(), &Errors::default()))
}

/// `POST /sign-up`: creates the account and signs in.
pub async fn sign_up(State(state): State<AppState>, client: ClientInfo, post: Posted) -> Result<Response, WebError> {
    let (v, f) = (&post.viewer, &post.form);
    let mut errors = Errors::default();
    if f.text("display_name").is_empty() {
        errors.add("display_name", "Enter your name");
    }
    if !f.text("email").contains('@') {
        errors.add("email", "Enter an email address like name@example.com");
    }
    if f.text("password").chars().count() < 12 {
        errors.add("password", "Use at least 12 characters for the password");
    }
    if errors.is_empty() {
        let role = if f.text("role") == "designer" { Role::Designer } else { Role::User };
        let reg = Registration {
            email: f.text("email").to_owned(),
            password: f.text("password").to_owned(),
            display_name: f.text("display_name").to_owned(),
            role,
        };
        let ip = client.address.as_deref();
        match state.auth.register(reg, ip).await {
            Ok(_) => {
                let pair = state
                    .auth
                    .login(f.text("email"), f.text("password").to_owned(), None, ip, client.user_agent.as_deref())
                    .await?;
                return signed_in(&state, &pair, "/?notice=signed_up");
            }
            Err(AuthError::Conflict(m)) => errors.add("email", sentence(&m)),
            Err(AuthError::Invalid(m)) if m.contains("email") => errors.add("email", sentence(&m)),
            Err(AuthError::Invalid(m)) if m.contains("password") => errors.add("password", sentence(&m)),
            Err(AuthError::Invalid(m)) => errors.add("display_name", sentence(&m)),
            Err(e) => return Err(e.into()),
        }
    }
    let body = sign_up_form(v, f, &errors);
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Sign up", body))
}

/// `POST /sign-out`: revokes this browser's session and drops the cookie.
pub async fn sign_out(State(state): State<AppState>, client: ClientInfo, post: Posted) -> Result<Response, WebError> {
    if let Some(s) = &post.viewer.session {
        state.auth.browser_logout(s, client.address.as_deref()).await?;
    }
    let policy = state.auth.cookie_policy();
    let mut resp = Redirect::to("/?notice=signed_out").into_response();
    if let Ok(v) = HeaderValue::from_str(&policy.clear(policy.session_name())) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// `GET /sign-in/oauth/{provider}`: off to the provider.
pub async fn oauth_start(State(state): State<AppState>, Path(provider): Path<String>) -> Result<Response, WebError> {
    let url = state.auth.oauth_start(&provider).await?;
    Ok(Redirect::to(&url).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /sign-in/oauth/{provider}/callback`: the provider's redirect (configure
/// `auth.oauth.NAME.redirect_uri` to this address for browser sign-in).
pub async fn oauth_callback(
    State(state): State<AppState>,
    v: Viewer,
    client: ClientInfo,
    Path(provider): Path<String>,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, WebError> {
    if let Some(error) = q.error.as_deref() {
        return Err(state.auth.oauth_refused(&provider, q.state.as_deref(), error).await.into());
    }
    let (code, st) = (q.code.unwrap_or_default(), q.state.unwrap_or_default());
    let ua = client.user_agent.as_deref();
    match state.auth.oauth_callback(&provider, &code, &st, ua, client.address.as_deref()).await {
        Ok(pair) => signed_in(&state, &pair, "/?notice=signed_in"),
        Err(AuthError::MfaPending { mfa_token }) => Ok(mfa_page(&v, &mfa_token, &Errors::default())),
        Err(e) => Err(e.into()),
    }
}

fn mfa_page(v: &Viewer, token: &str, errors: &Errors) -> Response {
    let body = html! {
        h1 { "Two-factor code" }
        form method="post" action="/sign-in/mfa" novalidate {
            (errors.summary())
            (csrf(v))
            input type="hidden" name="mfa_token" value=(token);
            (Field::new("code", "Code").autocomplete("one-time-code").inputmode("numeric").required()
                .hint("Six digits from your app, or a recovery code.").render(errors))
            button type="submit" { "Sign in" }
        }
    };
    page(v, "Two-factor code", body)
}

/// `POST /sign-in/mfa`: finishes an OAuth sign-in for an account with 2FA.
pub async fn mfa(State(state): State<AppState>, client: ClientInfo, post: Posted) -> Result<Response, WebError> {
    let f = &post.form;
    let ua = client.user_agent.as_deref();
    match state.auth.complete_mfa(f.text("mfa_token"), f.text("code"), ua, client.address.as_deref()).await {
        Ok(pair) => signed_in(&state, &pair, "/?notice=signed_in"),
        Err(e) => Err(e.into()),
    }
}
