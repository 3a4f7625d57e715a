//! Shared test fixture: two designers, a design file and their signed record.

use super::super::content::digest_reader;
use super::super::keys::DesignerKeys;
use super::super::record::{Author, ChipRecordInput, build_record, sign};
use serde_json::Value;
use time::macros::datetime;
use uuid::Uuid;

pub const FILE: &[u8] = b"module rv32i_core(input clk, input rst_n);\n  // ...\nendmodule\n";

pub struct Fixture {
    pub alice: DesignerKeys,
    pub bob: DesignerKeys,
    pub input: ChipRecordInput,
}

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

impl Fixture {
    pub fn new() -> Result<Self, Box<dyn std::error::Error>> {
        let alice = DesignerKeys::generate();
        let bob = DesignerKeys::generate();
        let digest = digest_reader(FILE)?;
        let input = ChipRecordInput {
            name: "RV32I core".into(),
            description: "A small in-order RISC-V core".into(),
            image: "https://holomesh.example/img/rv32i.png".into(),
            external_url: "https://holomesh.example/chips/rv32i".into(),
            vlnv: "acme.com:cpu:rv32i:1.0".into(),
            process_node: "28nm".into(),
            category: "cpu".into(),
            licence: "Apache-2.0".into(),
            sha256: digest.sha256,
            size: digest.size,
            authors: vec![
                Author { id: Uuid::from_u128(1), pubkey: alice.public_key_string(), share_bps: 7000 },
                Author { id: Uuid::from_u128(2), pubkey: bob.public_key_string(), share_bps: 3000 },
            ],
            royalty_bps: 500,
            prev_version: Some("acme.com:cpu:rv32i:0.9".into()),
            created_at: datetime!(2025-03-01 12:00:00 UTC),
        };
        Ok(Self { alice, bob, input })
    }

    /// The record signed by both authors.
    pub fn signed(&self) -> Result<Value, Box<dyn std::error::Error>> {
        let mut record = build_record(&self.input)?;
        sign(&mut record, self.alice.signing_key())?;
        sign(&mut record, self.bob.signing_key())?;
        Ok(record)
    }
}
