//! The designer's studio: earnings (totals and a chart over time), drafts and
//! published chips, a new draft (the design file hashed on the server, or its
//! SHA-256 and size typed in) and publishing.

use super::chart::income_chart;
use super::errors::WebError;
use super::forms::{Errors, Field, parse_amount};
use super::layout::{csrf, page, page_with, see_other, when};
use super::session::{FormData, Posted, Uploaded, Viewer};
use crate::api::AppState;
use crate::domain::{ChipFilter, ChipStatus, Money, PageRequest, Role};
use crate::market::ChipDraft;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use maud::{Markup, html};
use sha2::{Digest, Sha256};

/// `GET /studio`.
pub async fn studio(State(state): State<AppState>, v: Viewer) -> Result<Response, WebError> {
    let user = v.require_role(Role::Designer)?;
    let currency = state.market.settings().currency;
    let earnings = state.market.purchases().earnings(user, currency).await?;
    let days = state.market.purchases().income_by_day(user, currency, 30, time::OffsetDateTime::now_utc()).await?;
    let mine = |status| ChipFilter { designer_id: Some(user.id), status: Some(status), ..Default::default() };
    let drafts = state.market.catalog().list(&mine(ChipStatus::Draft), PageRequest::first(50)).await?;
    let published = state.market.catalog().list(&mine(ChipStatus::Published), PageRequest::first(50)).await?;
    let body = html! {
        h1 { "Studio" }
        p { a.button href="/studio/new" { "New chip" } }
        section aria-labelledby="earnings-title" {
            h2 #earnings-title { "Earnings" }
            dl.facts {
                dt { "Sales" } dd { (Money::new(earnings.sales_minor, currency)) }
                dt { "Royalties" } dd { (Money::new(earnings.royalties_minor, currency)) }
                dt { "Total" } dd { strong { (Money::new(earnings.total_minor, currency)) } }
            }
            (income_chart("earnings-chart", &days, currency))
        }
        section aria-labelledby="drafts-title" {
            h2 #drafts-title { "Drafts" }
            @if drafts.items.is_empty() { p { "No drafts." } }
            ul.plain {
                @for c in &drafts.items {
                    li.row {
                        a href=(format!("/chips/{}", c.id)) { (c.title) } " · " (c.price) " · created " (when(c.created_at))
                        form.inline method="post" action=(format!("/studio/chips/{}/publish", c.id)) {
                            (csrf(&v))
                            button type="submit" aria-label=(format!("Publish {}", c.title)) { "Publish" }
                        }
                    }
                }
            }
        }
        section aria-labelledby="published-title" {
            h2 #published-title { "Published" }
            @if published.items.is_empty() { p { "Nothing published yet." } }
            ul.plain { @for c in &published.items { li { a href=(format!("/chips/{}", c.id)) { (c.title) } " · " (c.price) " · " (c.sold_count) " sold" } } }
        }
        p { a href="/community/collaborations" { "Collaborations" } " · " a href=(format!("/designers/{}", v.handle.as_deref().unwrap_or(""))) { "Your public page" } }
    };
    Ok(page(&v, "Studio", body))
}

fn new_form(v: &Viewer, f: &FormData, errors: &Errors) -> Markup {
    html! {
        h1 { "New chip" }
        p { "A new chip starts as a draft that only you see. Publishing signs its record and puts it on sale." }
        form method="post" action="/studio/chips" enctype="multipart/form-data" novalidate {
            (errors.summary())
            (csrf(v))
            (Field::new("title", "Title").value(f.text("title")).required().render(errors))
            (Field::new("vlnv", "VLNV").value(f.text("vlnv")).required().hint("IP-XACT vendor:library:name:version, e.g. acme:dsp:falcon:1.0").render(errors))
            (Field::new("description", "Description").kind("textarea").value(f.text("description")).render(errors))
            (Field::new("category", "Category").value(f.text("category")).required().hint("e.g. dsp, cpu, interface").render(errors))
            (Field::new("process_node", "Process node").value(f.text("process_node")).required().hint("e.g. 28nm").render(errors))
            (Field::new("price", "Price").value(f.text("price")).inputmode("decimal").required().hint("In dollars, e.g. 24.50").render(errors))
            (Field::new("supply", "Editions for sale").value(f.text("supply")).inputmode("numeric").hint("Empty: unlimited.").render(errors))
            (Field::new("royalty", "Royalty on resale, percent").value(f.text("royalty")).inputmode("decimal").hint("0 to 100, e.g. 5. Empty: 0.").render(errors))
            (Field::new("tags", "Tags").value(f.text("tags")).hint("Separated by commas.").render(errors))
            fieldset {
                legend { "Design file" }
                p.hint #design-hint { "Choose the file, or give its SHA-256 and size if it is too large to upload." }
                div.field {
                    label for="f-design" { "File" }
                    input #f-design type="file" name="design" aria-describedby="design-hint";
                }
                (Field::new("sha256", "SHA-256 (hex)").value(f.text("sha256")).render(errors))
                (Field::new("size", "Size in bytes").value(f.text("size")).inputmode("numeric").render(errors))
            }
            button type="submit" { "Save draft" }
        }
    }
}

/// `GET /studio/new`.
pub async fn new_chip(v: Viewer) -> Result<Response, WebError> {
    v.require_role(Role::Designer)?;
    Ok(page(&v, "New chip", new_form(&v, &FormData::default(), &Errors::default())))
}

/// `POST /studio/chips`: a new draft.
pub async fn create(State(state): State<AppState>, up: Uploaded) -> Result<Response, WebError> {
    let v = &up.viewer;
    let user = v.require_role(Role::Designer)?;
    let f = &up.form;
    let currency = state.market.settings().currency;
    let mut errors = Errors::default();
    for (field, label) in
        [("title", "a title"), ("vlnv", "the VLNV"), ("category", "a category"), ("process_node", "the process node")]
    {
        if f.text(field).is_empty() {
            errors.add(field, format!("Enter {label}"));
        }
    }
    let price = parse_amount(f.text("price"), currency.exponent());
    if price.is_none() {
        errors.add("price", "Enter the price as a number, like 24.50");
    }
    let supply = match f.text("supply") {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.add("supply", "Enter a whole number of editions, or leave it empty");
                None
            }
        },
    };
    let royalty_bps = match f.text("royalty") {
        "" => 0,
        s => match parse_amount(s, 2) {
            Some(b) if b <= 10_000 => b,
            _ => {
                errors.add("royalty", "Enter a percentage from 0 to 100");
                0
            }
        },
    };
    let (sha256, size) = match &up.file {
        Some(bytes) => (hex(&Sha256::digest(bytes)), i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
        None => {
            let sha = f.text("sha256").to_ascii_lowercase();
            if sha.len() != 64 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
                errors.add("sha256", "Choose the design file, or enter its SHA-256 as 64 hexadecimal characters");
            }
            let size = f.text("size").parse::<i64>().unwrap_or(-1);
            if size < 0 {
                errors.add("size", "Enter the file's size in bytes");
            }
            (sha, size)
        }
    };
    if errors.is_empty() {
        let draft = ChipDraft {
            vlnv: f.text("vlnv").to_owned(),
            title: f.text("title").to_owned(),
            description: f.text("description").to_owned(),
            category: f.text("category").to_lowercase(),
            process_node: f.text("process_node").to_lowercase(),
            tags: f.text("tags").split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).take(20).collect(),
            price: Money::new(price.unwrap_or(0), currency),
            supply,
            royalty_bps,
            licence: None,
            content_sha256: sha256,
            content_size: size,
            prev_version: None,
            ip_blocks: vec![],
        };
        match state.market.catalog().create(user, draft).await {
            Ok(_) => return Ok(see_other("/studio?notice=draft_saved#drafts-title")),
            Err(e) => {
                let field = match &e {
                    crate::market::MarketError::Conflict(_) => "vlnv",
                    crate::market::MarketError::Invalid(m) if m.contains("vlnv") || m.contains("VLNV") => "vlnv",
                    _ => "title",
                };
                if let WebError::Status(_, m) = WebError::from(e) {
                    errors.add(field, m);
                }
            }
        }
    }
    Ok(page_with(v, StatusCode::UNPROCESSABLE_ENTITY, "New chip", new_form(v, f, &errors)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `POST /studio/chips/{id}/publish`.
pub async fn publish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    post: Posted,
) -> Result<Response, WebError> {
    let user = post.viewer.require_role(Role::Designer)?;
    let id = id.parse().map_err(|_| WebError::not_found("chip"))?;
    let chip = state.market.catalog().publish(user, id).await?;
    Ok(see_other(&format!("/chips/{}?notice=published", chip.id)))
}
