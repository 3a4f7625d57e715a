//! The commands HoloMesh understands, by name (the public contract's intent table).

use std::fmt;
use std::str::FromStr;

/// An intent of the marketplace grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intent {
    SubscribeToDesigner,
    UnsubscribeFromDesigner,
    SetAutoPurchase,
    SetPriceLimit,
    SetNotificationFrequency,
    BuyChip,
    BuyLatestChip,
    ListNewChips,
    SearchChips,
    PurchaseHistory,
    WalletBalance,
    ListSubscriptions,
    RateDesigner,
    SetPreference,
    Recommend,
    BuyingPatterns,
    Confirm,
    Cancel,
    Undo,
    Help,
    Repeat,
}

impl Intent {
    pub const ALL: [Intent; 21] = [
        Intent::SubscribeToDesigner,
        Intent::UnsubscribeFromDesigner,
        Intent::SetAutoPurchase,
        Intent::SetPriceLimit,
        Intent::SetNotificationFrequency,
        Intent::BuyChip,
        Intent::BuyLatestChip,
        Intent::ListNewChips,
        Intent::SearchChips,
        Intent::PurchaseHistory,
        Intent::WalletBalance,
        Intent::ListSubscriptions,
        Intent::RateDesigner,
        Intent::SetPreference,
        Intent::Recommend,
        Intent::BuyingPatterns,
        Intent::Confirm,
        Intent::Cancel,
        Intent::Undo,
        Intent::Help,
        Intent::Repeat,
    ];

    /// The name used in grammars, `VoiceCommand.intent` and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::SubscribeToDesigner => "SubscribeToDesigner",
            Intent::UnsubscribeFromDesigner => "UnsubscribeFromDesigner",
            Intent::SetAutoPurchase => "SetAutoPurchase",
            Intent::SetPriceLimit => "SetPriceLimit",
            Intent::SetNotificationFrequency => "SetNotificationFrequency",
            Intent::BuyChip => "BuyChip",
            Intent::BuyLatestChip => "BuyLatestChip",
            Intent::ListNewChips => "ListNewChips",
            Intent::SearchChips => "SearchChips",
            Intent::PurchaseHistory => "PurchaseHistory",
            Intent::WalletBalance => "WalletBalance",
            Intent::ListSubscriptions => "ListSubscriptions",
            Intent::RateDesigner => "RateDesigner",
            Intent::SetPreference => "SetPreference",
            Intent::Recommend => "Recommend",
            Intent::BuyingPatterns => "BuyingPatterns",
            Intent::Confirm => "Confirm",
            Intent::Cancel => "Cancel",
            Intent::Undo => "Undo",
            Intent::Help => "Help",
            Intent::Repeat => "Repeat",
        }
    }

    /// Whether carrying it out may spend money or change what the user follows.
    pub fn changes_something(self) -> bool {
        matches!(
            self,
            Intent::SubscribeToDesigner
                | Intent::UnsubscribeFromDesigner
                | Intent::SetAutoPurchase
                | Intent::SetPriceLimit
                | Intent::SetNotificationFrequency
                | Intent::BuyChip
                | Intent::BuyLatestChip
                | Intent::RateDesigner
                | Intent::SetPreference
        )
    }
}

impl FromStr for Intent {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Intent::ALL.into_iter().find(|i| i.as_str() == s).ok_or_else(|| format!("unknown intent {s:?}"))
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for i in Intent::ALL {
            assert_eq!(i.as_str().parse::<Intent>(), Ok(i));
        }
        assert!("TurnOnLights".parse::<Intent>().is_err());
    }
}
