//! `holomesh token create|revoke`: device tokens for the daemon, home assistants and scripts.

use super::{EXIT_USAGE, ExitCode};
use crate::app::{App, Speech};
use crate::auth::AuthError;
use crate::config::Config;
use crate::domain::User;

/// The account of `--email`, or the voice user.
async fn account(app: &App, command: &str, email: Option<&str>) -> anyhow::Result<Result<User, ExitCode>> {
    match email {
        Some(e) => match app.auth.user_by_email(e).await {
            Ok(u) => Ok(Ok(u)),
            Err(AuthError::NotFound(_)) => {
                eprintln!("holomesh token {command}: no account with e-mail {e}");
                Ok(Err(EXIT_USAGE))
            }
            Err(err) => Err(err.into()),
        },
        None => Ok(Ok(app.voice_user().await?)),
    }
}

pub async fn create(config: Config, name: &str, email: Option<&str>) -> anyhow::Result<ExitCode> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        eprintln!("holomesh token create: --name must be 1 to 100 characters");
        return Ok(EXIT_USAGE);
    }
    let app = App::build(&config, Speech::Off).await?;
    let user = match account(&app, "create", email).await? {
        Ok(u) => u,
        Err(code) => return Ok(code),
    };
    let (id, token) = app.auth.create_device_token(&user, name).await?;
    eprintln!("Device token {id} for {} ({name}). It is shown once; store it safely:", user.email);
    println!("{token}");
    Ok(0)
}

pub async fn revoke(config: Config, id: &str, email: Option<&str>) -> anyhow::Result<ExitCode> {
    let Ok(id) = id.parse() else {
        eprintln!("holomesh token revoke: {id:?} is not a token id");
        return Ok(EXIT_USAGE);
    };
    let app = App::build(&config, Speech::Off).await?;
    let user = match account(&app, "revoke", email).await? {
        Ok(u) => u,
        Err(code) => return Ok(code),
    };
    match app.auth.revoke_device_token(&user, id).await {
        Ok(()) => {
            println!("revoked {id}");
            Ok(0)
        }
        Err(AuthError::NotFound(_)) => {
            eprintln!("holomesh token revoke: no live token {id} for {}", user.email);
            Ok(EXIT_USAGE)
        }
        Err(e) => Err(e.into()),
    }
}
