//! The OpenAPI 3 document, generated from the handlers' annotations: every route is
//! registered through `utoipa_axum`, so the document and the router cannot drift.

use super::AppState;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "HoloMesh API",
        description = "Marketplace for chip designs (IP blocks) and its voice assistant. \
                       Errors are RFC 7807 problem+json with a stable `code`.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(super::Problem, crate::domain::ChipSort, crate::domain::DesignerSort))
)]
struct ApiDoc;

/// Declares the `bearer` scheme: a JWT access token or a device token.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT access token, or a device token (hmd_…)")
                    .build(),
            ),
        );
    }
}

/// Every documented route.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(super::ops::routes())
        .merge(super::auth::routes())
        .merge(super::auth_oauth::routes())
        .merge(super::me::routes())
        .merge(super::admin::routes())
        .merge(super::voice::routes())
        .merge(super::designers::routes())
        .merge(super::chips::routes())
        .merge(super::wallet::routes())
        .merge(super::purchases::routes())
        .merge(super::subscriptions::routes())
        .merge(super::notifications::routes())
        .merge(super::community::routes())
        .merge(super::me_profiles::routes())
}

/// The served document: the generated one plus the answers every operation of a
/// kind can give — 401/429 where a token is required, 400/415/422 where a JSON body
/// is read — so each operation lists all it can answer.
pub(super) fn finish(doc: &utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut v = serde_json::to_value(doc).unwrap_or_default();
    let problem = |description: &str| {
        serde_json::json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        })
    };
    let Some(paths) = v.get_mut("paths").and_then(|p| p.as_object_mut()) else { return v };
    paths.insert(
        "/openapi.json".into(),
        serde_json::json!({"get": {"tags": ["ops"], "summary": "This document (OpenAPI 3)", "operationId": "openapi",
            "responses": {"200": {"description": "the OpenAPI document", "content": {"application/json": {}}}}}}),
    );
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            let secured = op
                .get("security")
                .and_then(|s| s.as_array())
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            let json_body = op.pointer("/requestBody/content/application~1json").is_some();
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            // OpenAPI requires a description on every response; default to the reason phrase.
            // Errors are problem+json.
            for (code, resp) in responses.iter_mut() {
                let error = code.starts_with('4') || code.starts_with('5');
                if let Some(content) = resp.get_mut("content").and_then(|c| c.as_object_mut()).filter(|_| error)
                    && let Some(body) = content.remove("application/json")
                {
                    content.insert("application/problem+json".into(), body);
                }
                if let Some(r) =
                    resp.as_object_mut().filter(|r| !r.contains_key("description") && !r.contains_key("$ref"))
                {
                    let reason = code
                        .parse::<u16>()
                        .ok()
                        .and_then(|c| axum::http::StatusCode::from_u16(c).ok())
                        .and_then(|c| c.canonical_reason())
                        .unwrap_or("answer");
                    r.insert("description".into(), serde_json::Value::String(reason.to_owned()));
                }
            }
            let mut add = |code: &str, description: &str| {
                responses.entry(code.to_owned()).or_insert_with(|| problem(description));
            };
            if secured {
                add("401", "no token, or the token is invalid, expired or revoked (`unauthorized`)");
                add("429", "too many requests; see Retry-After (`too_many_requests`)");
            }
            if json_body {
                add("400", "the body is not JSON (`malformed_json`)");
                add("415", "the body is not sent as application/json");
                add("422", "the body does not fit the schema, or a field is invalid (`invalid_body`, `invalid`)");
            }
        }
    }
    v
}
