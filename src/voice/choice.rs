//! A sentence that could mean two things: HoloMesh names both readings and asks which
//! was meant ("Did you mean: buy Falcon DSP, or search for falcon? Say first or
//! second."), rather than guessing.

use super::dialogue::Decided;
use super::dialogue_state::{DialogueState, PendingChoice};
use super::pipeline::VoicePipeline;
use crate::domain::{Id, Intent, VoiceStatus};
use crate::nlu::Match;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

impl VoicePipeline {
    /// Asks which of two readings of one sentence was meant.
    pub(super) async fn ask_choice(
        &self,
        session: &mut DialogueState,
        id: Id,
        best: &Match,
        rival: &Match,
        now: OffsetDateTime,
    ) -> Decided {
        let mut readings = Vec::new();
        let mut said = Vec::new();
        for m in [best, rival] {
            let slots = match serde_json::to_value(&m.slots) {
                Ok(Value::Object(o)) => o,
                _ => Map::new(),
            };
            said.push(self.describe(&m.intent, &slots).await);
            readings.push((m.intent.clone(), slots));
        }
        let reply = format!("Did you mean: {}, or {}? Say first or second.", said[0], said[1]);
        let slots = Value::Object(readings[0].1.clone());
        session.choice = Some(PendingChoice { command_id: id, readings, deadline: now + self.confirm_window });
        Decided {
            status: VoiceStatus::NeedsConfirmation,
            intent: Some(best.intent.clone()),
            slots,
            reply,
            result: json!({ "clarify": said }),
            confirm_before: Some(now + self.confirm_window),
        }
    }

    /// Carries out the reading an answer picks ("the first one", "second", "yes" for
    /// the first); `None` when the utterance is no answer to a pending choice.
    pub(super) async fn answer_choice(
        &self,
        session: &mut DialogueState,
        id: Id,
        text: &str,
        matched: Option<&Match>,
        now: OffsetDateTime,
    ) -> Option<Decided> {
        if session.choice.as_ref().is_some_and(|c| c.deadline < now) {
            session.choice = None;
        }
        let choice = session.choice.clone()?;
        let picked = pick(text, matched)?;
        let (intent, slots) = choice.readings.get(picked)?.clone();
        session.choice = None;
        self.settle(choice.command_id, VoiceStatus::Executed, "Clarified.", &json!({ "clarified_by": id })).await;
        Some(self.run_intent(session, id, &intent, slots, text).await)
    }

    /// A reading in a few words: "buy Falcon DSP", "subscribe to Alice Chen".
    async fn describe(&self, intent: &str, slots: &Map<String, Value>) -> String {
        let text = |k: &str| slots.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut designer = text("designer").unwrap_or_else(|| "a designer".into());
        if let Some(handle) = text("designer")
            && let Ok(d) = self.market.profiles().designer_profile(&handle).await
        {
            designer = d.display_name;
        }
        let Ok(intent) = intent.parse::<Intent>() else { return intent.to_owned() };
        match intent {
            Intent::SubscribeToDesigner => format!("subscribe to {designer}"),
            Intent::UnsubscribeFromDesigner => format!("unsubscribe from {designer}"),
            Intent::SetAutoPurchase => format!("change auto-buy for {designer}"),
            Intent::SetPriceLimit => format!("set a price limit for {designer}"),
            Intent::SetNotificationFrequency => "change how often you are notified".into(),
            Intent::BuyChip => format!("buy {}", text("chip").unwrap_or_else(|| "a chip".into())),
            Intent::BuyLatestChip => format!("buy {designer}'s latest chip"),
            Intent::ListNewChips => "hear what's new".into(),
            Intent::SearchChips => format!("search for {}", text("query").unwrap_or_else(|| "chips".into())),
            Intent::PurchaseHistory => "hear your purchases".into(),
            Intent::WalletBalance => "hear your balance".into(),
            Intent::ListSubscriptions => "hear who you follow".into(),
            Intent::RateDesigner => format!("rate {designer}"),
            Intent::SetPreference => "set your preferences".into(),
            Intent::Recommend => "get recommendations".into(),
            Intent::BuyingPatterns => "hear what you usually buy".into(),
            Intent::Undo => "undo the last change".into(),
            Intent::Help => "hear what you can say".into(),
            Intent::Confirm | Intent::Cancel | Intent::Repeat => intent.as_str().to_lowercase(),
        }
    }
}

/// Which reading an answer picks: 0 for "first", "the first one" or "yes"; 1 for "second",
/// "the other one" or "the latter".
fn pick(text: &str, matched: Option<&Match>) -> Option<usize> {
    let t = text.to_lowercase();
    let has = |w: &[&str]| t.split(|c: char| !c.is_alphanumeric()).any(|x| w.contains(&x));
    if has(&["second", "latter", "other", "two", "2nd"]) {
        Some(1)
    } else if has(&["first", "former", "one", "1st"]) || matched.is_some_and(|m| m.intent == Intent::Confirm.as_str()) {
        Some(0)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::pick;

    #[test]
    fn answers_pick_a_reading() {
        assert_eq!(pick("the first one", None), Some(0));
        assert_eq!(pick("Second.", None), Some(1));
        assert_eq!(pick("the other one", None), Some(1));
        assert_eq!(pick("buy the falcon dsp", None), None);
    }
}
