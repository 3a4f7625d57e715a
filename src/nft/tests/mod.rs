//! Tests for signed chip records.

mod canonical_tests;
mod cli_tests;
mod fixture;
mod keys_tests;
mod record_tests;
mod verify_tests;
