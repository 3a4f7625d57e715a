//! HoloMesh: a marketplace for chip designs with a hands-free voice assistant.
//!
//! Layers point down: adapters (`api`, `cli`) → services → `store`/`cache` traits → `domain`.

pub mod api;
pub mod asr;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod daemon;
pub mod domain;
pub mod market;
pub mod nft;
pub mod nlu;
pub mod store;
pub mod telemetry;
pub mod voice;
pub mod wyoming;
