//! Money coming in: a `PaymentProvider` takes the payment, then the wallet is credited
//! with balanced ledger lines. The built-in provider is for development only.

use super::{Market, MarketError};
use crate::domain::{Money, User, Wallet};
use async_trait::async_trait;

/// A settled payment: the provider's reference for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReceipt {
    pub provider: &'static str,
    pub reference: String,
}

/// Takes money from outside HoloMesh (a card processor, a bank transfer…).
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> &'static str;
    /// Charges `amount` to `user`; only a settled payment may return `Ok`.
    async fn charge(&self, user: &User, amount: Money) -> Result<PaymentReceipt, MarketError>;
}

/// DEVELOPMENT ONLY: "charges" nothing and credits at once. Never use it where real
/// money changes hands.
#[derive(Debug, Default)]
pub struct DevelopmentProvider;

#[async_trait]
impl PaymentProvider for DevelopmentProvider {
    fn name(&self) -> &'static str {
        "development (no real money)"
    }

    async fn charge(&self, _user: &User, _amount: Money) -> Result<PaymentReceipt, MarketError> {
        Ok(PaymentReceipt { provider: "development", reference: format!("dev_{}", crate::domain::new_id().simple()) })
    }
}

/// Largest single deposit accepted, in minor units (guards against typos and overflow).
pub const MAX_DEPOSIT_MINOR: i64 = 100_000_000;

pub struct Payments<'a> {
    pub(super) market: &'a Market,
}

impl Payments<'_> {
    /// Charges `amount` through `provider` and credits the user's wallet.
    pub async fn deposit(
        &self,
        provider: &dyn PaymentProvider,
        user: &User,
        amount: Money,
    ) -> Result<Wallet, MarketError> {
        if amount.amount_minor <= 0 {
            return Err(MarketError::Invalid("a deposit must be a positive amount".into()));
        }
        if amount.amount_minor > MAX_DEPOSIT_MINOR {
            return Err(MarketError::Invalid(format!("a deposit may be at most {MAX_DEPOSIT_MINOR} minor units")));
        }
        let receipt = provider.charge(user, amount).await?;
        tracing::info!(user = %user.id, provider = receipt.provider, reference = %receipt.reference, "deposit charged");
        self.market.store.deposit(user.id, amount).await.map_err(|e| MarketError::from_store("wallet", e))
    }

    /// Charges `amount` through the server's configured provider and credits the
    /// wallet; refused when the server takes no deposits.
    pub async fn deposit_configured(&self, user: &User, amount: Money) -> Result<Wallet, MarketError> {
        let provider = self.market.provider.clone().ok_or(MarketError::DepositsDisabled)?;
        self.deposit(provider.as_ref(), user, amount).await
    }

    /// What takes deposits on this server, for status pages (`None`: deposits are off).
    pub fn provider_name(&self) -> Option<&'static str> {
        self.market.provider.as_ref().map(|p| p.name())
    }

    /// The user's wallet in `currency` (empty when they never had money in it).
    pub async fn wallet(&self, user: &User, currency: crate::domain::Currency) -> Result<Wallet, MarketError> {
        self.market.store.wallet(user.id, currency).await.map_err(|e| MarketError::from_store("wallet", e))
    }
}
