//! Grammar-constrained Whisper decoding: whisper.cpp's GBNF rules behind a safe API.
//!
//! whisper.cpp can restrict decoding to a grammar (`grammar_rules` in `whisper_full_params`:
//! an array of rule pointers, each rule an element array ending in `WHISPER_GRETYPE_END`).
//! whisper-rs 0.16 hands that array over in the wrong shape and hides the raw parameters, so
//! this crate talks to `whisper-rs-sys` (the version whisper-rs uses, so the native library is
//! linked once) directly. All `unsafe` code of the project's speech path lives here, in
//! [`recognizer`] and its logits filter; [`rules`] builds and checks grammars in safe Rust
//! before C sees them.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]

mod filter;
pub mod recognizer;
pub mod rules;

pub use filter::EndCheck;
pub use recognizer::{DecodeOptions, DecodeOutput, GrammarRecognizer, LoadOptions, RecognizerError, SegmentOutput};
pub use rules::{Element, GrammarRules, RulesError};
