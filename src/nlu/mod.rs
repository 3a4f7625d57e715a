//! hassil-compatible intent recognition: templates compiled into one automaton, typed slots,
//! dynamic lists and sound-alike slot resolution.

pub mod approx;
pub mod automaton;
mod bundled;
pub mod cli;
pub mod compile;
pub mod engine;
pub mod error;
pub mod fuzzy;
pub mod grammar;
pub mod input;
pub mod lists;
pub mod matcher;
pub mod money;
pub mod normalize;
pub mod numbers;
pub mod options;
pub mod rank;
pub mod semantic;
pub mod template;
pub mod testfile;
pub mod values;
pub mod word;
pub mod yaml;

pub use engine::{Context, Engine, EngineOptions};
pub use error::{Location, NluError};
pub use grammar::{Grammar, ListDef, ListValue};
pub use values::{Alternative, Frequency, Match, MatchStatus, Money, Period, SlotKind, SlotValue};
