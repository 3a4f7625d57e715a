//! Request parsing shared by the marketplace endpoints: cursor and limit, query
//! strings, path ids and field checks, each failing with problem+json (never axum's
//! plain-text rejections).

use super::Problem;
use crate::domain::decode_cursor;
use crate::domain::{Id, Page, PageRequest};
use axum::{
    extract::{
        Path, Query,
        rejection::{PathRejection, QueryRejection},
    },
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Items per page when the client does not say.
pub const DEFAULT_LIMIT: u32 = 20;

/// `?cursor=&limit=` of a plain list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The page the query asks for.
    pub fn page(&self) -> Result<PageRequest, Problem> {
        Ok(PageRequest { after: id_cursor(self.cursor.as_deref())?, limit: limit(self.limit)? })
    }
}

/// A list answer: the items and the cursor of the next page (`null` on the last).
#[derive(Debug, Serialize, ToSchema)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> From<Page<T>> for Listing<T> {
    fn from(p: Page<T>) -> Self {
        Self { items: p.items, next_cursor: p.next_cursor }
    }
}

impl<T> Listing<T> {
    /// A list that always fits in one answer.
    pub fn all(items: Vec<T>) -> Self {
        Self { items, next_cursor: None }
    }
}

fn bad_cursor() -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "invalid_cursor", "the cursor is not valid; pass a next_cursor unchanged")
}

/// The page size: 1 to 100, [`DEFAULT_LIMIT`] when absent.
pub fn limit(limit: Option<u32>) -> Result<u32, Problem> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if (1..=PageRequest::MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(Problem::new(StatusCode::BAD_REQUEST, "invalid_limit", "limit must be 1 to 100"))
    }
}

/// An id cursor (the last item's id); an empty one means the first page.
pub fn id_cursor(cursor: Option<&str>) -> Result<Option<Id>, Problem> {
    match cursor.filter(|c| !c.is_empty()) {
        Some(c) if c.len() <= 64 => decode_cursor(c).map(Some).ok_or_else(bad_cursor),
        Some(_) => Err(bad_cursor()),
        None => Ok(None),
    }
}

/// A sorted-list cursor `<sort key>:<id>`, checked before it reaches the store.
pub fn sort_cursor(cursor: Option<&str>) -> Result<Option<(i64, Id)>, Problem> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else { return Ok(None) };
    let (key, id) = c.split_once(':').ok_or_else(bad_cursor)?;
    let key = key.parse::<i64>().map_err(|_| bad_cursor())?;
    let id = id_cursor(Some(id))?.ok_or_else(bad_cursor)?;
    Ok(Some((key, id)))
}

/// The query string, or 400 `invalid_query` naming what is wrong.
pub fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, Problem> {
    q.map(|Query(v)| v).map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "invalid_query", short(&e.body_text())))
}

/// A UUID path segment; anything else is 404 for `what`.
pub fn path_id(p: Result<Path<Id>, PathRejection>, what: &str) -> Result<Id, Problem> {
    p.map(|Path(id)| id).map_err(|_| Problem::not_found(format!("no such {what}")))
}

/// A text path segment (a handle); a segment that is not text is 404 for `what`.
pub fn path_text(p: Result<Path<String>, PathRejection>, what: &str) -> Result<String, Problem> {
    p.map(|Path(s)| s).map_err(|_| Problem::not_found(format!("no such {what}")))
}

/// 422 `invalid` with a message a person can act on.
pub fn invalid(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", detail)
}

/// Refuses NUL characters, which no text column stores.
pub fn plain(field: &str, value: &str) -> Result<(), Problem> {
    if value.contains('\0') { Err(invalid(format!("{field} must not contain NUL characters"))) } else { Ok(()) }
}

/// Checks a required text field: 1 to `max` characters once trimmed.
pub fn text(field: &str, value: &str, max: usize) -> Result<(), Problem> {
    plain(field, value)?;
    let n = value.trim().chars().count();
    if n == 0 || n > max { Err(invalid(format!("{field} must be 1 to {max} characters"))) } else { Ok(()) }
}

/// Checks an optional text field: at most `max` characters.
pub fn text_max(field: &str, value: &str, max: usize) -> Result<(), Problem> {
    plain(field, value)?;
    if value.chars().count() > max { Err(invalid(format!("{field} must be at most {max} characters"))) } else { Ok(()) }
}

/// Largest amount (minor units) accepted for prices and limits: a guard against
/// typos and overflow in later sums.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;

/// Checks an amount in minor units: 0 to [`MAX_AMOUNT_MINOR`].
pub fn amount(field: &str, minor: i64) -> Result<(), Problem> {
    if (0..=MAX_AMOUNT_MINOR).contains(&minor) {
        Ok(())
    } else {
        Err(invalid(format!("{field} must be 0 to {MAX_AMOUNT_MINOR} minor units")))
    }
}

fn short(s: &str) -> String {
    if s.chars().count() <= 300 { s.to_owned() } else { format!("{}…", s.chars().take(300).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors() {
        assert_eq!(limit(None).ok(), Some(DEFAULT_LIMIT));
        assert_eq!(limit(Some(100)).ok(), Some(100));
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(101)).is_err());
        let id = crate::domain::new_id();
        assert_eq!(id_cursor(Some(&id.simple().to_string())).ok(), Some(Some(id)));
        assert_eq!(id_cursor(Some("")).ok(), Some(None));
        assert!(id_cursor(Some("nope")).is_err());
        assert_eq!(sort_cursor(Some(&format!("-5:{}", id.simple()))).ok(), Some(Some((-5, id))));
        for bad in ["5", "x:y", ":", "5:nope", "a:00000000000000000000000000000000"] {
            assert!(sort_cursor(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_rules() {
        assert!(text("title", "  ", 10).is_err());
        assert!(text("title", "abc", 2).is_err());
        assert!(text("title", "ab", 2).is_ok());
        assert!(text("title", "a\0b", 10).is_err());
        assert!(text_max("bio", "\0", 10).is_err());
        assert!(amount("price", -1).is_err());
        assert!(amount("price", MAX_AMOUNT_MINOR + 1).is_err());
    }
}
