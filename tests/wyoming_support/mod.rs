//! Shared test helpers: a server on 127.0.0.1:0 with the fake handler, and a minimal Wyoming client.
#![allow(dead_code)]

pub mod fake_handler;
pub mod python;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use holomesh::wyoming::events::{AudioChunk, AudioFormat, AudioStart, AudioStop};
use holomesh::wyoming::frame::{encode_frame, read_frame};
use holomesh::wyoming::{Event, FrameLimits, ServerLimits, WyomingHandler, serve_with_config};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A running server; dropping `stop` (or sending on it) shuts it down.
pub struct TestServer {
    pub addr: SocketAddr,
    pub stop: Option<oneshot::Sender<()>>,
    pub task: JoinHandle<()>,
}

impl TestServer {
    pub async fn start(handler: Arc<dyn WyomingHandler>, config: ServerLimits) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_with_config(listener, handler, fake_handler::fake_info(), config, async {
            let _ = stopped.await;
        }));
        Self { addr, stop: Some(stop), task }
    }

    pub async fn start_default() -> Self {
        Self::start(Arc::new(fake_handler::FakeHandler::default()), ServerLimits::default()).await
    }

    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(TIMEOUT, self.task).await.expect("server stops in time").expect("server task");
    }
}

pub struct Client {
    pub reader: BufReader<OwnedReadHalf>,
    pub writer: OwnedWriteHalf,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let (r, w) = stream.into_split();
        Self { reader: BufReader::new(r), writer: w }
    }

    pub async fn send(&mut self, event: &Event) {
        let bytes = encode_frame(&event.to_frame().expect("encode event")).expect("encode frame");
        self.writer.write_all(&bytes).await.expect("write");
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.expect("write raw");
    }

    /// Next event, or `None` when the server closed the connection.
    pub async fn recv(&mut self) -> Option<Event> {
        let frame = tokio::time::timeout(TIMEOUT, read_frame(&mut self.reader, &FrameLimits::default()))
            .await
            .expect("server answers in time")
            .expect("well-formed frame from server")?;
        Some(Event::from_frame(frame).expect("valid event from server"))
    }

    /// Sends `audio-start`, the PCM in chunks of `chunk_bytes`, and `audio-stop`.
    pub async fn send_audio(&mut self, pcm: &[u8], format: AudioFormat, chunk_bytes: usize) {
        self.send(&Event::AudioStart(AudioStart { format, timestamp: None })).await;
        for chunk in pcm.chunks(chunk_bytes) {
            self.send(&Event::AudioChunk(AudioChunk { format, timestamp: None, audio: chunk.to_vec() })).await;
        }
        self.send(&Event::AudioStop(AudioStop::default())).await;
    }
}

/// `seconds` of a 440 Hz tone as interleaved signed little-endian PCM.
pub fn tone(format: AudioFormat, seconds: f64) -> Vec<u8> {
    let frames = (f64::from(format.rate) * seconds) as usize;
    let width = format.width as usize;
    let max = ((1i64 << (8 * width - 1)) - 1) as f64;
    let mut out = Vec::with_capacity(frames * width * format.channels as usize);
    for i in 0..frames {
        let t = i as f64 / f64::from(format.rate);
        let value = ((2.0 * std::f64::consts::PI * 440.0 * t).sin() * 0.5 * max) as i64;
        for _ in 0..format.channels {
            out.extend_from_slice(&value.to_le_bytes()[..width]);
        }
    }
    out
}

pub fn s16_mono_16k() -> AudioFormat {
    AudioFormat { rate: 16_000, width: 2, channels: 1 }
}
