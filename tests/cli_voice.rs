//! The command line as a person uses it: a device token for the daemon, `say`,
//! `intent`, and revoking the token.

use std::process::{Command, Output};

fn holomesh(data: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_holomesh"));
    c.arg("--data-dir").arg(data).args(args).env("RUST_LOG", "error").env_remove("HOLOMESH_VOICE__TOKEN");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run holomesh")
}

#[test]
fn the_daemon_acts_with_a_revocable_device_token() {
    let data = tempfile::tempdir().expect("dir");
    let created = holomesh(data.path(), &["token", "create", "--name", "kitchen speaker"], &[]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let token = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    assert!(token.starts_with("hmd_"), "{token}");
    let note = String::from_utf8_lossy(&created.stderr);
    let id = note.split_whitespace().nth(2).expect("token id in the note").to_owned();

    let said = holomesh(data.path(), &["say", "--json", "what's my balance"], &[("HOLOMESH_VOICE__TOKEN", &token)]);
    assert!(said.status.success(), "{}", String::from_utf8_lossy(&said.stderr));
    let cmd: serde_json::Value = serde_json::from_slice(&said.stdout).expect("json command");
    assert_eq!(cmd["intent"], "WalletBalance");
    assert_eq!(cmd["status"], "executed");
    assert_eq!(cmd["reply_text"], "You have 0 dollars in your wallet.");

    let revoked = holomesh(data.path(), &["token", "revoke", &id], &[]);
    assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    let refused = holomesh(data.path(), &["say", "what's my balance"], &[("HOLOMESH_VOICE__TOKEN", &token)]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("revoked"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!String::from_utf8_lossy(&refused.stderr).contains(&token), "the token is never printed back");

    let again = holomesh(data.path(), &["token", "revoke", &id], &[]);
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn intent_prints_json_and_exits_1_on_no_match() {
    let data = tempfile::tempdir().expect("dir");
    let hit = holomesh(data.path(), &["intent", "--json", "set my notifications to weekly"], &[]);
    assert_eq!(hit.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&hit.stdout).expect("json");
    assert_eq!(v["intent"], "SetNotificationFrequency");
    assert_eq!(v["slots"]["frequency"], "weekly");
    let miss = holomesh(data.path(), &["intent", "--json", "what's the weather"], &[]);
    assert_eq!(miss.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&miss.stdout).expect("json");
    assert!(v["intent"].is_null());
    let bad = holomesh(data.path(), &["intent", "--context", "nokeyvalue", "hi"], &[]);
    assert_eq!(bad.status.code(), Some(2));
}
