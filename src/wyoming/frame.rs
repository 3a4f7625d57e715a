//! Wyoming wire framing: a JSON header line, an optional JSON data section and an optional binary payload.
//!
//! Layout of one frame on the wire:
//! 1. a UTF-8 JSON object on one line ending in `\n`: `type`, optional `data`, `data_length`,
//!    `payload_length`, `version`;
//! 2. exactly `data_length` bytes of JSON (an object), merged over the header's `data`;
//! 3. exactly `payload_length` bytes of binary payload.
//!
//! The reader accepts `data` inline, in the data section, or both. The writer always puts `data`
//! in the separate section and stamps `version`, as the reference Python writer does.

use serde_json::{Map, Value};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Protocol version stamped on every frame written.
pub const PROTOCOL_VERSION: &str = "1.8.0";

/// One decoded frame: event type, merged data object and payload bytes (empty when absent).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    pub event_type: String,
    pub data: Map<String, Value>,
    pub payload: Vec<u8>,
}

impl Frame {
    pub fn new(event_type: impl Into<String>) -> Self {
        Self { event_type: event_type.into(), data: Map::new(), payload: Vec::new() }
    }

    pub fn with_data(mut self, data: Map<String, Value>) -> Self {
        self.data = data;
        self
    }

    pub fn with_payload(mut self, payload: Vec<u8>) -> Self {
        self.payload = payload;
        self
    }
}

/// Size limits applied while reading frames; input over a limit is rejected before it is buffered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLimits {
    /// Longest header line accepted, newline included.
    pub max_header_len: usize,
    /// Largest data section accepted.
    pub max_data_len: usize,
    /// Largest payload accepted.
    pub max_payload_len: usize,
}

impl Default for FrameLimits {
    fn default() -> Self {
        Self { max_header_len: 64 * 1024, max_data_len: 1024 * 1024, max_payload_len: 4 * 1024 * 1024 }
    }
}

/// Why a frame could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("header line longer than {limit} bytes")]
    HeaderTooLong { limit: usize },
    #[error("{section} length {len} exceeds the limit of {limit} bytes")]
    TooLarge { section: &'static str, len: u64, limit: usize },
    #[error("stream ended inside a frame ({section})")]
    Truncated { section: &'static str },
    #[error("header is not valid JSON: {0}")]
    InvalidHeaderJson(serde_json::Error),
    #[error("header is not a JSON object with a string `type`")]
    InvalidHeader,
    #[error("`{field}` must be a non-negative integer")]
    InvalidLength { field: &'static str },
    #[error("`data` must be a JSON object")]
    DataNotObject,
    #[error("data section is not valid JSON: {0}")]
    InvalidDataJson(serde_json::Error),
}

impl FrameError {
    /// True when the peer simply went away (as opposed to sending something malformed).
    pub fn is_disconnect(&self) -> bool {
        match self {
            FrameError::Io(err) => matches!(
                err.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            ),
            _ => false,
        }
    }
}

/// Reads one frame. Returns `Ok(None)` on a clean end of stream between frames.
///
/// Blank header lines are skipped. Not cancel safe: dropping the future mid-frame loses sync.
pub async fn read_frame<R>(reader: &mut R, limits: &FrameLimits) -> Result<Option<Frame>, FrameError>
where
    R: AsyncBufRead + Unpin,
{
    let line = loop {
        match read_header_line(reader, limits.max_header_len).await? {
            None => return Ok(None),
            Some(line) if line.iter().all(u8::is_ascii_whitespace) => continue,
            Some(line) => break line,
        }
    };

    let header: Value = serde_json::from_slice(&line).map_err(FrameError::InvalidHeaderJson)?;
    let Value::Object(mut header) = header else {
        return Err(FrameError::InvalidHeader);
    };
    let event_type = match header.remove("type") {
        Some(Value::String(t)) if !t.is_empty() => t,
        _ => return Err(FrameError::InvalidHeader),
    };
    let mut data = match header.remove("data") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(FrameError::DataNotObject),
    };
    let data_len = length_field(&header, "data_length")?;
    let payload_len = length_field(&header, "payload_length")?;

    if data_len > 0 {
        check_limit("data", data_len, limits.max_data_len)?;
        let bytes = read_section(reader, data_len, "data").await?;
        let extra: Value = serde_json::from_slice(&bytes).map_err(FrameError::InvalidDataJson)?;
        let Value::Object(extra) = extra else {
            return Err(FrameError::DataNotObject);
        };
        data.extend(extra);
    }

    let payload = if payload_len > 0 {
        check_limit("payload", payload_len, limits.max_payload_len)?;
        read_section(reader, payload_len, "payload").await?
    } else {
        Vec::new()
    };

    Ok(Some(Frame { event_type, data, payload }))
}

/// Writes one frame (header line, data section, payload) and flushes the writer.
pub async fn write_frame<W>(writer: &mut W, frame: &Frame) -> Result<(), FrameError>
where
    W: AsyncWrite + Unpin,
{
    let bytes = encode_frame(frame)?;
    writer.write_all(&bytes).await?;
    writer.flush().await?;
    Ok(())
}

/// Encodes one frame to bytes, as written by [`write_frame`].
pub fn encode_frame(frame: &Frame) -> Result<Vec<u8>, FrameError> {
    let data_bytes = if frame.data.is_empty() {
        Vec::new()
    } else {
        serde_json::to_vec(&frame.data).map_err(FrameError::InvalidDataJson)?
    };

    let mut header = Map::new();
    header.insert("type".into(), Value::String(frame.event_type.clone()));
    header.insert("version".into(), Value::String(PROTOCOL_VERSION.into()));
    if !data_bytes.is_empty() {
        header.insert("data_length".into(), Value::from(data_bytes.len()));
    }
    if !frame.payload.is_empty() {
        header.insert("payload_length".into(), Value::from(frame.payload.len()));
    }
    // serde_json escapes control characters, so the header never contains a raw newline.
    let header_bytes = serde_json::to_vec(&header).map_err(FrameError::InvalidHeaderJson)?;

    let mut out = Vec::with_capacity(header_bytes.len() + 1 + data_bytes.len() + frame.payload.len());
    out.extend_from_slice(&header_bytes);
    out.push(b'\n');
    out.extend_from_slice(&data_bytes);
    out.extend_from_slice(&frame.payload);
    Ok(out)
}

/// Reads bytes up to and including `\n`, refusing lines longer than `limit`.
/// Returns the line without the newline, or `None` at end of stream before any byte.
async fn read_header_line<R>(reader: &mut R, limit: usize) -> Result<Option<Vec<u8>>, FrameError>
where
    R: AsyncBufRead + Unpin,
{
    let mut line = Vec::new();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return if line.is_empty() { Ok(None) } else { Err(FrameError::Truncated { section: "header" }) };
        }
        let (chunk_len, done) = match available.iter().position(|&b| b == b'\n') {
            Some(pos) => (pos + 1, true),
            None => (available.len(), false),
        };
        if line.len() + chunk_len > limit {
            return Err(FrameError::HeaderTooLong { limit });
        }
        line.extend_from_slice(&available[..chunk_len]);
        reader.consume(chunk_len);
        if done {
            line.pop();
            return Ok(Some(line));
        }
    }
}

fn length_field(header: &Map<String, Value>, field: &'static str) -> Result<u64, FrameError> {
    match header.get(field) {
        None | Some(Value::Null) => Ok(0),
        Some(value) => value.as_u64().ok_or(FrameError::InvalidLength { field }),
    }
}

fn check_limit(section: &'static str, len: u64, limit: usize) -> Result<(), FrameError> {
    if usize::try_from(len).map_or(true, |n| n > limit) {
        return Err(FrameError::TooLarge { section, len, limit });
    }
    Ok(())
}

/// Reads exactly `len` bytes (already checked against a limit).
async fn read_section<R>(reader: &mut R, len: u64, section: &'static str) -> Result<Vec<u8>, FrameError>
where
    R: AsyncBufRead + Unpin,
{
    let mut buf = Vec::new();
    let read = reader.take(len).read_to_end(&mut buf).await?;
    if (read as u64) < len {
        return Err(FrameError::Truncated { section });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    async fn read_all(bytes: &[u8]) -> Result<Option<Frame>, FrameError> {
        let mut reader = bytes;
        read_frame(&mut reader, &FrameLimits::default()).await
    }

    #[tokio::test]
    async fn round_trip_with_data_and_payload() {
        let frame = Frame::new("audio-chunk")
            .with_data(obj(json!({"rate": 16000, "width": 2, "channels": 1})))
            .with_payload(vec![1, 2, 3, 4]);
        let bytes = encode_frame(&frame).unwrap_or_default();
        let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let header: Value = serde_json::from_slice(first_line).unwrap_or_default();
        assert_eq!(header["version"], PROTOCOL_VERSION);
        assert_eq!(header["payload_length"], 4);
        assert!(header.get("data").is_none(), "data goes in the separate section");
        assert_eq!(read_all(&bytes).await.ok().flatten(), Some(frame));
    }

    #[tokio::test]
    async fn inline_data_is_merged_under_section_data() {
        let input = b"{\"type\":\"transcript\",\"data\":{\"text\":\"old\",\"language\":\"en\"},\"data_length\":14}\n{\"text\":\"new\"}";
        let frame = read_all(input).await.ok().flatten().unwrap_or_default();
        assert_eq!(frame.data, obj(json!({"text": "new", "language": "en"})));
    }

    #[tokio::test]
    async fn empty_stream_is_clean_eof_and_partial_header_is_truncated() {
        assert!(matches!(read_all(b"").await, Ok(None)));
        assert!(matches!(read_all(b"\n\n").await, Ok(None)));
        assert!(matches!(read_all(b"{\"type\":\"ping\"").await, Err(FrameError::Truncated { section: "header" })));
    }

    #[tokio::test]
    async fn rejects_bad_headers() {
        assert!(matches!(read_all(b"not json\n").await, Err(FrameError::InvalidHeaderJson(_))));
        assert!(matches!(read_all(b"[1,2]\n").await, Err(FrameError::InvalidHeader)));
        assert!(matches!(read_all(b"{\"data\":{}}\n").await, Err(FrameError::InvalidHeader)));
        assert!(matches!(
            read_all(b"{\"type\":\"x\",\"data_length\":-1}\n").await,
            Err(FrameError::InvalidLength { field: "data_length" })
        ));
        assert!(matches!(read_all(b"{\"type\":\"x\",\"data\":[1]}\n").await, Err(FrameError::DataNotObject)));
        assert!(matches!(read_all(b"{\"type\":\"x\",\"data_length\":3}\n[1]").await, Err(FrameError::DataNotObject)));
    }

    #[tokio::test]
    async fn enforces_limits() {
        let limits = FrameLimits { max_header_len: 48, max_data_len: 8, max_payload_len: 8 };
        let long = format!("{{\"type\":\"{}\"}}\n", "a".repeat(64));
        let mut reader = long.as_bytes();
        assert!(matches!(read_frame(&mut reader, &limits).await, Err(FrameError::HeaderTooLong { limit: 48 })));
        let mut reader: &[u8] = b"{\"type\":\"x\",\"payload_length\":9}\n";
        assert!(matches!(
            read_frame(&mut reader, &limits).await,
            Err(FrameError::TooLarge { section: "payload", len: 9, .. })
        ));
        let mut reader: &[u8] = b"{\"type\":\"x\",\"data_length\":99999999999}\n";
        assert!(matches!(read_frame(&mut reader, &limits).await, Err(FrameError::TooLarge { section: "data", .. })));
    }

    #[tokio::test]
    async fn truncated_payload_is_an_error() {
        assert!(matches!(
            read_all(b"{\"type\":\"x\",\"payload_length\":10}\nabc").await,
            Err(FrameError::Truncated { section: "payload" })
        ));
    }
}
