//! A signed-in (or not) person's page: the header with the main navigation and
//! sign-out, the voice assistant, the notice after a redirect; plus small
//! formatting helpers.

use super::document::{brand, document, no_store};
use super::session::Viewer;
use crate::domain::Role;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use maud::{Markup, html};
use time::OffsetDateTime;

/// The messages a redirect may ask for (`?notice=`); anything else shows nothing.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "signed_in" => "You are signed in.",
        "signed_out" => "You are signed out.",
        "signed_up" => "Welcome! Your account is ready and you are signed in.",
        "purchased" => "Purchase complete. Your licence is below.",
        "deposited" => "The money is in your wallet.",
        "subscribed" => "Your subscription is saved.",
        "unsubscribed" => "You are no longer subscribed.",
        "draft_saved" => "Draft saved. Publish it when you are ready.",
        "published" => "Published. The chip's signed record is ready.",
        "review_saved" => "Thank you, your review is published.",
        "session_revoked" => "That session is signed out.",
        "totp_off" => "Two-factor authentication is off, and you were signed out everywhere: sign in again.",
        "role_changed" => "The role is changed.",
        "refunded" => "The purchase is refunded.",
        "group_created" => "The group is created.",
        "member_added" => "The member is added.",
        "thread_created" => "The thread is open.",
        "posted" => "Your reply is posted.",
        "collaboration_created" => "The collaboration is recorded.",
        "read" => "Marked as read.",
        "profile_saved" => "Your profile is saved.",
        "voice_done" => "Done.",
        _ => return None,
    })
}

struct NavItem {
    href: &'static str,
    label: &'static str,
    role: Option<Role>,
}

const NAV: &[NavItem] = &[
    NavItem { href: "/chips", label: "Chips", role: None },
    NavItem { href: "/designers", label: "Designers", role: None },
    NavItem { href: "/community", label: "Community", role: Some(Role::User) },
    NavItem { href: "/following", label: "Following", role: Some(Role::User) },
    NavItem { href: "/wallet", label: "Wallet", role: Some(Role::User) },
    NavItem { href: "/studio", label: "Studio", role: Some(Role::Designer) },
    NavItem { href: "/voice", label: "Voice", role: Some(Role::User) },
    NavItem { href: "/admin", label: "Admin", role: Some(Role::Admin) },
    NavItem { href: "/account", label: "Account", role: Some(Role::User) },
];

fn current(path: &str, href: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    path == href || path.starts_with(&format!("{href}/"))
}

fn header(v: &Viewer) -> Markup {
    html! {
        header.site-header {
            (brand())
            nav aria-label="Main" {
                ul.nav {
                    @for item in NAV {
                        @if item.role.is_none_or(|r| v.has_role(r)) {
                            li { a href=(item.href) aria-current=[current(&v.path, item.href).then_some("page")] { (item.label) } }
                        }
                    }
                    @if v.user().is_none() {
                        li { a href="/sign-in" aria-current=[current(&v.path, "/sign-in").then_some("page")] { "Sign in" } }
                        li { a href="/sign-up" aria-current=[current(&v.path, "/sign-up").then_some("page")] { "Sign up" } }
                    }
                }
            }
            @if let Some(user) = v.user() {
                form.sign-out method="post" action="/sign-out" {
                    (csrf(v))
                    span.who { "Signed in as " strong { (user.display_name) } }
                    button type="submit" { "Sign out" }
                }
            }
        }
    }
}

/// The voice assistant: push-to-talk with JavaScript, a typed command without.
fn voice_panel(v: &Viewer) -> Markup {
    if v.user().is_none() {
        return html! {};
    }
    html! {
        section.voice #voice aria-labelledby="voice-title" {
            h2 #voice-title { "Voice assistant" }
            div.voice-controls hidden data-voice-controls {
                button type="button" #ptt aria-pressed="false" aria-keyshortcuts="Alt+Shift+V" aria-describedby="ptt-help" {
                    "Hold to talk"
                }
                label.check { input type="checkbox" #ptt-toggle; " Press once to start, again to stop" }
                label.check { input type="checkbox" #speak-replies checked; " Speak replies" }
                p #ptt-help .hint { "Or hold Alt+Shift+V. The microphone records only while the button is down." }
            }
            form.say method="post" action="/voice" {
                (csrf(v))
                label for="say-text" { "Type a command" }
                div.inline {
                    input #say-text type="text" name="text" autocomplete="off" maxlength="1000"
                        placeholder="e.g. buy the falcon dsp";
                    button type="submit" { "Send" }
                }
            }
            div.voice-output data-voice-output hidden {
                p { "Heard: " span data-heard {} }
                p { "Understood: " span data-understood {} }
            }
            p.voice-reply #voice-reply aria-live="polite" role="status" data-voice-reply {}
            div.voice-confirm data-voice-confirm hidden {
                button type="button" data-voice-answer="confirm" { "Confirm" }
                button type="button" .secondary data-voice-answer="cancel" { "Cancel" }
            }
        }
    }
}

/// The hidden CSRF field every form carries.
pub fn csrf(v: &Viewer) -> Markup {
    html! { input type="hidden" name="_csrf" value=(v.csrf); }
}

fn shell(v: &Viewer, title: &str, body: Markup) -> Markup {
    let notice = v.notice.as_deref().and_then(notice_text);
    let notice = html! { @if let Some(n) = notice { p { (n) } } };
    document(title, header(v), notice, body, voice_panel(v))
}

/// A full page for `v` with status 200.
pub fn page(v: &Viewer, title: &str, body: Markup) -> Response {
    page_with(v, StatusCode::OK, title, body)
}

/// A full page with a status (e.g. 422 for a form with errors).
pub fn page_with(v: &Viewer, status: StatusCode, title: &str, body: Markup) -> Response {
    let mut resp = (status, axum::response::Html(shell(v, title, body).into_string())).into_response();
    no_store(&mut resp);
    if let Some(pre) = &v.new_pre
        && let Ok(value) = HeaderValue::from_str(&v.policy.set(v.policy.pre_session_name(), pre, None))
    {
        resp.headers_mut().append(header::SET_COOKIE, value);
    }
    resp
}

/// A 303 to `to` (after a form post).
pub fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}

/// `2026-12-07`.
pub fn date(t: OffsetDateTime) -> String {
    let d = t.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `2026-12-07 14:05 UTC`.
pub fn datetime(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", date(t), t.hour(), t.minute())
}

/// A `<time>` element.
pub fn when(t: OffsetDateTime) -> Markup {
    let iso = t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    html! { time datetime=(iso) { (datetime(t)) } }
}

/// Stars as text a screen reader reads well: "4.5 of 5 (12 reviews)".
pub fn rating(avg_milli: Option<i64>, count: i64) -> String {
    match avg_milli {
        Some(m) if count > 0 => {
            let noun = if count == 1 { "review" } else { "reviews" };
            format!("{}.{} of 5 ({count} {noun})", m / 1000, (m % 1000) / 100)
        }
        _ => "No reviews yet".into(),
    }
}
