//! Who is looking at a page (the browser session, if any) and the CSRF check every
//! form post passes before its handler runs.

use super::errors::WebError;
use crate::api::AppState;
use crate::auth::{BrowserSession, CookiePolicy, csrf_binding};
use crate::domain::{Role, User};
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Multipart, Request},
    http::{HeaderMap, StatusCode, request::Parts},
};

/// The person behind a request, the CSRF token for the forms of the page, and the
/// notice to show after a redirect.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub session: Option<BrowserSession>,
    /// A designer's own handle.
    pub handle: Option<String>,
    pub csrf: String,
    /// A pre-session cookie to set with the answer (first visit).
    pub new_pre: Option<String>,
    pre: Option<String>,
    /// The path and query of this request (for "sign in and come back").
    pub path: String,
    /// `?notice=` after a redirect: one of the fixed messages in `layout`.
    pub notice: Option<String>,
    pub policy: CookiePolicy,
    /// Where the app is signed in through its providers.
    pub oauth_providers: Vec<String>,
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok())
}

impl Viewer {
    pub fn user(&self) -> Option<&User> {
        self.session.as_ref().map(|s| &s.user)
    }

    /// The signed-in user, or a redirect to the sign-in page that comes back here.
    pub fn require(&self) -> Result<&User, WebError> {
        self.user().ok_or_else(|| WebError::SignIn(self.path.clone()))
    }

    /// The signed-in user when they hold `role` (admins also need 2FA on).
    pub fn require_role(&self, role: Role) -> Result<&User, WebError> {
        let user = self.require()?;
        crate::auth::require_role(user, role).map_err(WebError::from)?;
        Ok(user)
    }

    /// Whether the viewer holds `role` or one that includes it (for the navigation).
    pub fn has_role(&self, role: Role) -> bool {
        self.user().is_some_and(|u| {
            matches!(
                (u.role, role),
                (Role::Admin, _) | (Role::Designer, Role::Designer | Role::User) | (Role::User, Role::User)
            )
        })
    }

    async fn of(parts: &Parts, state: &AppState) -> Self {
        let policy = state.auth.cookie_policy();
        let session_cookie = crate::auth::browser::cookie_value(cookies(&parts.headers), policy.session_name());
        let session = match session_cookie {
            Some(c) => state.auth.browser_session(c).await.ok(),
            None => None,
        };
        let pre = crate::auth::browser::cookie_value(cookies(&parts.headers), policy.pre_session_name())
            .filter(|p| p.len() >= 16 && p.len() <= 100)
            .map(str::to_owned);
        let new_pre = match (&session, &pre) {
            (None, None) => Some(state.auth.new_pre_session()),
            _ => None,
        };
        let binding = csrf_binding(session.as_ref(), pre.as_deref().or(new_pre.as_deref())).unwrap_or_default();
        let handle = match &session {
            Some(s) if s.user.role != Role::User => {
                state.market.profiles().designer_of(s.user.id).await.ok().flatten().map(|d| d.handle.to_string())
            }
            _ => None,
        };
        let notice = parts.uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "notice").map(|(_, v)| v.into_owned())
        });
        Self {
            csrf: state.auth.csrf_token(&binding),
            session,
            handle,
            new_pre,
            pre,
            path: parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into()),
            notice,
            policy,
            oauth_providers: state.auth.settings().oauth.keys().cloned().collect(),
        }
    }

    /// Whether `token` is this browser's CSRF token.
    fn csrf_ok(&self, state: &AppState, token: &str) -> bool {
        match csrf_binding(self.session.as_ref(), self.pre.as_deref()) {
            Some(binding) => state.auth.csrf_valid(&binding, token),
            None => false,
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Viewer::of(parts, state).await)
    }
}

/// The fields of a posted form, in order.
#[derive(Debug, Clone, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// The field's value, trimmed ("" when absent).
    pub fn text(&self, name: &str) -> &str {
        self.0.iter().rev().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.text(name), "on" | "true" | "1" | "yes")
    }

    pub fn push(&mut self, name: &str, value: String) {
        self.0.push((name.to_owned(), value));
    }
}

fn csrf_failed() -> WebError {
    WebError::Status(
        StatusCode::FORBIDDEN,
        "This form has expired or did not come from this site. Go back, reload the page and send it again.".into(),
    )
}

/// A form post that passed the CSRF check (`_csrf` must hold the viewer's token;
/// 403 otherwise, before anything else happens).
#[derive(Debug)]
pub struct Posted {
    pub viewer: Viewer,
    pub form: FormData,
}

impl FromRequest<AppState> for Posted {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let viewer = Viewer::of(&parts, state).await;
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| WebError::Status(StatusCode::PAYLOAD_TOO_LARGE, e.body_text()))?;
        let form = FormData::parse(&bytes);
        if !viewer.csrf_ok(state, form.text("_csrf")) {
            return Err(csrf_failed());
        }
        Ok(Self { viewer, form })
    }
}

/// A multipart form post (a file upload) that passed the CSRF check.
#[derive(Debug)]
pub struct Uploaded {
    pub viewer: Viewer,
    pub form: FormData,
    /// The first file field's bytes, when a file was chosen.
    pub file: Option<Bytes>,
}

impl FromRequest<AppState> for Uploaded {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let viewer = Viewer::of(&parts, state).await;
        let req = Request::from_parts(parts, body);
        let bad = |m: String| WebError::Status(StatusCode::BAD_REQUEST, m);
        let mut multipart = Multipart::from_request(req, state).await.map_err(|e| bad(e.body_text()))?;
        let (mut form, mut file) = (FormData::default(), None);
        while let Some(field) = multipart.next_field().await.map_err(|e| bad(e.body_text()))? {
            let name = field.name().unwrap_or_default().to_owned();
            if field.file_name().is_some() {
                let bytes = field.bytes().await.map_err(|e| bad(e.body_text()))?;
                if file.is_none() && !bytes.is_empty() {
                    file = Some(bytes);
                }
            } else {
                let text = field.text().await.map_err(|e| bad(e.body_text()))?;
                form.push(&name, text);
            }
        }
        if !viewer.csrf_ok(state, form.text("_csrf")) {
            return Err(csrf_failed());
        }
        Ok(Self { viewer, form, file })
    }
}
