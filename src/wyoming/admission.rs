//! Who may talk to the Wyoming server: each new connection is admitted (with the
//! handler that serves it) or closed without a reply.

use super::handler::WyomingHandler;
use async_trait::async_trait;
use std::net::SocketAddr;
use std::sync::Arc;

/// Decides, per connection, whether a peer is served and by which handler.
#[async_trait]
pub trait Admission: Send + Sync + 'static {
    /// The handler for a connection from `peer`, or `None` to close it unanswered.
    async fn admit(&self, peer: SocketAddr) -> Option<Arc<dyn WyomingHandler>>;
}

/// Admits everyone with one handler (tests, embedding).
pub struct Everyone(pub Arc<dyn WyomingHandler>);

#[async_trait]
impl Admission for Everyone {
    async fn admit(&self, _peer: SocketAddr) -> Option<Arc<dyn WyomingHandler>> {
        Some(self.0.clone())
    }
}
