//! Verification: each named check fails for the tampering it exists to catch.

use super::super::keys::DesignerKeys;
use super::super::record::{build_record, sign, signing_payload};
use super::super::verify::{verify, verify_json};
use super::fixture::{FILE, Fixture, TestResult};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signer as _;
use proptest::prelude::*;
use serde_json::{Value, json};

fn failed(record: &Value, file: &[u8]) -> Result<Vec<String>, std::io::Error> {
    Ok(verify(record, file)?.failures().map(|c| c.name.clone()).collect())
}

#[test]
fn good_record_verifies() -> TestResult {
    let fx = Fixture::new()?;
    let report = verify(&fx.signed()?, FILE)?;
    assert!(report.valid, "{report}");
    assert_eq!(report.first_failure(), None);
    let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["schema", "content_sha256", "content_size", "shares_sum", "royalty_bps", "signatures"]);
    Ok(())
}

#[test]
fn changed_byte_fails_content_sha256() -> TestResult {
    let fx = Fixture::new()?;
    let mut file = FILE.to_vec();
    file[10] ^= 0x20;
    let report = verify(&fx.signed()?, file.as_slice())?;
    let first = report.first_failure().ok_or("expected a failure")?;
    assert_eq!(first.name, "content_sha256");
    assert!(first.detail.starts_with("file hash "));
    assert!(first.detail.contains("does not match record"));
    assert_eq!(failed(&fx.signed()?, &file)?, ["content_sha256"]);
    Ok(())
}

#[test]
fn truncated_file_fails_size() -> TestResult {
    let fx = Fixture::new()?;
    let names = failed(&fx.signed()?, &FILE[..FILE.len() - 1])?;
    assert!(names.contains(&"content_size".to_owned()), "{names:?}");
    Ok(())
}

#[test]
fn signature_by_another_key_fails_signatures() -> TestResult {
    let fx = Fixture::new()?;
    let mut r = build_record(&fx.input)?;
    sign(&mut r, fx.alice.signing_key())?;
    // Bob's slot carries Bob's public key but a signature made with Mallory's key.
    let mallory = DesignerKeys::generate();
    let forged = mallory.signing_key().sign(&signing_payload(&r)?);
    if let Some(sigs) = r["signatures"].as_array_mut() {
        sigs.push(json!({"pubkey": fx.bob.public_key_string(), "sig": STANDARD.encode(forged.to_bytes())}));
    }
    let report = verify(&r, FILE)?;
    assert_eq!(failed(&r, FILE)?, ["signatures"]);
    assert!(report.check("signatures").is_some_and(|c| c.detail.contains("does not match")));
    Ok(())
}

#[test]
fn non_author_signature_fails() -> TestResult {
    let fx = Fixture::new()?;
    let mut r = fx.signed()?;
    let mallory = DesignerKeys::generate();
    let sig = mallory.signing_key().sign(&signing_payload(&r)?);
    if let Some(sigs) = r["signatures"].as_array_mut() {
        sigs.push(json!({"pubkey": mallory.public_key_string(), "sig": STANDARD.encode(sig.to_bytes())}));
    }
    let report = verify(&r, FILE)?;
    assert!(report.check("signatures").is_some_and(|c| !c.ok && c.detail.contains("not an author")));
    Ok(())
}

#[test]
fn missing_author_signature_fails() -> TestResult {
    let fx = Fixture::new()?;
    let mut r = build_record(&fx.input)?;
    sign(&mut r, fx.alice.signing_key())?;
    let report = verify(&r, FILE)?;
    assert!(report.check("signatures").is_some_and(|c| !c.ok && c.detail.contains("has not signed")));
    Ok(())
}

#[test]
fn unsigned_record_fails() -> TestResult {
    let fx = Fixture::new()?;
    let r = build_record(&fx.input)?;
    assert_eq!(failed(&r, FILE)?, ["signatures"]);
    Ok(())
}

#[test]
fn duplicated_signature_entry_fails() -> TestResult {
    let fx = Fixture::new()?;
    let mut r = fx.signed()?;
    let first = r["signatures"][0].clone();
    if let Some(sigs) = r["signatures"].as_array_mut() {
        sigs.push(first);
    }
    assert!(verify(&r, FILE)?.check("signatures").is_some_and(|c| c.detail.contains("twice")));
    Ok(())
}

#[test]
fn editing_after_signing_fails_signatures() -> TestResult {
    let fx = Fixture::new()?;
    for (path, value) in [("royalty_bps", json!(900)), ("licence", json!("MIT")), ("prev_version", Value::Null)] {
        let mut r = fx.signed()?;
        r["properties"][path] = value;
        assert_eq!(failed(&r, FILE)?, ["signatures"], "edit of {path}");
    }
    let mut r = fx.signed()?;
    r["name"] = json!("RV32I core (cheap)");
    assert_eq!(failed(&r, FILE)?, ["signatures"]);
    Ok(())
}

#[test]
fn shares_summing_to_9999_fail() -> TestResult {
    let fx = Fixture::new()?;
    // build_record refuses such shares, so edit them in before signing.
    let mut r = build_record(&fx.input)?;
    r["properties"]["authors"][1]["share_bps"] = json!(2999);
    sign(&mut r, fx.alice.signing_key())?;
    sign(&mut r, fx.bob.signing_key())?;
    let report = verify(&r, FILE)?;
    assert_eq!(failed(&r, FILE)?, ["shares_sum"]);
    assert!(report.first_failure().is_some_and(|c| c.detail.contains("9999")));
    Ok(())
}

#[test]
fn royalty_out_of_range_fails() -> TestResult {
    let fx = Fixture::new()?;
    for bad in [json!(10_001), json!(-1)] {
        let mut r = build_record(&fx.input)?;
        r["properties"]["royalty_bps"] = bad;
        sign(&mut r, fx.alice.signing_key())?;
        sign(&mut r, fx.bob.signing_key())?;
        assert_eq!(failed(&r, FILE)?, ["royalty_bps"]);
    }
    Ok(())
}

#[test]
fn key_order_and_whitespace_do_not_matter() -> TestResult {
    let fx = Fixture::new()?;
    let r = fx.signed()?;
    // Reverse every object's member order and pretty-print: same canonical JSON.
    let text = reverse_members(&r);
    assert_ne!(text, serde_json::to_string(&r)?);
    let report = verify_json(text.as_bytes(), FILE)?;
    assert!(report.valid, "{report}");
    // Signatures listed in the other order verify too.
    let mut swapped = r.clone();
    if let Some(sigs) = swapped["signatures"].as_array_mut() {
        sigs.reverse();
    }
    assert!(verify(&swapped, FILE)?.valid);
    Ok(())
}

fn reverse_members(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let parts: Vec<String> =
                m.iter().rev().map(|(k, v)| format!("{} : {}", Value::String(k.clone()), reverse_members(v))).collect();
            format!("{{\n  {}\n}}", parts.join(",\n  "))
        }
        Value::Array(items) => {
            format!("[ {} ]", items.iter().map(reverse_members).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}

#[test]
fn schema_problems_name_the_field() -> TestResult {
    let fx = Fixture::new()?;
    let mut r = fx.signed()?;
    if let Some(props) = r["properties"].as_object_mut() {
        props.remove("licence");
        props.insert("created_at".into(), json!("yesterday"));
    }
    let report = verify(&r, FILE)?;
    let schema = report.check("schema").ok_or("no schema check")?;
    assert!(!schema.ok);
    assert!(schema.detail.contains("$.properties.licence: missing"), "{}", schema.detail);
    assert!(schema.detail.contains("$.properties.created_at"), "{}", schema.detail);
    Ok(())
}

#[test]
fn duplicate_member_names_are_refused() -> TestResult {
    let fx = Fixture::new()?;
    let text = serde_json::to_string(&fx.signed()?)?;
    let doubled = text.replacen("{\"attributes\"", "{\"name\":\"other\",\"attributes\"", 1);
    assert_ne!(doubled, text);
    assert!(verify_json(doubled.as_bytes(), FILE).is_err());
    Ok(())
}

#[test]
fn report_serialises_to_the_documented_shape() -> TestResult {
    let fx = Fixture::new()?;
    let v = serde_json::to_value(verify(&fx.signed()?, FILE)?)?;
    assert_eq!(v["valid"], true);
    assert_eq!(v["checks"][0]["name"], "schema");
    assert_eq!(v["checks"][0]["ok"], true);
    assert!(v["checks"][0]["detail"].is_string());
    Ok(())
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![Just("ed25519:"), Just("sha256"), Just("signatures"), Just("authors")]
            .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("properties".to_owned()),
                    Just("signatures".to_owned()),
                    Just("authors".to_owned()),
                    Just("content".to_owned()),
                    Just("pubkey".to_owned()),
                    Just("sig".to_owned()),
                    Just("share_bps".to_owned()),
                    ".{0,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_json_never_panics(v in arb_json(), file in prop::collection::vec(any::<u8>(), 0..64)) {
        let report = verify(&v, file.as_slice()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(!report.valid);
        prop_assert!(report.first_failure().is_some());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = verify_json(&bytes, FILE);
    }

    #[test]
    fn mutated_good_record_never_panics(idx in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let fx = Fixture::new().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let text = serde_json::to_vec(&fx.signed().map_err(|e| TestCaseError::fail(e.to_string()))?)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut bad = text.clone();
        let i = idx.index(bad.len());
        bad[i] = byte;
        if let Ok(report) = verify_json(&bad, FILE)
            && report.valid
        {
            // Only a change that leaves the same document may still verify.
            let same = serde_json::from_slice::<Value>(&bad).ok() == serde_json::from_slice::<Value>(&text).ok();
            prop_assert!(same, "mutated record still verifies");
        }
    }
}
