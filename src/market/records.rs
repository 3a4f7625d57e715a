//! Signed chip records: building a chip's ERC-721-style record and signing it with
//! every author's key, and custody of the designers' signing keys (generated on
//! first need, sealed with the field cipher, opened only to sign).

use super::{Catalog, MarketError};
use crate::domain::{Chip, Id};
use crate::nft::{self, Author, ChipRecordInput, DesignerKeys};
use crate::store::StoreError;

fn invalid(msg: impl Into<String>) -> MarketError {
    MarketError::Invalid(msg.into())
}

/// A failure that is the system's, not the caller's (keys that do not open, a record
/// that does not sign); reported as an internal error.
fn internal(msg: impl Into<String>) -> MarketError {
    MarketError::Store(StoreError::Corrupt(msg.into()))
}

/// Where a chip's page lives; the record's `external_url`.
fn chip_url(chip_id: Id) -> String {
    format!("https://holomesh.dev/chips/{chip_id}")
}

impl Catalog<'_> {
    /// Builds the chip's record and signs it with every author's key.
    pub(super) async fn signed_record(&self, chip: &Chip) -> Result<serde_json::Value, MarketError> {
        let shares = author_shares(chip)?;
        let mut keys = Vec::with_capacity(shares.len());
        let mut authors = Vec::with_capacity(shares.len());
        for (user_id, share_bps) in shares {
            let k = self.signing_keys(user_id).await?;
            authors.push(Author { id: user_id, pubkey: k.public_key_string(), share_bps });
            keys.push(k);
        }
        let prev_version = match chip.prev_version_id {
            Some(prev) => Some(
                self.market
                    .store
                    .chip_by_id(prev)
                    .await
                    .map_err(|e| MarketError::from_store("previous version", e))?
                    .vlnv
                    .to_string(),
            ),
            None => None,
        };
        let input = ChipRecordInput {
            name: chip.title.clone(),
            description: chip.description.clone(),
            image: String::new(),
            external_url: chip_url(chip.id),
            vlnv: chip.vlnv.to_string(),
            process_node: chip.process_node.clone(),
            category: chip.category.clone(),
            licence: chip.licence.clone(),
            sha256: chip.content_sha256.clone(),
            size: u64::try_from(chip.content_size).map_err(|_| invalid("content_size must not be negative"))?,
            authors,
            royalty_bps: chip.royalty_bps.get(),
            prev_version,
            created_at: chip.created_at,
        };
        let mut record = nft::build_record(&input).map_err(|e| invalid(format!("the chip's record: {e}")))?;
        for k in &keys {
            nft::sign(&mut record, k.signing_key()).map_err(|e| internal(format!("signing the record: {e}")))?;
        }
        Ok(record)
    }

    /// The author's key pair: opened from the store, or generated, sealed and stored
    /// on first need.
    async fn signing_keys(&self, user_id: Id) -> Result<DesignerKeys, MarketError> {
        let store = &self.market.store;
        let no_profile = |e: StoreError| match e {
            StoreError::NotFound => {
                invalid(format!("author {user_id} has no designer profile, so cannot sign the chip's record"))
            }
            other => MarketError::from_store("designer", other),
        };
        if let Some(stored) = store.designer_keys(user_id).await.map_err(no_profile)? {
            return self.open_keys(user_id, &stored);
        }
        let keys = DesignerKeys::generate();
        let sealed = self
            .market
            .cipher
            .seal(keys.secret_bytes().as_ref(), &crate::crypto::aad::designer_key(user_id))
            .map_err(|e| internal(format!("sealing a signing key: {e}")))?;
        match store.set_designer_keys(user_id, keys.verifying_key().as_bytes(), &sealed).await {
            Ok(()) => Ok(keys),
            // Another publication stored this designer's keys first: use those.
            Err(StoreError::Conflict(_)) => match store.designer_keys(user_id).await.map_err(no_profile)? {
                Some(stored) => self.open_keys(user_id, &stored),
                None => Err(internal(format!("designer {user_id}'s keys vanished while being stored"))),
            },
            Err(e) => Err(no_profile(e)),
        }
    }

    fn open_keys(&self, user_id: Id, (public, sealed): &(Vec<u8>, Vec<u8>)) -> Result<DesignerKeys, MarketError> {
        let secret = self
            .market
            .cipher
            .open(sealed, &crate::crypto::aad::designer_key(user_id))
            .map_err(|e| internal(format!("cannot open designer {user_id}'s signing key: {e}")))?;
        let keys = DesignerKeys::from_secret_bytes(&secret)
            .map_err(|e| internal(format!("designer {user_id}'s signing key: {e}")))?;
        if keys.verifying_key().as_bytes().as_slice() != public.as_slice() {
            return Err(internal(format!("designer {user_id}'s stored public key does not match the private key")));
        }
        Ok(keys)
    }
}

/// `(author, share_bps)`: the designer with 10000 less the IP blocks' shares, then each
/// contributor in order, a designer named more than once merged into one entry.
fn author_shares(chip: &Chip) -> Result<Vec<(Id, u16)>, MarketError> {
    let contributed: u32 = chip.contributions.iter().map(|c| u32::from(c.share_bps.get())).sum();
    let designer_share = 10_000u32
        .checked_sub(contributed)
        .ok_or_else(|| invalid(format!("IP-block shares add up to {contributed} bps, more than 10000")))?;
    let mut shares: Vec<(Id, u32)> = vec![(chip.designer_id, designer_share)];
    for c in &chip.contributions {
        let share = u32::from(c.share_bps.get());
        match shares.iter_mut().find(|(id, _)| *id == c.contributor_id) {
            Some((_, total)) => *total += share,
            None => shares.push((c.contributor_id, share)),
        }
    }
    shares
        .into_iter()
        .map(|(id, bps)| match u16::try_from(bps) {
            Ok(bps) if bps > 0 => Ok((id, bps)),
            _ => Err(invalid(format!("author {id} would have {bps} bps; every author needs 1 to 10000"))),
        })
        .collect()
}
