//! Senders of notifications that leave HoloMesh: e-mail over SMTP and Web Push.

mod smtp;
pub mod webpush;

pub use smtp::{NotifyError, SmtpMailer};
pub use webpush::{VapidKey, WebPusher};
