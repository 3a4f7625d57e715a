//! Money: the wallet and deposits, buying with a confirmation step, purchases and
//! licences.

use super::chip::chip_for;
use super::errors::WebError;
use super::forms::{CursorQuery, Errors, Field, amount_text, parse_amount};
use super::layout::{csrf, page, page_with, see_other, when};
use super::session::{Posted, Viewer};
use crate::api::AppState;
use crate::domain::{ChipStatus, Id, Money, PurchaseSource, SplitParty};
use crate::market::{MAX_DEPOSIT_MINOR, MarketError};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use maud::{Markup, html};

fn deposit_form(v: &Viewer, errors: &Errors, amount: &str) -> Markup {
    html! {
        form method="post" action="/wallet/deposit" aria-labelledby="deposit-title" {
            h2 #deposit-title { "Add money" }
            (errors.summary())
            (csrf(v))
            (Field::new("amount", "Amount").value(amount).inputmode("decimal").hint("In dollars, e.g. 100").required().render(errors))
            button type="submit" { "Add money" }
        }
    }
}

/// `GET /wallet`.
pub async fn wallet(State(state): State<AppState>, v: Viewer) -> Result<Response, WebError> {
    let user = v.require()?;
    let w = state.market.payments().wallet(user, state.market.settings().currency).await?;
    let body = html! {
        h1 { "Wallet" }
        p.balance { "Balance: " strong data-balance { (w.balance) } }
        (deposit_form(&v, &Errors::default(), ""))
        p { a href="/purchases" { "Your purchases and licences" } }
    };
    Ok(page(&v, "Wallet", body))
}

/// `POST /wallet/deposit`.
pub async fn deposit(State(state): State<AppState>, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let currency = state.market.settings().currency;
    let text = post.form.text("amount");
    let mut errors = Errors::default();
    match parse_amount(text, currency.exponent()) {
        Some(m) if (1..=MAX_DEPOSIT_MINOR).contains(&m) => {
            state.market.payments().deposit_configured(user, Money::new(m, currency)).await?;
            return Ok(see_other("/wallet?notice=deposited"));
        }
        Some(_) => errors.add(
            "amount",
            format!("Enter an amount from 0.01 to {}", amount_text(MAX_DEPOSIT_MINOR, currency.exponent())),
        ),
        None => errors.add("amount", "Enter the amount as a number, like 100 or 25.50"),
    }
    let w = state.market.payments().wallet(user, currency).await?;
    let body = html! {
        h1 { "Wallet" }
        p.balance { "Balance: " strong { (w.balance) } }
        (deposit_form(v, &errors, text))
    };
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "Wallet", body))
}

/// `GET /chips/{id}/buy`: the confirmation step.
pub async fn confirm(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let user = v.require()?;
    let chip = chip_for(&state, &v, &id).await?;
    if chip.status != ChipStatus::Published {
        return Err(WebError::Status(StatusCode::CONFLICT, "This chip is not for sale.".into()));
    }
    let w = state.market.payments().wallet(user, chip.price.currency).await?;
    let after = w.balance.amount_minor - chip.price.amount_minor;
    let enough = after >= 0;
    let key = format!("web-{}", crate::domain::new_id().simple());
    let body = html! {
        h1 { "Buy " (chip.title) "?" }
        dl.facts {
            dt { "Price" } dd { (chip.price) }
            dt { "Your balance" } dd { (w.balance) }
            @if enough { dt { "Balance after" } dd { (Money::new(after, chip.price.currency)) } }
        }
        @if enough {
            p { "You get a licence for one edition. This cannot be undone from here; refunds go through an administrator." }
            form method="post" action=(format!("/chips/{}/buy", chip.id)) {
                (csrf(&v))
                input type="hidden" name="idempotency_key" value=(key);
                div.actions {
                    button type="submit" #confirm-buy { "Confirm purchase" }
                    a.button.secondary href=(format!("/chips/{}", chip.id)) { "Cancel" }
                }
            }
        } @else {
            p.error-text { "Your wallet does not have enough money for this chip." }
            p { a href="/wallet" { "Add money to your wallet" } " · " a href=(format!("/chips/{}", chip.id)) { "Back to the chip" } }
        }
    };
    Ok(page(&v, "Confirm purchase", body))
}

/// `POST /chips/{id}/buy`: buys once per confirmation (the form's idempotency key).
pub async fn buy(State(state): State<AppState>, Path(id): Path<String>, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let chip = chip_for(&state, v, &id).await?;
    let key = post.form.text("idempotency_key");
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(WebError::Status(StatusCode::BAD_REQUEST, "Start the purchase again from the chip's page.".into()));
    }
    match state.market.purchases().buy(user, chip.id, PurchaseSource::Api, None, Some(key)).await {
        Ok(r) => Ok(see_other(&format!("/purchases/{}?notice=purchased", r.purchase.id))),
        Err(MarketError::InsufficientFunds) => Err(WebError::Status(
            StatusCode::PAYMENT_REQUIRED,
            "Your wallet does not have enough money for this chip. Add money on the Wallet page.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// `GET /purchases`: purchases, newest first, and licences.
pub async fn purchases(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<CursorQuery>,
) -> Result<Response, WebError> {
    let user = v.require()?;
    let list = state.market.purchases().list(user, q.page(20)).await?;
    let licences = state.market.purchases().licences(user).await?;
    let mut titles = Vec::with_capacity(list.items.len());
    for p in &list.items {
        titles.push(state.market.catalog().chip(p.chip_id).await.map(|c| c.title).unwrap_or_else(|_| "a chip".into()));
    }
    let body = html! {
        h1 { "Purchases and licences" }
        section aria-labelledby="purchases-title" {
            h2 #purchases-title { "Purchases" }
            @if list.items.is_empty() { p { "No purchases yet. " a href="/chips" { "Find a chip" } } } @else {
                table {
                    caption.visually-hidden { "Your purchases, newest first" }
                    thead { tr { th scope="col" { "Chip" } th scope="col" { "Price" } th scope="col" { "How" } th scope="col" { "Status" } th scope="col" { "When" } } }
                    tbody {
                        @for (p, title) in list.items.iter().zip(&titles) {
                            tr {
                                td { a href=(format!("/purchases/{}", p.id)) { (title) } }
                                td { (p.price) } td { (source(p.source)) } td { (format!("{:?}", p.status).to_lowercase()) } td { (when(p.created_at)) }
                            }
                        }
                    }
                }
                @if let Some(c) = &list.next_cursor { nav.pager aria-label="Pages" { a href=(format!("/purchases?cursor={c}")) rel="next" { "Older purchases" } } }
            }
        }
        section aria-labelledby="licences-title" {
            h2 #licences-title { "Licences" }
            @if licences.is_empty() { p { "No licences yet." } } @else {
                ul.plain {
                    @for l in &licences {
                        li {
                            a href=(format!("/chips/{}", l.licence.chip_id)) { (l.chip_title) }
                            @if let Some(e) = l.licence.edition { ", edition " (e) }
                            @if l.revoked { " — revoked (refunded)" }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&v, "Purchases", body))
}

fn source(s: PurchaseSource) -> &'static str {
    match s {
        PurchaseSource::Api => "bought here",
        PurchaseSource::Voice => "by voice",
        PurchaseSource::Auto => "auto-buy",
    }
}

/// `GET /purchases/{id}`: the receipt, its split and the licence.
pub async fn receipt(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let user = v.require()?;
    let id: Id = id.parse().map_err(|_| WebError::not_found("purchase"))?;
    let p = state.market.purchases().of_buyer(user, id).await?;
    let chip = state.market.catalog().chip(p.chip_id).await?;
    let licence = state.market.purchases().licences(user).await?.into_iter().find(|l| l.purchase_id == p.id);
    let body = html! {
        h1 { "Purchase of " (chip.title) }
        dl.facts {
            dt { "Price" } dd { (p.price) }
            dt { "When" } dd { (when(p.created_at)) }
            dt { "How" } dd { (source(p.source)) }
            dt { "Status" } dd { (format!("{:?}", p.status).to_lowercase()) }
        }
        @if let Some(l) = &licence {
            section aria-labelledby="licence-title" {
                h2 #licence-title { "Licence" }
                dl.facts {
                    @if let Some(e) = l.licence.edition { dt { "Edition" } dd { (e) } }
                    dt { "Licence token" } dd { code.token { (l.licence.token) } }
                    @if l.revoked { dt { "State" } dd { "Revoked (refunded)" } }
                }
            }
        }
        section aria-labelledby="split-title" {
            h2 #split-title { "Where the money went" }
            ul.plain {
                @for line in &p.split {
                    li { (match line.party { SplitParty::Seller => "Designer", SplitParty::Contributor => "Contributor", SplitParty::Platform => "Platform fee" }) ": " (Money::new(line.amount_minor, p.price.currency)) }
                }
            }
        }
        p { a href=(format!("/chips/{}", chip.id)) { "The chip's page" } " · " a href="/purchases" { "All purchases" } }
    };
    Ok(page(&v, "Purchase", body))
}
