//! RFC 7807 problem+json responses with a stable `code`.

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// An error answer: `type`, `title`, `status`, `detail` and a stable `code`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    /// Rarely present parts, boxed to keep `Result<_, Problem>` small.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    pub extra: Option<Box<ProblemExtra>>,
}

/// Parts of a problem only some answers carry.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ProblemExtra {
    /// With `mfa_required` after an OAuth sign-in: send it with the code to
    /// `POST /v1/auth/mfa`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
    /// Seconds for a `Retry-After` header (429 answers); not part of the body.
    #[serde(skip)]
    #[schema(ignore)]
    pub retry_after_secs: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("https://holomesh.dev/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            extra: None,
        }
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.extra.get_or_insert_with(Default::default).retry_after_secs = Some(secs.max(1));
        self
    }

    pub fn with_mfa_token(mut self, token: String) -> Self {
        self.extra.get_or_insert_with(Default::default).mfa_token = Some(token);
        self
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side; try again")
    }

    pub(crate) fn into_response_inner(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut resp = (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response();
        if let Some(secs) = self.extra.as_ref().and_then(|e| e.retry_after_secs) {
            resp.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        resp
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        self.into_response_inner()
    }
}
