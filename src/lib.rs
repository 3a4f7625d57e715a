//! HoloMesh: a marketplace for chip designs with a hands-free voice assistant.
//!
//! Layers point down: `app` (the composition root) → adapters (`api`, `web`, `cli`,
//! `daemon`, `wyoming`) → services (`voice`, `market`, `auth`) → `store`/`cache` →
//! `domain`. See the README's architecture section.

pub mod api;
pub mod app;
pub mod asr;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod daemon;
pub mod domain;
pub mod embed;
pub mod failpoint;
pub mod market;
pub mod nft;
pub mod nlu;
pub mod notify;
pub mod shutdown;
pub mod store;
pub mod telemetry;
pub mod voice;
pub mod web;
pub mod wyoming;
