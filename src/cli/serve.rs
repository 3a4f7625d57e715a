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
    let wyoming = match wyoming_addr {
        Some(addr) => {
            let pipeline = app.voice.pipeline_for(&app.voice_user().await?).await?;
            let l = tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
            tracing::info!(addr = %l.local_addr()?, "wyoming server listening");
            let handler = Arc::new(crate::wyoming::pipeline_handler::PipelineHandler::new(pipeline));
            let info = crate::wyoming::pipeline_handler::service_info(&config.asr.model);
            Some(tokio::spawn(crate::wyoming::serve(l, handler, info, stopped())))
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
