//! `holomesh serve` and `holomesh migrate`.

use super::ExitCode;
use crate::{api, cache, config::Config, store};
use anyhow::Context;
use std::sync::Arc;

/// Opens the configured database (applying migrations) and cache.
pub async fn open(config: &Config) -> anyhow::Result<api::AppState> {
    let url = config.database_url();
    let store = store::connect(&url, config.database.max_connections)
        .await
        .with_context(|| format!("cannot open database {url}"))?;
    let cache_url = config.cache_url();
    let cache = cache::connect(cache_url.as_ref()).await.with_context(|| {
        format!("cannot connect to cache {}", cache_url.as_ref().map(|u| u.redacted()).unwrap_or_default())
    })?;
    Ok(api::AppState::new(config.clone(), store, cache, None)?)
}

pub async fn serve(config: Config, bind: Option<String>) -> anyhow::Result<ExitCode> {
    let addr = bind.unwrap_or_else(|| config.server.bind.clone());
    let mut state = open(&config).await?;
    let listener = tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(
        addr = %listener.local_addr()?,
        database = %config.database_url(),
        cache = state.cache.cache.backend_name(),
        "serving"
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let worker = crate::market::OutboxWorker::new(super::voice::market_of(&state)?);
    let worker = tokio::spawn(worker.run(std::time::Duration::from_millis(500), stopped()));
    let wyoming_addr = crate::wyoming::pipeline_handler::bind_address(&config.wyoming.bind);
    let model = config.model_file();
    let recognizer = if wyoming_addr.is_some() || model.exists() {
        Some(super::voice::load_recognizer(&config)?)
    } else {
        tracing::warn!(model = %model.display(), "no speech model: /v1/voice/audio is off until `holomesh models fetch`");
        None
    };
    let hub = Arc::new(super::voice::hub(&state, recognizer)?);
    state.voice = Some(hub.clone());
    let wyoming = match wyoming_addr {
        Some(addr) => {
            let pipeline = hub.pipeline_for(&super::voice::voice_user(&state).await?).await?;
            let l = tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
            tracing::info!(addr = %l.local_addr()?, "wyoming server listening");
            let handler = std::sync::Arc::new(crate::wyoming::pipeline_handler::PipelineHandler::new(pipeline));
            let info = crate::wyoming::pipeline_handler::service_info(&config.asr.model);
            Some(tokio::spawn(crate::wyoming::serve(l, handler, info, stopped())))
        }
        None => None,
    };
    api::serve_on(listener, state, async move {
        api::shutdown_signal().await;
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
    store::connect(&url, 1).await.with_context(|| format!("cannot migrate {url}"))?;
    println!("database {url} is up to date");
    Ok(0)
}
