//! Arbitrary bytes where HoloMesh reads input from outside: WAV files (uploads, the
//! Wyoming audio path) and Wyoming frames. Whatever arrives, the readers answer with a
//! value or an error — never a panic, never more than the limits allow — and what the
//! writers produce reads back unchanged.

use holomesh::asr::decode_wav;
use holomesh::wyoming::frame::{encode_frame, read_frame};
use holomesh::wyoming::{Event, Frame, FrameLimits};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// A WAV header with the given fields, then `body` as the data chunk.
fn wav(format: u16, channels: u16, rate: u32, bits: u16, body: &[u8]) -> Vec<u8> {
    let block = channels.saturating_mul(bits / 8);
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + body.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&format.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&rate.saturating_mul(u32::from(block)).to_le_bytes());
    out.extend_from_slice(&block.to_le_bytes());
    out.extend_from_slice(&bits.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    out
}

fn read(bytes: &[u8], limits: &FrameLimits) -> Result<Option<Frame>, holomesh::wyoming::FrameError> {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let mut reader = tokio::io::BufReader::new(bytes);
    rt.block_on(read_frame(&mut reader, limits))
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_as_a_wav_file_are_decoded_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_wav(bytes.as_slice());
    }

    #[test]
    fn any_wav_header_is_decoded_or_refused(
        format in prop_oneof![Just(1u16), Just(3u16), any::<u16>()],
        channels in 0u16..10,
        rate in prop_oneof![Just(16_000u32), Just(44_100u32), 0u32..200_000, any::<u32>()],
        bits in prop_oneof![Just(8u16), Just(16u16), Just(24u16), Just(32u16), any::<u16>()],
        body in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        if let Ok(samples) = decode_wav(wav(format, channels, rate, bits, &body).as_slice()) {
            prop_assert!(samples.iter().all(|s| s.is_finite() || format == 3));
        }
    }

    #[test]
    fn pcm_wav_files_decode_to_their_length(samples in prop::collection::vec(any::<i16>(), 1..4000)) {
        let body: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        let decoded = decode_wav(wav(1, 1, 16_000, 16, &body).as_slice()).expect("a plain 16 kHz file");
        prop_assert_eq!(decoded.len(), samples.len());
        prop_assert!(decoded.iter().all(|s| (-1.0..=1.0).contains(s)));
    }

    #[test]
    fn any_bytes_as_a_wyoming_stream_are_read_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let limits = FrameLimits { max_header_len: 256, max_data_len: 128, max_payload_len: 128 };
        if let Ok(Some(frame)) = read(&bytes, &limits) {
            prop_assert!(frame.payload.len() <= limits.max_payload_len);
            let _ = Event::from_frame(frame);
        }
    }

    #[test]
    fn headers_with_any_lengths_are_read_or_refused(
        kind in "[a-z-]{0,12}",
        data_length in any::<i64>(),
        payload_length in any::<i64>(),
        tail in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut bytes = format!(
            "{{\"type\":\"{kind}\",\"data_length\":{data_length},\"payload_length\":{payload_length}}}\n"
        ).into_bytes();
        bytes.extend(tail);
        let limits = FrameLimits { max_header_len: 256, max_data_len: 32, max_payload_len: 32 };
        if let Ok(Some(frame)) = read(&bytes, &limits) {
            prop_assert!(frame.payload.len() <= 32);
        }
    }

    #[test]
    fn written_frames_read_back_unchanged(
        kind in "[a-z][a-z-]{0,15}",
        data in prop::collection::btree_map("[a-z_]{1,8}", json_value(), 0..4),
        payload in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let data: Map<String, Value> = data.into_iter().collect();
        let frame = Frame::new(kind).with_data(data).with_payload(payload);
        let bytes = encode_frame(&frame).expect("encodes");
        let back = read(&bytes, &FrameLimits::default()).expect("reads").expect("one frame");
        prop_assert_eq!(back, frame);
    }
}
