//! The Wyoming server over real TCP on 127.0.0.1 with the fake handler.

#[path = "wyoming_support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use holomesh::wyoming::events::{
    AudioChunk, AudioFormat, AudioStop, ErrorEvent, PingText, Recognize, Reply, Transcribe, TranscriptEvent,
};
use holomesh::wyoming::frame::encode_frame;
use holomesh::wyoming::{Event, Frame, FrameLimits, ServerLimits};
use serde_json::json;
use support::fake_handler::{FakeHandler, fake_info};
use support::{Client, TestServer, s16_mono_16k, tone};
use tokio::sync::Barrier;

fn error_code(event: Option<Event>) -> Option<String> {
    match event {
        Some(Event::Error(ErrorEvent { code, .. })) => code,
        _ => None,
    }
}

fn transcript_text(event: Option<Event>) -> Option<String> {
    match event {
        Some(Event::Transcript(t)) => Some(t.text),
        _ => None,
    }
}

#[tokio::test]
async fn describe_returns_info_with_asr_and_handle_programs() {
    let server = TestServer::start_default().await;
    let mut client = Client::connect(server.addr).await;
    client.send(&Event::Describe).await;
    let Some(Event::Info(info)) = client.recv().await else { panic!("expected info") };
    assert_eq!(info, fake_info());
    assert_eq!(info.asr[0].program.models[0].languages, vec!["en", "de"]);
    server.shutdown().await;
}

#[tokio::test]
async fn transcribe_flow_returns_transcript_with_language() {
    let server = TestServer::start_default().await;
    let mut client = Client::connect(server.addr).await;
    client.send(&Event::Transcribe(Transcribe { language: Some("de".into()), ..Default::default() })).await;
    client.send_audio(&tone(s16_mono_16k(), 1.0), s16_mono_16k(), 2048).await;
    let Some(Event::Transcript(t)) = client.recv().await else { panic!("expected transcript") };
    assert_eq!(t.text, "heard 16000 samples");
    assert_eq!(t.language.as_deref(), Some("de"));

    // The connection stays usable for a second utterance, without `transcribe` this time.
    client.send_audio(&tone(s16_mono_16k(), 0.5), s16_mono_16k(), 1000).await;
    assert_eq!(transcript_text(client.recv().await).as_deref(), Some("heard 8000 samples"));
    server.shutdown().await;
}

#[tokio::test]
async fn converts_widths_channels_and_rates_to_16k_mono() {
    let server = TestServer::start_default().await;
    let cases = [
        (AudioFormat { rate: 48_000, width: 3, channels: 2 }, 0.5, 8000),
        (AudioFormat { rate: 8_000, width: 1, channels: 1 }, 1.0, 16000),
        (AudioFormat { rate: 22_050, width: 4, channels: 2 }, 1.0, 16000),
        (AudioFormat { rate: 16_000, width: 2, channels: 2 }, 0.25, 4000),
    ];
    for (format, seconds, expected) in cases {
        let mut client = Client::connect(server.addr).await;
        let frame = (format.width * format.channels) as usize;
        client.send_audio(&tone(format, seconds), format, frame * 1000).await;
        assert_eq!(transcript_text(client.recv().await), Some(format!("heard {expected} samples")), "{format:?}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn audio_chunks_without_audio_start_are_accepted() {
    let server = TestServer::start_default().await;
    let mut client = Client::connect(server.addr).await;
    let format = s16_mono_16k();
    client.send(&Event::AudioChunk(AudioChunk { format, timestamp: Some(0), audio: tone(format, 0.1) })).await;
    client.send(&Event::AudioStop(AudioStop::default())).await;
    assert_eq!(transcript_text(client.recv().await).as_deref(), Some("heard 1600 samples"));
    server.shutdown().await;
}

#[tokio::test]
async fn audio_over_the_cap_is_refused_and_closes() {
    let config = ServerLimits { max_audio_seconds: 1.0, ..ServerLimits::default() };
    let server = TestServer::start(Arc::new(FakeHandler::default()), config).await;
    let mut client = Client::connect(server.addr).await;
    client.send_audio(&tone(s16_mono_16k(), 1.5), s16_mono_16k(), 3200).await;
    assert_eq!(error_code(client.recv().await).as_deref(), Some("audio-too-long"));
    assert_eq!(client.recv().await, None);
    server.shutdown().await;
}

#[tokio::test]
async fn bad_audio_format_and_failed_transcription_send_error_and_close() {
    let server = TestServer::start_default().await;
    let mut client = Client::connect(server.addr).await;
    let format = AudioFormat { rate: 16_000, width: 5, channels: 1 };
    client.send_audio(&[0; 10], format, 10).await;
    assert_eq!(error_code(client.recv().await).as_deref(), Some("audio-format"));
    assert_eq!(client.recv().await, None);

    let mut client = Client::connect(server.addr).await;
    client.send(&Event::Transcribe(Transcribe { language: Some("xx".into()), ..Default::default() })).await;
    client.send_audio(&tone(s16_mono_16k(), 0.1), s16_mono_16k(), 640).await;
    assert_eq!(error_code(client.recv().await).as_deref(), Some("transcribe-failed"));
    assert_eq!(client.recv().await, None);
    server.shutdown().await;
}

#[tokio::test]
async fn handle_flow_answers_handled_and_not_handled() {
    let server = TestServer::start_default().await;
    let mut client = Client::connect(server.addr).await;
    let context = json!({"conversation_id": "c-42", "device_id": "d1"});
    let transcript =
        TranscriptEvent { text: "list my designs".into(), language: Some("en".into()), context: Some(context) };
    client.send(&Event::Transcript(transcript)).await;
    let Some(Event::Handled(Reply { text, .. })) = client.recv().await else { panic!("expected handled") };
    assert_eq!(text.as_deref(), Some("You said: list my designs [conversation c-42]"));

    client.send(&Event::Transcript(TranscriptEvent { text: "fail please".into(), ..Default::default() })).await;
    let Some(Event::NotHandled(Reply { text, .. })) = client.recv().await else { panic!("expected not-handled") };
    assert_eq!(text.as_deref(), Some("Sorry, I cannot fail please"));
    server.shutdown().await;
}

#[tokio::test]
async fn recognize_ping_and_unknown_events() {
    let server = TestServer::start_default().await;
    let mut client = Client::connect(server.addr).await;
    client.send(&Event::Recognize(Recognize { text: "buy uart16550".into(), context: None })).await;
    let Some(Event::Intent(intent)) = client.recv().await else { panic!("expected intent") };
    assert_eq!(intent.name, "BuyDesign");
    assert_eq!(intent.entities[0].name, "design");
    assert_eq!(intent.entities[0].value, json!("uart16550"));

    client.send(&Event::Recognize(Recognize { text: "sing a song".into(), context: None })).await;
    assert!(matches!(client.recv().await, Some(Event::NotRecognized(_))));

    // An unknown event is ignored; the next ping is still answered.
    client.send(&Event::Unknown(Frame::new("synthesize"))).await;
    client.send(&Event::Ping(PingText { text: Some("hello".into()) })).await;
    assert_eq!(client.recv().await, Some(Event::Pong(PingText { text: Some("hello".into()) })));

    // A known event with unusable data gets an error but the connection stays open.
    client.send_raw(b"{\"type\":\"recognize\",\"data\":{\"txt\":1}}\n").await;
    assert_eq!(error_code(client.recv().await).as_deref(), Some("invalid-event"));
    client.send(&Event::Ping(PingText::default())).await;
    assert!(matches!(client.recv().await, Some(Event::Pong(_))));
    server.shutdown().await;
}

#[tokio::test]
async fn frames_split_across_many_writes_are_reassembled() {
    let server = TestServer::start_default().await;
    let mut client = Client::connect(server.addr).await;
    let format = s16_mono_16k();
    let mut bytes = Vec::new();
    for event in [
        Event::Transcribe(Transcribe { language: Some("en".into()), ..Default::default() }),
        Event::AudioChunk(AudioChunk { format, timestamp: None, audio: tone(format, 0.01) }),
        Event::AudioStop(AudioStop::default()),
    ] {
        bytes.extend(encode_frame(&event.to_frame().expect("frame")).expect("encode"));
    }
    for piece in bytes.chunks(7) {
        client.send_raw(piece).await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(transcript_text(client.recv().await).as_deref(), Some("heard 160 samples"));
    server.shutdown().await;
}

#[tokio::test]
async fn oversized_header_gets_error_and_close() {
    let config = ServerLimits {
        limits: FrameLimits { max_header_len: 1024, ..FrameLimits::default() },
        ..ServerLimits::default()
    };
    let server = TestServer::start(Arc::new(FakeHandler::default()), config).await;
    let mut client = Client::connect(server.addr).await;
    client.send_raw(&vec![b'{'; 4096]).await;
    assert_eq!(error_code(client.recv().await).as_deref(), Some("malformed-frame"));
    assert_eq!(client.recv().await, None);

    // Oversized payload announced in the header is refused before it is read.
    let mut client = Client::connect(server.addr).await;
    client.send_raw(b"{\"type\":\"audio-chunk\",\"payload_length\":104857600}\n").await;
    assert_eq!(error_code(client.recv().await).as_deref(), Some("malformed-frame"));
    assert_eq!(client.recv().await, None);
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_json_gets_error_and_close() {
    let server = TestServer::start_default().await;
    for garbage in [&b"{\"type\": \"describe\",,}\n"[..], b"\x00\xff\xfe binary\n", b"{\"data\":{}}\n"] {
        let mut client = Client::connect(server.addr).await;
        client.send_raw(garbage).await;
        let Some(Event::Error(err)) = client.recv().await else { panic!("expected error for {garbage:?}") };
        assert_eq!(err.code.as_deref(), Some("malformed-frame"));
        assert!(err.text.starts_with("malformed frame"), "{}", err.text);
        assert_eq!(client.recv().await, None);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn two_clients_are_served_concurrently() {
    // Each transcription waits for the other: this only completes if both run at once.
    let handler = FakeHandler { barrier: Some(Arc::new(Barrier::new(2))) };
    let server = TestServer::start(Arc::new(handler), ServerLimits::default()).await;
    let addr = server.addr;
    let run = |seconds: f64| async move {
        let mut client = Client::connect(addr).await;
        client.send_audio(&tone(s16_mono_16k(), seconds), s16_mono_16k(), 3200).await;
        transcript_text(client.recv().await)
    };
    let (a, b) = tokio::join!(run(0.5), run(0.25));
    assert_eq!(a.as_deref(), Some("heard 8000 samples"));
    assert_eq!(b.as_deref(), Some("heard 4000 samples"));
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_connection_does_not_affect_another() {
    let server = TestServer::start_default().await;
    let format = s16_mono_16k();
    let mut good = Client::connect(server.addr).await;
    good.send(&Event::Transcribe(Transcribe::default())).await;
    good.send(&Event::AudioChunk(AudioChunk { format, timestamp: None, audio: tone(format, 0.2) })).await;

    let mut bad = Client::connect(server.addr).await;
    bad.send_raw(b"this is not wyoming\n").await;
    assert_eq!(error_code(bad.recv().await).as_deref(), Some("malformed-frame"));
    assert_eq!(bad.recv().await, None);

    good.send(&Event::AudioChunk(AudioChunk { format, timestamp: None, audio: tone(format, 0.2) })).await;
    good.send(&Event::AudioStop(AudioStop::default())).await;
    assert_eq!(transcript_text(good.recv().await).as_deref(), Some("heard 6400 samples"));

    let mut third = Client::connect(server.addr).await;
    third.send(&Event::Describe).await;
    assert!(matches!(third.recv().await, Some(Event::Info(_))));
    server.shutdown().await;
}

#[tokio::test]
async fn connection_limit_refuses_extra_clients() {
    let config = ServerLimits { max_connections: 1, ..ServerLimits::default() };
    let server = TestServer::start(Arc::new(FakeHandler::default()), config).await;
    let mut first = Client::connect(server.addr).await;
    first.send(&Event::Ping(PingText::default())).await;
    assert!(matches!(first.recv().await, Some(Event::Pong(_))));
    let mut second = Client::connect(server.addr).await;
    assert_eq!(error_code(second.recv().await).as_deref(), Some("busy"));
    assert_eq!(second.recv().await, None);
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_open_connections_and_returns() {
    let server = TestServer::start_default().await;
    let mut client = Client::connect(server.addr).await;
    client.send(&Event::Ping(PingText::default())).await;
    assert!(matches!(client.recv().await, Some(Event::Pong(_))));
    server.shutdown().await;
    assert_eq!(client.recv().await, None);
}
