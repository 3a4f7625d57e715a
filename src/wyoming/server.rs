//! TCP server: accepts Wyoming connections and runs each on its own task until shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tracing::Instrument;

use super::connection;
use super::events::{ErrorEvent, Event};
use super::frame::encode_frame;
use super::info::ServiceInfo;
pub use super::limits::ServerLimits;

pub use super::admission::{Admission, Everyone};
pub use super::handler::{HandleOutcome, WyomingHandler};

/// Serves Wyoming clients on `listener` with default settings until `shutdown` completes.
pub async fn serve(listener: TcpListener, handler: Arc<dyn WyomingHandler>, info: ServiceInfo, shutdown: impl Future) {
    serve_with_config(listener, handler, info, ServerLimits::default(), shutdown).await;
}

/// Serves every client with `handler` until `shutdown` completes.
pub async fn serve_with_config(
    listener: TcpListener,
    handler: Arc<dyn WyomingHandler>,
    info: ServiceInfo,
    config: ServerLimits,
    shutdown: impl Future,
) {
    serve_admitting(listener, Arc::new(Everyone(handler)), info, config, shutdown).await;
}

/// Serves Wyoming clients on `listener` until `shutdown` completes, one task per
/// connection; `admission` decides per connection who is served (and by which
/// handler). Refused peers are closed without a reply.
///
/// On shutdown the listener stops accepting, open connections are told to close after their
/// current event, and any still running after [`ServerLimits::shutdown_grace`] are aborted.
pub async fn serve_admitting(
    listener: TcpListener,
    admission: Arc<dyn Admission>,
    info: ServiceInfo,
    config: ServerLimits,
    shutdown: impl Future,
) {
    let info = Arc::new(info);
    let config = Arc::new(config);
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);

    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "wyoming server listening");
    }

    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(err) = joined {
                    tracing::error!(error = %err, "wyoming connection task failed");
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let span = tracing::info_span!("wyoming_connection", %peer);
                    let Ok(permit) = slots.clone().try_acquire_owned() else {
                        tasks.spawn(refuse_busy(stream, config.write_timeout).instrument(span));
                        continue;
                    };
                    let (admission, info, config, stop_rx) =
                        (admission.clone(), info.clone(), config.clone(), stop_rx.clone());
                    tasks.spawn(
                        async move {
                            match admission.admit(peer).await {
                                Some(handler) => connection::run(stream, handler, info, config, stop_rx).await,
                                None => tracing::warn!("wyoming connection refused"),
                            }
                            drop(permit);
                        }
                        .instrument(span),
                    );
                }
                Err(err) => {
                    // Typically running out of file descriptors: back off instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }

    tracing::info!(open = tasks.len(), "wyoming server shutting down");
    drop(listener);
    let _ = stop_tx.send(true);
    let drain = async {
        while let Some(joined) = tasks.join_next().await {
            if let Err(err) = joined {
                tracing::error!(error = %err, "wyoming connection task failed");
            }
        }
    };
    if tokio::time::timeout(config.shutdown_grace, drain).await.is_err() {
        tracing::warn!(open = tasks.len(), "aborting connections still open after the grace period");
        tasks.shutdown().await;
    }
}

/// Tells a client over the connection limit why it is being dropped.
async fn refuse_busy(mut stream: TcpStream, write_timeout: Duration) {
    tracing::warn!("connection limit reached; refusing connection");
    let event =
        Event::Error(ErrorEvent { text: "server busy: too many connections".into(), code: Some("busy".into()) });
    if let Some(bytes) = event.to_frame().ok().and_then(|frame| encode_frame(&frame).ok()) {
        let _ = tokio::time::timeout(write_timeout, async {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        })
        .await;
    }
}
