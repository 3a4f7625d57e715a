//! `holomesh token create|revoke`: device tokens for the daemon, home assistants and scripts.

use super::{EXIT_USAGE, ExitCode};
use crate::config::Config;

pub async fn create(config: Config, name: &str, email: Option<&str>) -> anyhow::Result<ExitCode> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        eprintln!("holomesh token create: --name must be 1 to 100 characters");
        return Ok(EXIT_USAGE);
    }
    let state = super::serve::open(&config).await?;
    let user = match email {
        Some(e) => match state.store.user_by_email(e).await {
            Ok(u) => u,
            Err(crate::store::StoreError::NotFound) => {
                eprintln!("holomesh token create: no account with e-mail {e}");
                return Ok(EXIT_USAGE);
            }
            Err(err) => return Err(err.into()),
        },
        None => super::voice::voice_user(&state).await?,
    };
    let (token, hash) = crate::api::device_auth::new_device_token();
    let id = state.store.create_device_token(user.id, name, &hash).await?;
    eprintln!("Device token {id} for {} ({name}). It is shown once; store it safely:", user.email);
    println!("{token}");
    Ok(0)
}

pub async fn revoke(config: Config, id: &str, email: Option<&str>) -> anyhow::Result<ExitCode> {
    let Ok(id) = id.parse() else {
        eprintln!("holomesh token revoke: {id:?} is not a token id");
        return Ok(EXIT_USAGE);
    };
    let state = super::serve::open(&config).await?;
    let user = match email {
        Some(e) => state.store.user_by_email(e).await?,
        None => super::voice::voice_user(&state).await?,
    };
    match state.store.revoke_device_token(user.id, id).await {
        Ok(()) => {
            println!("revoked {id}");
            Ok(0)
        }
        Err(crate::store::StoreError::NotFound) => {
            eprintln!("holomesh token revoke: no live token {id} for {}", user.email);
            Ok(EXIT_USAGE)
        }
        Err(e) => Err(e.into()),
    }
}
