//! Speech recognition: audio input, voice activity endpointing and transcription.
//!
//! The pieces are independent: [`audio`] turns files or network PCM into 16 kHz mono `f32`,
//! [`vad`] cuts a stream into utterances, and a [`recognizer::Recognizer`] turns an utterance
//! into text. The whisper.cpp backend lives behind the `whisper` cargo feature, the Vosk
//! backend behind `vosk`.

pub mod audio;
pub mod gbnf;
#[cfg(feature = "grammar")]
pub mod grammar_whisper;
pub mod model_file;
pub mod phrases;
pub mod recognizer;
pub mod resample;
pub mod stream_resample;
pub mod vad;
#[cfg(feature = "vosk")]
pub mod vosk;
#[cfg(feature = "whisper")]
pub mod whisper;

pub use self::audio::{AudioError, S16leStream, SAMPLE_RATE, decode_wav, load_wav, pcm_s16le_to_f32};
pub use self::model_file::{ModelFileError, ModelInfo, inspect_model_file};
pub use self::recognizer::{
    AsrError, AudioWindow, Recognizer, Segment, Timings, TranscribeOptions, Transcript, collapse_repetitions,
};
pub use self::vad::{EndpointConfig, EndpointEvent, Endpointer, Utterance, split_utterances};
#[cfg(feature = "vosk")]
pub use self::vosk::VoskRecognizer;
#[cfg(feature = "whisper")]
pub use self::whisper::WhisperRecognizer;
