//! The daemon's audio input: microphone capture (feature `mic`) feeding the
//! endpointer, which hands whole utterances to the voice pipeline.

#[cfg(feature = "mic")]
pub mod mic;
