//! Wallets and the double-entry ledger. A balance never goes below zero (a check
//! constraint and conditional debits), and every movement is a set of ledger lines
//! that sums to zero.

use super::rows::WalletRow;
use super::sql::now;
use super::{Store, StoreError, Tx};
use crate::domain::{Currency, Id, Money, Wallet, new_id};

/// One ledger line to write.
#[derive(Debug, Clone)]
pub struct LedgerLine<'a> {
    pub txn_id: Id,
    pub purchase_id: Option<Id>,
    /// `None` for the platform's or the outside world's side.
    pub wallet_id: Option<Id>,
    pub user_id: Option<Id>,
    /// buyer, seller, contributor, platform, deposit or refund.
    pub party: &'a str,
    /// wallet, platform or external.
    pub account: &'a str,
    pub amount: Money,
}

impl Tx {
    /// Takes `amount` from the user's wallet; `None` (nothing changed) when the
    /// balance is too small. The check and the debit are one statement.
    pub async fn debit_wallet(&mut self, user_id: Id, amount: Money) -> Result<Option<Id>, StoreError> {
        self.query(
            "INSERT INTO wallets (id, user_id, currency, balance_minor) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (user_id, currency) DO NOTHING",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(amount.currency.as_str())
        .execute()
        .await?;
        self.query(
            "UPDATE wallets SET balance_minor = balance_minor - $3 \
             WHERE user_id = $1 AND currency = $2 AND balance_minor >= $3 RETURNING id",
        )
        .bind(user_id)
        .bind(amount.currency.as_str())
        .bind(amount.amount_minor)
        .scalar_optional()
        .await
    }

    /// Adds `amount` to the user's wallet (made if missing); returns the wallet id.
    pub async fn credit_wallet(&mut self, user_id: Id, amount: Money) -> Result<Id, StoreError> {
        self.query(
            "INSERT INTO wallets (id, user_id, currency, balance_minor) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, currency) DO UPDATE SET balance_minor = wallets.balance_minor + excluded.balance_minor \
             RETURNING id",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(amount.currency.as_str())
        .bind(amount.amount_minor)
        .scalar()
        .await
    }

    /// Moves `delta` minor units on a wallet by id; `None` when that would take the
    /// balance below zero (nothing changes).
    pub async fn adjust_wallet(&mut self, wallet_id: Id, delta: i64) -> Result<Option<Id>, StoreError> {
        self.query(
            "UPDATE wallets SET balance_minor = balance_minor + $2 WHERE id = $1 AND balance_minor + $2 >= 0 RETURNING id",
        )
        .bind(wallet_id)
        .bind(delta)
        .scalar_optional()
        .await
    }

    pub async fn insert_ledger_line(&mut self, l: &LedgerLine<'_>) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO ledger_entries (id, txn_id, purchase_id, account, wallet_id, user_id, party, amount_minor, \
             currency, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(new_id())
        .bind(l.txn_id)
        .bind(l.purchase_id)
        .bind(l.account)
        .bind(l.wallet_id)
        .bind(l.user_id)
        .bind(l.party)
        .bind(l.amount.amount_minor)
        .bind(l.amount.currency.as_str())
        .bind(now())
        .execute()
        .await?;
        Ok(())
    }
}

impl Store {
    /// The user's wallet in `currency`, made (empty) if missing.
    pub async fn wallet(&self, user_id: Id, currency: Currency) -> Result<Wallet, StoreError> {
        self.db
            .query(
                "INSERT INTO wallets (id, user_id, currency, balance_minor) VALUES ($1, $2, $3, 0) \
                 ON CONFLICT (user_id, currency) DO NOTHING",
            )
            .bind(new_id())
            .bind(user_id)
            .bind(currency.as_str())
            .execute()
            .await?;
        let row: WalletRow = self
            .db
            .query("SELECT id, user_id, currency, balance_minor FROM wallets WHERE user_id = $1 AND currency = $2")
            .bind(user_id)
            .bind(currency.as_str())
            .fetch_one()
            .await?;
        row.try_into()
    }

    /// Credits a wallet from outside (a payment provider's settled payment) with two
    /// ledger lines that balance: the wallet's and the outside world's.
    /// A deposit moves a positive amount in; anything else is `Invalid`.
    pub async fn deposit(&self, user_id: Id, amount: Money) -> Result<Wallet, StoreError> {
        if amount.amount_minor <= 0 {
            return Err(StoreError::Invalid("ledger_deposit_positive".into()));
        }
        let mut tx = self.db.begin_write().await?;
        let wallet_id = tx.credit_wallet(user_id, amount).await?;
        let txn_id = new_id();
        let negated = Money::new(-amount.amount_minor, amount.currency);
        for (wallet, user, account, money) in
            [(Some(wallet_id), Some(user_id), "wallet", amount), (None, None, "external", negated)]
        {
            let line = LedgerLine {
                txn_id,
                purchase_id: None,
                wallet_id: wallet,
                user_id: user,
                party: "deposit",
                account,
                amount: money,
            };
            tx.insert_ledger_line(&line).await?;
        }
        tx.commit().await?;
        self.wallet(user_id, amount.currency).await
    }

    /// Sum of all ledger lines of a currency; zero when the books balance.
    pub async fn ledger_sum(&self, currency: Currency) -> Result<i64, StoreError> {
        self.db
            .query("SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM ledger_entries WHERE currency = $1")
            .bind(currency.as_str())
            .scalar()
            .await
    }
}
