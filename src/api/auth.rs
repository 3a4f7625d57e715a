//! `/v1/auth/...`: register, login (with the second factor), refresh, logout and
//! TOTP enrolment.

use super::{ApiJson, AppState, AuthUser, ClientInfo, Problem};
use crate::auth::{AuthError, Enrollment, Registration, TokenPair};
use crate::domain::Role;
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(mfa))
        .routes(routes!(totp_enroll))
        .routes(routes!(totp_confirm))
        .routes(routes!(totp_disable))
}

/// Roles open to self-registration.
/// Token answers must not be cached (RFC 6749 §5.1).
type TokenAnswer = ([(axum::http::HeaderName, &'static str); 1], Json<TokenPair>);

fn no_store(pair: TokenPair) -> TokenAnswer {
    ([(axum::http::header::CACHE_CONTROL, "no-store")], Json(pair))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegisterRole {
    User,
    Designer,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    email: String,
    /// 12 to 1024 characters; no composition rules.
    password: String,
    display_name: String,
    #[serde(default = "default_role")]
    role: RegisterRole,
}

fn default_role() -> RegisterRole {
    RegisterRole::User
}

/// The account as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[schema(value_type = String, format = Uuid)]
    pub id: crate::domain::Id,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Designers' public handle.
    pub handle: Option<String>,
    pub timezone: String,
    pub totp_enabled: bool,
}

impl Me {
    pub(super) async fn of(state: &AppState, user: crate::domain::User) -> Result<Self, Problem> {
        let handle = match user.role {
            Role::Designer | Role::Admin => {
                state.market.profiles().designer_of(user.id).await?.map(|d| d.handle.as_str().to_owned())
            }
            Role::User => None,
        };
        Ok(Self {
            id: user.id,
            email: user.email.as_str().to_owned(),
            display_name: user.display_name,
            role: user.role,
            handle,
            timezone: user.timezone,
            totp_enabled: user.totp_enabled,
        })
    }
}

#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterBody,
    responses((status = 201, body = Me), (status = 409, body = Problem, description = "email in use"),
              (status = 422, body = Problem, description = "invalid field")))]
async fn register(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<(StatusCode, Json<Me>), Problem> {
    let role = match body.role {
        RegisterRole::User => Role::User,
        RegisterRole::Designer => Role::Designer,
    };
    let reg = Registration { email: body.email, password: body.password, display_name: body.display_name, role };
    let user = state.auth.register(reg, client.address.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(Me::of(&state, user).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    password: String,
    /// The authenticator's six digits, or a recovery code, when 2FA is on.
    totp_code: Option<String>,
}

#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = TokenPair),
              (status = 401, body = Problem, description = "invalid_credentials, mfa_required or invalid_mfa_code"),
              (status = 429, body = Problem, description = "too many attempts; see Retry-After")))]
async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<TokenAnswer, Problem> {
    let pair = state
        .auth
        .login(
            &body.email,
            body.password,
            body.totp_code.as_deref(),
            client.address.as_deref(),
            client.user_agent.as_deref(),
        )
        .await?;
    Ok(no_store(pair))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaBody {
    /// From the `mfa_required` answer of an OAuth callback.
    mfa_token: String,
    /// Six digits from the authenticator, or a recovery code.
    totp_code: String,
}

/// Finishes an OAuth sign-in for an account with two-factor authentication.
#[utoipa::path(post, path = "/v1/auth/mfa", tag = "auth", request_body = MfaBody,
    responses((status = 200, body = TokenPair),
              (status = 401, body = Problem, description = "unknown or expired mfa_token, or a wrong code")))]
async fn mfa(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<MfaBody>,
) -> Result<TokenAnswer, Problem> {
    let pair = state
        .auth
        .complete_mfa(&body.mfa_token, &body.totp_code, client.user_agent.as_deref(), client.address.as_deref())
        .await?;
    Ok(no_store(pair))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    refresh_token: String,
}

#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshBody,
    responses((status = 200, body = TokenPair),
              (status = 401, body = Problem, description = "unknown, expired, revoked or reused refresh token")))]
async fn refresh(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<TokenAnswer, Problem> {
    Ok(no_store(state.auth.refresh(&body.refresh_token, client.address.as_deref()).await?))
}

#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", request_body = RefreshBody,
    responses((status = 204, description = "the session is revoked")))]
async fn logout(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<StatusCode, Problem> {
    state.auth.logout(&body.refresh_token, client.address.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/auth/totp/enroll", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Enrollment), (status = 409, body = Problem, description = "2FA is already on")))]
async fn totp_enroll(
    State(state): State<AppState>,
    client: ClientInfo,
    AuthUser(user): AuthUser,
) -> Result<Json<Enrollment>, Problem> {
    Ok(Json(state.auth.totp_enroll(&user, client.address.as_deref()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// Six digits from the authenticator (or, to disable, a recovery code).
    code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Single-use codes for when the authenticator is lost; shown only now.
    recovery_codes: Vec<String>,
}

#[utoipa::path(post, path = "/v1/auth/totp/confirm", tag = "auth", security(("bearer" = [])), request_body = CodeBody,
    responses((status = 200, body = RecoveryCodes), (status = 401, body = Problem, description = "wrong code"),
              (status = 409, body = Problem, description = "nothing to confirm")))]
async fn totp_confirm(
    State(state): State<AppState>,
    client: ClientInfo,
    AuthUser(user): AuthUser,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Json<RecoveryCodes>, Problem> {
    let recovery_codes = state.auth.totp_confirm(&user, &body.code, client.address.as_deref()).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableBody {
    /// Six digits from the authenticator, or a recovery code.
    code: String,
    /// The account's password (required when the account has one).
    #[serde(default)]
    password: Option<String>,
}

/// Turns 2FA off and signs the account out everywhere.
#[utoipa::path(delete, path = "/v1/auth/totp", tag = "auth", security(("bearer" = [])), request_body = DisableBody,
    responses((status = 204, description = "2FA is off; every session of the account is signed out"),
              (status = 401, body = Problem, description = "wrong code or password"),
              (status = 409, body = Problem, description = "2FA is not on"),
              (status = 422, body = Problem, description = "the password is missing"),
              (status = 429, body = Problem, description = "too many codes tried")))]
async fn totp_disable(
    State(state): State<AppState>,
    client: ClientInfo,
    AuthUser(user): AuthUser,
    ApiJson(body): ApiJson<DisableBody>,
) -> Result<StatusCode, Problem> {
    if user.role == Role::Admin {
        return Err(AuthError::Forbidden("administrators must keep two-factor authentication on".into()).into());
    }
    state.auth.totp_disable(&user, &body.code, body.password, client.address.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
