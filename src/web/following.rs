//! Following designers: subscriptions with auto-buy, price cap, monthly budget and
//! notification frequency; notifications and digests.

use super::errors::WebError;
use super::forms::{Errors, Field, amount_text, checkbox, parse_amount, select};
use super::layout::{csrf, date, page, page_with, see_other, when};
use super::session::{FormData, Posted, Viewer};
use crate::api::AppState;
use crate::domain::{
    DesignerProfile, Handle, Id, Money, NotifyFrequency, PageRequest, Subscription, SubscriptionChange,
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use maud::{Markup, html};

const FREQUENCIES: &[(&str, &str)] =
    &[("immediate", "Right away"), ("daily", "Daily digest"), ("weekly", "Weekly digest"), ("off", "Never")];

fn frequency_label(f: NotifyFrequency) -> &'static str {
    FREQUENCIES.iter().find(|(v, _)| *v == f.as_str()).map_or("", |(_, l)| l)
}

fn summary(s: &Subscription) -> String {
    let mut parts = vec![format!("Notifications: {}", frequency_label(s.notify).to_lowercase())];
    if s.auto_purchase {
        parts.push(match s.max_price {
            Some(m) => format!("auto-buy under {m}"),
            None => "auto-buy everything new".into(),
        });
    }
    if let Some(b) = s.monthly_budget {
        parts.push(format!("budget {b} a month"));
    }
    parts.join(", ")
}

/// `GET /following`: subscriptions, notifications and digests.
pub async fn overview(State(state): State<AppState>, v: Viewer) -> Result<Response, WebError> {
    let user = v.require()?;
    let subs = state.market.subscriptions().list(user).await?;
    let mut rows = vec![];
    for s in &subs {
        rows.push((state.market.profiles().designer_of(s.designer_id).await?, s));
    }
    let notes = state.market.notifications().list(user, false, PageRequest::first(30)).await?;
    let digests = state.market.notifications().digests(user).await?;
    let body = html! {
        h1 { "Following" }
        section aria-labelledby="subs-title" {
            h2 #subs-title { "Designers you follow" }
            @if rows.is_empty() { p { "You follow no one yet. Open a designer's page and choose Follow." " " a href="/designers" { "Find designers" } } }
            ul.plain {
                @for (d, s) in &rows {
                    @if let Some(d) = d {
                        li {
                            a href=(format!("/designers/{}", d.handle)) { (d.display_name) } ": " (summary(s)) ". "
                            a href=(format!("/following/{}", d.handle)) aria-label=(format!("Change the subscription to {}", d.display_name)) { "Change" }
                        }
                    }
                }
            }
        }
        section aria-labelledby="notes-title" {
            h2 #notes-title { "Notifications" }
            @if notes.items.is_empty() { p { "No notifications." } }
            ul.notifications data-live-notifications {
                @for n in &notes.items {
                    li.unread[!n.read] {
                        p {
                            @if !n.read { span.badge { "New" } " " }
                            "New chip: "
                            @if let Some(c) = n.chip_id { a href=(format!("/chips/{c}")) { (n.payload["title"].as_str().unwrap_or("a chip")) } }
                            " · " (when(n.created_at)) " · " (n.deliver)
                        }
                        @if !n.read {
                            form method="post" action=(format!("/notifications/{}/read", n.id)) {
                                (csrf(&v))
                                button type="submit" .secondary .small aria-label=(format!("Mark the notification about {} as read", n.payload["title"].as_str().unwrap_or("a chip"))) { "Mark as read" }
                            }
                        }
                    }
                }
            }
        }
        // Shown by app.js where the browser can receive push messages and the server sends them.
        section aria-labelledby="push-title" data-push hidden {
            h2 #push-title { "Push notifications" }
            p { "Get new chips from designers you follow on this device, even when HoloMesh is closed." }
            form data-push-form { (csrf(&v)) button type="button" data-push-toggle { "Turn on push notifications" } }
            p role="status" data-push-status {}
        }
        section aria-labelledby="digests-title" {
            h2 #digests-title { "Digests" }
            @if digests.is_empty() { p { "No digests yet. Daily and weekly notifications are gathered here." } }
            ul.plain { @for d in &digests { li { (d.period.as_str()) " digest from " (date(d.period_start.midnight().assume_utc())) ": " (d.notification_ids.len()) " notifications" } } }
        }
    };
    Ok(page(&v, "Following", body))
}

fn subscription_form(v: &Viewer, d: &DesignerProfile, f: &FormData, errors: &Errors, exists: bool) -> Markup {
    html! {
        h1 { "Follow " (d.display_name) }
        form method="post" action=(format!("/following/{}", d.handle)) novalidate {
            (errors.summary())
            (csrf(v))
            (select("notify", "Tell me about new chips", FREQUENCIES, f.text("notify"), errors))
            (checkbox("auto_purchase", "Buy new chips automatically", f.checked("auto_purchase"), Some("HoloMesh buys each new chip once, within the limits below.")))
            (Field::new("max_price", "Price cap").value(f.text("max_price")).inputmode("decimal").hint("Only chips at or under this price, in dollars. Empty: no cap.").render(errors))
            (Field::new("monthly_budget", "Monthly budget").value(f.text("monthly_budget")).inputmode("decimal").hint("Auto-buy stops for the month at this total, in dollars. Empty: no budget.").render(errors))
            button type="submit" { "Save subscription" }
        }
        @if exists {
            form method="post" action=(format!("/following/{}/delete", d.handle)) {
                (csrf(v))
                button type="submit" .danger { "Stop following " (d.display_name) }
            }
        }
    }
}

async fn designer(state: &AppState, handle: &str) -> Result<DesignerProfile, WebError> {
    let h = Handle::parse(handle).map_err(|_| WebError::not_found("designer"))?;
    Ok(state.market.profiles().designer_profile(h.as_str()).await?)
}

/// `GET /following/{handle}`: the subscription form, filled with the current settings.
pub async fn edit(State(state): State<AppState>, v: Viewer, Path(handle): Path<String>) -> Result<Response, WebError> {
    let user = v.require()?;
    let d = designer(&state, &handle).await?;
    let current = state.market.subscriptions().to_designer(user, d.user_id).await?;
    let exp = state.market.settings().currency.exponent();
    let mut f = FormData::default();
    match &current {
        Some(s) => {
            f.push("notify", s.notify.as_str().into());
            if s.auto_purchase {
                f.push("auto_purchase", "on".into());
            }
            if let Some(m) = s.max_price {
                f.push("max_price", amount_text(m.amount_minor, exp));
            }
            if let Some(m) = s.monthly_budget {
                f.push("monthly_budget", amount_text(m.amount_minor, exp));
            }
        }
        None => f.push("notify", "immediate".into()),
    }
    Ok(page(&v, "Follow", subscription_form(&v, &d, &f, &Errors::default(), current.is_some())))
}

/// `POST /following/{handle}`.
pub async fn save(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    post: Posted,
) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let d = designer(&state, &handle).await?;
    let f = &post.form;
    let currency = state.market.settings().currency;
    let mut errors = Errors::default();
    let mut money = |field: &'static str, label: &str| -> Option<Money> {
        let t = f.text(field);
        if t.is_empty() {
            return None;
        }
        match parse_amount(t, currency.exponent()) {
            Some(m) => Some(Money::new(m, currency)),
            None => {
                errors.add(field, format!("Enter the {label} as a number, like 50, or leave it empty"));
                None
            }
        }
    };
    let max_price = money("max_price", "price cap");
    let monthly_budget = money("monthly_budget", "monthly budget");
    let notify: NotifyFrequency = f.text("notify").parse().unwrap_or(NotifyFrequency::Immediate);
    if errors.is_empty() {
        let change = SubscriptionChange {
            auto_purchase: Some(f.checked("auto_purchase")),
            max_price: Some(max_price),
            monthly_budget: Some(monthly_budget),
            notify: Some(notify),
            paused: None,
            email: None,
            push: None,
        };
        match state.market.subscriptions().set(user, d.handle.as_str(), &change).await {
            Ok(_) => return Ok(see_other("/following?notice=subscribed")),
            Err(e) => {
                if let WebError::Status(_, m) = WebError::from(e) {
                    errors.add("notify", m);
                }
            }
        }
    }
    let exists = state.market.subscriptions().to_designer(user, d.user_id).await?.is_some();
    let body = subscription_form(v, &d, f, &errors, exists);
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Follow", body))
}

/// `POST /following/{handle}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    post: Posted,
) -> Result<Response, WebError> {
    let user = post.viewer.require()?;
    let d = designer(&state, &handle).await?;
    state.market.subscriptions().cancel(user, d.handle.as_str()).await?;
    Ok(see_other("/following?notice=unsubscribed"))
}

/// `POST /notifications/{id}/read`.
pub async fn mark_read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    post: Posted,
) -> Result<Response, WebError> {
    let user = post.viewer.require()?;
    let id: Id = id.parse().map_err(|_| WebError::not_found("notification"))?;
    state.market.notifications().mark_read(user, id).await?;
    Ok(see_other("/following?notice=read#notes-title"))
}
