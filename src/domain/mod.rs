//! Plain domain types and their validation rules; no I/O lives here.

mod bps;
mod clock;
mod community;
mod email;
mod entities;
mod handle;
mod ids;
mod intent;
pub mod iso4217;
mod market;
mod money;
mod patterns;
mod role;
mod vlnv;

pub use bps::{BasisPoints, BpsError};
pub use clock::now_micros;
pub use community::*;
pub use email::{Email, EmailError};
pub use entities::*;
pub use handle::{Handle, HandleError};
pub use ids::{Id, new_id};
pub use intent::Intent;
pub use market::*;
pub use money::{Currency, Money, MoneyError, allocate_largest_remainder};
pub use patterns::{
    Activity, Audience, PriceBand, PurchaseTrace, SubscriptionCounts, Tally, VoiceTrace, WorkPatterns, search_words,
};
pub use role::{Role, RoleError};
pub use vlnv::{Vlnv, VlnvError};
