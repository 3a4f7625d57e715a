//! The web app `holomesh serve` answers at `/`: server-rendered, accessible pages
//! with a form for everything (they work without JavaScript), a session cookie tied
//! to the API's sessions, a CSRF token in every form, and a script that adds
//! push-to-talk, in-browser verification and live updates. An adapter: it calls the
//! services (`market`, `auth`, `voice`), never the store.

mod account;
mod admin;
mod assets;
mod browse;
mod chart;
mod chip;
mod collaborations;
mod community;
mod designers;
mod document;
mod errors;
mod following;
mod forms;
mod layout;
mod money;
mod session;
mod settings;
mod studio;
mod two_factor;
mod voice;

pub use assets::CONTENT_SECURITY_POLICY;

use crate::api::AppState;
use axum::{
    Router, middleware,
    routing::{get, post},
};

/// The web app's routes (merged into the API's router).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(browse::home))
        .route("/chips", get(browse::search))
        .route("/chips/{id}", get(chip::show))
        .route("/chips/{id}/verify", post(chip::verify))
        .route("/chips/{id}/reviews", post(chip::review))
        .route("/chips/{id}/buy", get(money::confirm).post(money::buy))
        .route("/designers", get(designers::directory))
        .route("/designers/{handle}", get(designers::profile))
        .route("/sign-in", get(account::sign_in_page).post(account::sign_in))
        .route("/sign-in/mfa", post(account::mfa))
        .route("/sign-in/oauth/{provider}", get(account::oauth_start))
        .route("/sign-in/oauth/{provider}/callback", get(account::oauth_callback))
        .route("/sign-up", get(account::sign_up_page).post(account::sign_up))
        .route("/sign-out", post(account::sign_out))
        .route("/account", get(settings::show))
        .route("/account/profile", post(settings::profile))
        .route("/account/designer-profile", post(settings::designer_profile))
        .route("/account/sessions/{id}/revoke", post(settings::revoke))
        .route("/account/two-factor", get(two_factor::show))
        .route("/account/two-factor/enroll", post(two_factor::enroll))
        .route("/account/two-factor/confirm", post(two_factor::confirm))
        .route("/account/two-factor/disable", post(two_factor::disable))
        .route("/wallet", get(money::wallet))
        .route("/wallet/deposit", post(money::deposit))
        .route("/purchases", get(money::purchases))
        .route("/purchases/{id}", get(money::receipt))
        .route("/studio", get(studio::studio))
        .route("/studio/new", get(studio::new_chip))
        .route("/studio/chips", post(studio::create))
        .route("/studio/chips/{id}/publish", post(studio::publish))
        .route("/following", get(following::overview))
        .route("/following/{handle}", get(following::edit).post(following::save))
        .route("/following/{handle}/delete", post(following::delete))
        .route("/notifications/{id}/read", post(following::mark_read))
        .route("/community", get(community::overview))
        .route("/community/groups", post(community::create_group))
        .route("/community/groups/{id}", get(community::group))
        .route("/community/groups/{id}/members", post(community::add_member))
        .route("/community/threads", post(community::open_thread))
        .route("/community/threads/{id}", get(community::thread))
        .route("/community/threads/{id}/posts", post(community::reply))
        .route("/community/collaborations", get(collaborations::list).post(collaborations::create))
        .route("/voice", get(voice::history).post(voice::say))
        .route("/voice/help", get(voice::help))
        .route("/voice/commands/{id}/{answer}", post(voice::answer))
        .route("/admin", get(admin::overview))
        .route("/admin/users/{id}/role", post(admin::set_role))
        .route("/admin/refunds", post(admin::refund))
        .route("/static/{name}", get(assets::static_file))
        .route("/manifest.webmanifest", get(assets::manifest))
        .route("/sw.js", get(assets::service_worker))
        .route("/offline", get(assets::offline))
        .layer(middleware::from_fn(assets::security_headers))
}
