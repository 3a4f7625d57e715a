//! What each sealed column binds its values to (the associated data of AES-GCM): the
//! row, and the column, so a value copied to another row or column does not open.
//! Sealing, opening and re-sealing with a new key all take it from here.

use std::fmt::Display;

/// `users.totp_secret_enc` of a user.
pub fn totp_secret(user_id: impl Display) -> Vec<u8> {
    format!("totp:{user_id}").into_bytes()
}

/// `oauth_identities.access_token_enc` of the identity `subject` at `provider`.
pub fn oauth_token(provider: &str, subject: &str) -> Vec<u8> {
    format!("oauth:{provider}:{subject}").into_bytes()
}

/// `designer_profiles.private_key_enc` of a designer.
pub fn designer_key(user_id: impl Display) -> Vec<u8> {
    format!("designer_profiles.private_key:{user_id}").into_bytes()
}

/// `voice_commands.transcript_enc` of a command.
pub fn transcript(command_id: impl Display) -> Vec<u8> {
    format!("voice_commands.transcript:{command_id}").into_bytes()
}
