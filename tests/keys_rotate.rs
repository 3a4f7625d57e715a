//! `holomesh keys rotate` on both backends: values sealed with an old field key (a TOTP
//! secret, an OAuth token, a designer's signing key, a voice transcript) are sealed
//! again with the new active key; the old key can then be dropped and everything still
//! opens. A dry run changes nothing; a value no key opens is reported and keeps the
//! old key's check.

mod support;

use holomesh::app::rotate::{rotate, rotate_with};
use holomesh::app::{App, Speech};
use holomesh::config::{Config, Secret, SecretUrl};
use holomesh::crypto::{FieldCipher, aad};
use holomesh::domain::{Role, VoiceSource};
use holomesh::store::{SealedColumn, Store};

const OLD: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const NEW: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

fn config(dir: &std::path::Path, url: &str, keys: &[(&str, &str)], active: &str) -> Config {
    let mut c = Config::load(None, Some(dir.to_path_buf())).expect("config");
    c.database.url = SecretUrl::new(url);
    for (id, key) in keys {
        c.security.field_keys.insert((*id).into(), Secret::new(*key));
    }
    c.security.active_field_key = active.into();
    c
}

/// Key ids of every sealed value, per column.
async fn key_ids(store: &Store) -> Vec<(SealedColumn, String)> {
    let mut out = Vec::new();
    for column in SealedColumn::ALL {
        for v in store.sealed_values(column, None, 1000).await.expect("values") {
            out.push((column, FieldCipher::key_id_of(&v.sealed).expect("a blob").to_owned()));
        }
    }
    out
}

async fn check_rotation(store: Store, url: &str) {
    let dir = tempfile::tempdir().expect("dir");
    // Data sealed with k1: a designer's signing key (at publish), a TOTP secret, an
    // OAuth token and a voice transcript.
    let old = config(dir.path(), url, &[("k1", OLD)], "k1");
    let app = App::assemble(old, store.clone(), support::memory_cache(), Speech::Off).await.expect("app");
    let bob = support::account(&store, "bob", Role::Designer).await;
    let carol = support::account(&store, "carol", Role::User).await;
    let draft = support::chip_draft("bob.dev:dsp:falcon:1.0", "Falcon DSP", "dsp", 2500);
    let chip = app.market.catalog().create(&bob, draft).await.expect("draft");
    app.market.catalog().publish(&bob, chip.id).await.expect("publish");
    app.auth.totp_enroll(&carol, None).await.expect("enrol");
    let token = app.cipher.seal(b"provider token", &aad::oauth_token("github", "c-42")).expect("seal");
    store.link_oauth(carol.id, "github", "c-42", Some(&token)).await.expect("link");
    let said = app.voice.pipeline_for(&carol).await.expect("pipeline");
    let command = said.handle_text(VoiceSource::Transcript, "what's my balance").await.expect("said").command.id;
    let before = key_ids(&store).await;
    assert_eq!(before.len(), 4, "{before:?}");
    assert!(before.iter().all(|(_, k)| k == "k1"));

    // The new key is made active beside the old one; a dry run only counts.
    let both = config(dir.path(), url, &[("k1", OLD), ("k2", NEW)], "k2");
    let dry = rotate(&both, true).await.expect("dry run");
    assert_eq!(dry.columns.iter().map(|c| c.resealed).sum::<u64>(), 4);
    assert_eq!(dry.by_key.get("k1"), Some(&4));
    assert!(dry.retired.is_empty());
    assert_eq!(key_ids(&store).await, before, "a dry run changes nothing");

    let done = rotate(&both, false).await.expect("rotate");
    assert!(done.complete(), "{done:?}");
    assert_eq!(
        done.columns.iter().map(|c| (c.column, c.values, c.resealed)).collect::<Vec<_>>(),
        [
            ("users.totp_secret_enc", 1, 1),
            ("oauth_identities.access_token_enc", 1, 1),
            ("designer_profiles.private_key_enc", 1, 1),
            ("voice_commands.transcript_enc", 1, 1),
        ]
    );
    assert_eq!(done.retired, ["k1"]);
    assert!(key_ids(&store).await.iter().all(|(_, k)| k == "k2"));
    let again = rotate(&both, false).await.expect("again");
    assert_eq!(again.columns.iter().map(|c| c.resealed).sum::<u64>(), 0, "nothing left to do");

    // k1 is dropped: the process starts, and every value opens with k2 alone.
    let new = config(dir.path(), url, &[("k2", NEW)], "k2");
    let app = App::assemble(new, store.clone(), support::memory_cache(), Speech::Off).await.expect("starts without k1");
    let record = app.market.voice_log().get(&carol, command).await.expect("command");
    assert_eq!(app.voice.open_transcript(&record).as_deref(), Some("what's my balance"));
    let second = support::chip_draft("bob.dev:dsp:falcon:2.0", "Falcon DSP 2", "dsp", 2600);
    let chip = app.market.catalog().create(&bob, second).await.expect("draft");
    app.market.catalog().publish(&bob, chip.id).await.expect("signed with the designer's key, now under k2");
    let token = store.sealed_values(SealedColumn::OauthToken, None, 10).await.expect("token").remove(0).sealed;
    assert_eq!(
        app.cipher.open(&token, &aad::oauth_token("github", "c-42")).expect("opens").as_slice(),
        b"provider token"
    );
    let err = app.auth.totp_confirm(&carol, "000000", None).await.expect_err("a wrong code");
    assert!(matches!(err, holomesh::auth::AuthError::InvalidMfaCode), "the secret opens with k2: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_rotation_reseals_every_field_with_the_new_key() {
    let (store, dir) = support::sqlite_store().await;
    let url = format!("sqlite://{}/test.db", dir.path().display());
    check_rotation(store, &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_rotation_reseals_every_field_with_the_new_key() {
    let Some(db) = support::pg_store().await else { return };
    check_rotation(db.store.clone(), &db.url).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_no_key_opens_is_reported_and_the_old_key_kept() {
    let (store, _dir) = support::sqlite_store().await;
    let k1 = FieldCipher::from_config(&[("k1".into(), OLD.into())], "k1").expect("k1");
    let carol = support::account(&store, "carol", Role::User).await;
    let dave = support::account(&store, "dave", Role::User).await;
    store.add_key_check("k1", &k1.seal(b"check", b"key_checks:k1").expect("seal")).await.expect("check");
    let good = k1.seal(b"token", &aad::oauth_token("github", "c")).expect("seal");
    store.link_oauth(carol.id, "github", "c", Some(&good)).await.expect("link");
    // Sealed for another row: it does not open here.
    let moved = k1.seal(b"token", &aad::oauth_token("github", "elsewhere")).expect("seal");
    store.link_oauth(dave.id, "github", "d", Some(&moved)).await.expect("link");
    let both = FieldCipher::from_config(&[("k1".into(), OLD.into()), ("k2".into(), NEW.into())], "k2").expect("both");
    let r = rotate_with(&store, &both, false).await.expect("rotate");
    let oauth = r.columns.iter().find(|c| c.column == "oauth_identities.access_token_enc").expect("column");
    assert_eq!((oauth.values, oauth.resealed, oauth.failed.len()), (2, 1, 1));
    assert!(!r.complete() && r.retired.is_empty(), "{r:?}");
    assert_eq!(r.by_key.get("k1"), Some(&1));
    assert!(store.key_checks().await.expect("checks").iter().any(|(k, _)| k == "k1"), "k1 is still needed");
}
