//! `holomesh serve` and `holomesh migrate`.

use super::ExitCode;
use crate::app::{App, Speech};
use crate::config::Config;
use anyhow::Context;
use std::sync::Arc;

pub async fn serve(config: Config, bind: Option<String>) -> anyhow::Result<ExitCode> {
    let addr = bind.unwrap_or_else(|| config.server.bind.clone());
    let wyoming_addr = crate::wyoming::pipeline_handler::bind_address(&config.wyoming.bind);
    let speech = if wyoming_addr.is_some() { Speech::Required } else { Speech::IfPresent };
    if wyoming_addr.is_some() {
        super::models::ensure(&config)?;
    }
    let app = App::build(&config, speech).await?;
    let listener = tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(
        addr = %listener.local_addr()?,
        database = %config.database_url(),
        cache = app.market.cache().cache.backend_name(),
        "serving"
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let worker = tokio::spawn(app.outbox_worker().run(std::time::Duration::from_millis(500), stopped()));
    match app.delivery_worker() {
        Ok(Some(w)) => {
            tracing::info!("delivering notifications and digests by e-mail and Web Push");
            tokio::spawn(w.run(std::time::Duration::from_secs(2), stopped()));
        }
        Ok(None) => {}
        Err(e) => return Err(e.into()),
    }
    // Chips published before the embedding model was installed get their vectors now.
    let market = app.market.clone();
    tokio::spawn(async move {
        match market.search().embed_missing().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(chips = n, "chips embedded for search by meaning"),
            Err(e) => tracing::warn!(error = %e, "could not embed chips for search"),
        }
    });
    if let Ok(Some(every)) = config.backup.interval() {
        let dir = match config.backup.dir.trim() {
            "" => config.data_dir().join("backups"),
            d => d.into(),
        };
        tracing::info!(every_secs = every.as_secs(), dir = %dir.display(), keep = config.backup.keep, "scheduled backups");
        tokio::spawn(crate::app::backup::scheduled(config.clone(), every, config.backup.keep, dir, stopped()));
    }
    let wyoming = match wyoming_addr {
        Some(addr) => {
            use crate::wyoming::pipeline_handler::{PipelineAdmission, Speaker, service_info};
            let token = config.wyoming.token.expose().trim().to_owned();
            let speaker = if token.is_empty() {
                Speaker::User(app.voice_user().await?)
            } else {
                let user = app.auth.device_token_user(&token).await.context("wyoming.token is not accepted")?;
                tracing::info!(user = %user.id, "wyoming clients act as the owner of wyoming.token");
                Speaker::Token(token)
            };
            let peers = crate::config::PeerFilter::parse(&config.wyoming.allow_from).map_err(anyhow::Error::msg)?;
            let admission =
                Arc::new(PipelineAdmission { peers, speaker, auth: app.auth.clone(), hub: app.voice.clone() });
            let l = tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
            tracing::info!(addr = %l.local_addr()?, "wyoming server listening");
            let info = service_info(&crate::wyoming::pipeline_handler::Hearing::of(&config));
            let limits = crate::wyoming::ServerLimits::default();
            Some(tokio::spawn(crate::wyoming::serve_admitting(l, admission, info, limits, stopped())))
        }
        None => None,
    };
    crate::api::serve_on(listener, app.http_state(), async move {
        crate::shutdown::signal().await;
        let _ = stop_tx.send(true);
    })
    .await?;
    let _ = worker.await;
    if let Some(w) = wyoming {
        let _ = w.await;
    }
    Ok(0)
}

pub async fn migrate(config: Config) -> anyhow::Result<ExitCode> {
    let url = config.database_url();
    crate::app::migrate(&config).await.with_context(|| format!("cannot migrate {url}"))?;
    println!("database {url} is up to date");
    Ok(0)
}
