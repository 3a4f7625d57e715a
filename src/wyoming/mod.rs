//! Wyoming protocol server: lets Home Assistant use HoloMesh for speech-to-text and as a conversation agent.
//!
//! - [`frame`]: wire framing (header line, data section, payload) with size limits.
//! - [`events`]: typed events and their frame encoding; [`info`]: the `describe` answer.
//! - [`audio`]: PCM conversion to 16 kHz mono `f32` (streaming resampling from `asr::stream_resample`).
//! - [`server`]: the TCP server; [`handler`]: the trait it calls into; [`admission`]: who
//!   may connect and as whom they act.

pub mod admission;
pub mod audio;
mod connection;
pub mod events;
pub mod frame;
pub mod handler;
pub mod info;
mod limits;
pub mod pipeline_handler;
pub mod server;

pub use admission::{Admission, Everyone};
pub use events::Event;
pub use frame::{Frame, FrameError, FrameLimits};
pub use handler::{HandleOutcome, WyomingHandler};
pub use info::{AsrProgram, Attribution, HandleProgram, IntentProgram, Model, Program, ServiceInfo};
pub use server::{ServerLimits, serve, serve_admitting, serve_with_config};
