//! Who may use the Wyoming server: loopback and `wyoming.allow_from` peers only, acting
//! as the owner of `wyoming.token`, which is checked on every connection.

mod support;
#[path = "wyoming_support/mod.rs"]
mod wyoming_support;

use holomesh::app::{App, Speech};
use holomesh::config::{Config, PeerFilter};
use holomesh::wyoming::events::{Reply, TranscriptEvent};
use holomesh::wyoming::pipeline_handler::{PipelineAdmission, Speaker, service_info};
use holomesh::wyoming::{Admission, Event, ServerLimits, serve_admitting};
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use wyoming_support::Client;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_allowed_peers_with_a_live_token_are_served() {
    let (store, dir) = support::sqlite_store().await;
    let config = Config::load(None, Some(dir.path().to_path_buf())).expect("config");
    let app = App::assemble(config, store, support::memory_cache(), Speech::Off).await.expect("app");
    let owner = app.auth.local_user("kitchen@example.org", "Kitchen").await.expect("user");
    let (token_id, token) = app.auth.create_device_token(&owner, "kitchen speaker").await.expect("token");

    let admission = |blocks: &[&str]| PipelineAdmission {
        peers: PeerFilter::parse(&blocks.iter().map(|b| (*b).to_owned()).collect::<Vec<_>>()).expect("blocks"),
        speaker: Speaker::Token(token.clone()),
        auth: app.auth.clone(),
        hub: app.voice.clone(),
    };
    // Addresses: loopback always; others only inside an allowed block.
    let lan = "192.168.1.20:50000".parse().expect("addr");
    assert!(admission(&[]).admit(lan).await.is_none(), "closed by default");
    assert!(admission(&["192.168.1.0/24"]).admit(lan).await.is_some());
    assert!(admission(&["192.168.2.0/24"]).admit(lan).await.is_none());

    // Over TCP: the token's owner is the one who acts.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_admitting(
        listener,
        Arc::new(admission(&[])),
        service_info(&holomesh::wyoming::pipeline_handler::Hearing::Whisper("tiny.en".into())),
        ServerLimits::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut client = Client::connect(addr).await;
    let ask = TranscriptEvent { text: "what's my balance".into(), ..Default::default() };
    client.send(&Event::Transcript(ask)).await;
    let Some(Event::Handled(Reply { text: Some(text), .. })) = client.recv().await else { panic!("expected handled") };
    assert!(text.contains("in your wallet"), "{text}");
    let rows = app.market.voice_log().list(&owner, holomesh::domain::PageRequest::first(10)).await.expect("rows");
    assert_eq!(rows.items.len(), 1, "the command is recorded for the token's owner");

    // Revoking the token shuts the very next connection out, without a reply.
    app.auth.revoke_device_token(&owner, token_id).await.expect("revoke");
    let mut refused = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut got = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), refused.read_to_end(&mut got)).await;
    assert!(matches!(read, Ok(Ok(0))), "closed without a reply: {read:?} {got:?}");

    let _ = stop.send(());
    server.await.expect("server");
}
