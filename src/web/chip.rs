//! A chip's page: what it is, who made it and their shares, its signed record, a
//! form that verifies a design file against the record, and reviews.

use super::errors::WebError;
use super::forms::{Errors, Field};
use super::layout::{csrf, page, page_with, see_other, when};
use super::session::{Posted, Uploaded, Viewer};
use crate::api::AppState;
use crate::domain::{Chip, ChipStatus, Id, PageRequest};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use maud::{Markup, html};

/// The chip, when the viewer may see it (drafts only to their designer and admins).
pub async fn chip_for(state: &AppState, v: &Viewer, id: &str) -> Result<Chip, WebError> {
    let id: Id = id.parse().map_err(|_| WebError::not_found("chip"))?;
    Ok(state.market.catalog().visible(v.user(), id).await?)
}

async fn name_of(state: &AppState, user_id: Id) -> (String, Option<String>) {
    match state.market.profiles().designer_of(user_id).await {
        Ok(Some(d)) => (d.display_name, Some(d.handle.to_string())),
        _ => ("a designer".into(), None),
    }
}

/// The outcome of a verification, to show on the page.
pub struct Verification {
    pub valid: bool,
    pub checks: Vec<(String, bool, String)>,
}

struct ReviewForm<'a> {
    errors: Errors,
    rating: &'a str,
    body: &'a str,
}

async fn render(
    state: &AppState,
    v: &Viewer,
    chip: &Chip,
    verification: Option<&Verification>,
    review: Option<ReviewForm<'_>>,
) -> Result<Markup, WebError> {
    let (designer, handle) = name_of(state, chip.designer_id).await;
    let mut contributors = vec![];
    for c in &chip.contributions {
        contributors.push((name_of(state, c.contributor_id).await, c.share_bps.get()));
    }
    let record = match chip.status {
        ChipStatus::Draft => None,
        _ => state.market.catalog().record(chip.id).await.ok(),
    };
    let reviews = state.market.reviews().of_chip(chip.id, PageRequest::first(20)).await?;
    let own = v.user().is_some_and(|u| u.id == chip.designer_id);
    let holds = match v.user() {
        Some(u) if !own => {
            state.market.purchases().licences(u).await?.iter().any(|l| l.licence.chip_id == chip.id && !l.revoked)
        }
        _ => false,
    };
    let contributed: u32 = contributors.iter().map(|(_, s)| u32::from(*s)).sum();
    let review = review.unwrap_or(ReviewForm { errors: Errors::default(), rating: "5", body: "" });
    Ok(html! {
        article.chip {
            h1 { (chip.title) }
            @if chip.status != ChipStatus::Published { p.badge { "Status: " (chip.status) } }
            p { (chip.description) }
            dl.facts {
                dt { "Price" } dd { (chip.price) }
                dt { "Designer" } dd { @if let Some(h) = &handle { a href=(format!("/designers/{h}")) { (designer) } } @else { (designer) } }
                dt { "Category" } dd { (chip.category) }
                dt { "Process node" } dd { (chip.process_node) }
                dt { "VLNV" } dd { code { (chip.vlnv) } }
                dt { "Editions sold" } dd { (chip.sold_count) @if let Some(s) = chip.supply { " of " (s) } }
                dt { "Licence" } dd { (chip.licence) }
                @if let Some(p) = chip.published_at { dt { "Published" } dd { (when(p)) } }
            }
            @if chip.status == ChipStatus::Published && !own {
                p {
                    @if v.user().is_some() {
                        a.button href=(format!("/chips/{}/buy", chip.id)) { "Buy for " (chip.price) }
                    } @else {
                        a.button href=(format!("/sign-in?next=/chips/{}/buy", chip.id)) { "Sign in to buy" }
                    }
                }
            }
            section aria-labelledby="authors-title" {
                h2 #authors-title { "Authors and shares" }
                table {
                    caption { "Who is paid from each sale" }
                    thead { tr { th scope="col" { "Author" } th scope="col" { "Role" } th scope="col" { "Share of each sale" } } }
                    tbody {
                        tr { td { (designer) } td { "Designer (seller)" } td { (bps(10_000u32.saturating_sub(contributed))) " (less any platform fee)" } }
                        @for ((name, _), share) in &contributors {
                            tr { td { (name) } td { "IP-block contributor" } td { (bps(u32::from(*share))) } }
                        }
                    }
                }
                p { "Royalty on resale: " (bps(u32::from(chip.royalty_bps.get()))) }
            }
            section aria-labelledby="record-title" {
                h2 #record-title { "Signed record" }
                @if let Some(r) = &record {
                    p { "An ERC-721-style metadata record, signed by the authors over its canonical JSON. "
                        a href=(format!("/v1/chips/{}/nft", chip.id)) download=(format!("{}.json", chip.vlnv.to_string().replace(':', "_"))) { "Download the record" } }
                    details {
                        summary { "Show the record" }
                        pre.record tabindex="0" aria-label="The signed record, as JSON" { (serde_json::to_string_pretty(r).unwrap_or_default()) }
                    }
                    (verify_form(v, chip, verification))
                } @else {
                    p { "Drafts have no record yet: publishing signs one." }
                }
            }
            section aria-labelledby="reviews-title" {
                h2 #reviews-title { "Reviews" }
                @if reviews.items.is_empty() { p { "No reviews yet." } }
                @for r in &reviews.items {
                    article.review {
                        h3 { (r.rating) " of 5 stars" }
                        p { (r.body) }
                        p.meta { (when(r.created_at)) }
                    }
                }
                @if holds {
                    form method="post" action=(format!("/chips/{}/reviews", chip.id)) {
                        h3 { "Write a review" }
                        (review.errors.summary())
                        (csrf(v))
                        fieldset {
                            legend { "Rating" }
                            @for n in (1..=5).rev() {
                                label.check { input type="radio" name="rating" value=(n) checked[review.rating == n.to_string()]; " " (n) @if n == 1 { " star" } @else { " stars" } }
                            }
                        }
                        (Field::new("body", "Your review").kind("textarea").value(review.body).required().render(&review.errors))
                        button type="submit" { "Publish review" }
                    }
                }
            }
        }
    })
}

fn bps(b: u32) -> String {
    if b.is_multiple_of(100) { format!("{} %", b / 100) } else { format!("{}.{:02} %", b / 100, b % 100) }
}

fn verify_form(v: &Viewer, chip: &Chip, result: Option<&Verification>) -> Markup {
    html! {
        h3 #verify-title { "Verify a design file" }
        p #verify-hint { "Choose the design file you received. Your browser computes its SHA-256 and compares it with the record; the server checks it too." }
        form.verify method="post" action=(format!("/chips/{}/verify", chip.id)) enctype="multipart/form-data"
            data-verify data-sha256=(chip.content_sha256) data-size=(chip.content_size) data-chip=(chip.id) aria-labelledby="verify-title" {
            (csrf(v))
            div.field {
                label for="f-design" { "Design file" }
                input #f-design type="file" name="design" required aria-describedby="verify-hint";
            }
            button type="submit" { "Verify" }
        }
        div.verify-result role="status" aria-live="polite" data-verify-result {
            @if let Some(r) = result {
                p.outcome.ok[r.valid].bad[!r.valid] { @if r.valid { "The file matches the signed record." } @else { "The file does not match the signed record." } }
                ul { @for (name, ok, detail) in &r.checks { li { (if *ok { "Passed: " } else { "Failed: " }) (name) " — " (detail) } } }
            }
        }
    }
}

/// `GET /chips/{id}`.
pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let chip = chip_for(&state, &v, &id).await?;
    let body = render(&state, &v, &chip, None, None).await?;
    Ok(page(&v, &chip.title, body))
}

/// `POST /chips/{id}/verify` (multipart): the server's verification, without JavaScript.
pub async fn verify(State(state): State<AppState>, Path(id): Path<String>, up: Uploaded) -> Result<Response, WebError> {
    let v = &up.viewer;
    let chip = chip_for(&state, v, &id).await?;
    let record = state.market.catalog().record(chip.id).await?;
    let bytes = up.file.unwrap_or_default();
    let digest = tokio::task::spawn_blocking(move || crate::nft::digest_reader(bytes.as_ref()))
        .await
        .map_err(|_| WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, "Hashing the file failed.".into()))?
        .map_err(|e| WebError::Status(StatusCode::UNPROCESSABLE_ENTITY, format!("Cannot read the file: {e}")))?;
    let report = crate::nft::verify_digest(&record, &digest);
    let result = Verification {
        valid: report.valid,
        checks: report.checks.into_iter().map(|c| (c.name, c.ok, c.detail)).collect(),
    };
    let body = render(&state, v, &chip, Some(&result), None).await?;
    Ok(page(v, &chip.title, body))
}

/// `POST /chips/{id}/reviews`: buyers only, once.
pub async fn review(State(state): State<AppState>, Path(id): Path<String>, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let chip = chip_for(&state, v, &id).await?;
    let rating = post.form.text("rating");
    let text = post.form.text("body");
    let mut errors = Errors::default();
    let stars: i16 = rating.parse().unwrap_or(0);
    if !(1..=5).contains(&stars) {
        errors.add("rating", "Choose a rating from 1 to 5 stars");
    }
    if text.is_empty() {
        errors.add("body", "Write a few words about the chip");
    } else if text.chars().count() > crate::market::MAX_REVIEW_CHARS {
        errors.add("body", format!("Keep the review under {} characters", crate::market::MAX_REVIEW_CHARS));
    }
    if errors.is_empty() {
        match state.market.reviews().add(user, &chip, stars, text).await {
            Ok(_) => return Ok(see_other(&format!("/chips/{}?notice=review_saved#reviews-title", chip.id))),
            Err(e) => {
                if let WebError::Status(_, m) = WebError::from(e) {
                    errors.add("body", m);
                }
            }
        }
    }
    let form = ReviewForm { errors, rating, body: text };
    let body = render(&state, v, &chip, None, Some(form)).await?;
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, &chip.title, body))
}
