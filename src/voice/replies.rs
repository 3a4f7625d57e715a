//! Short, spoken-friendly sentences. Every failure says what to try next.

use crate::domain::{Money, NotifyFrequency};

pub const HELP_TEXT: &str = "You can say: subscribe to a designer, buy new chips from a designer under a price, \
what's new, buy a chip by name, what's my balance, show my purchases, set notifications to daily or weekly, \
I prefer low-power designs, what do you recommend, what do I usually buy, undo, or repeat.";

pub const NOT_UNDERSTOOD: &str = "Sorry, I didn't understand that. Try \"what's new\" or \"what's my balance\", \
or say \"help\" to hear what I can do.";

/// Money as it is read aloud.
pub fn money(m: &Money) -> String {
    m.spoken()
}

pub fn frequency(f: NotifyFrequency) -> &'static str {
    match f {
        NotifyFrequency::Immediate => "right away",
        NotifyFrequency::Daily => "in a daily summary",
        NotifyFrequency::Weekly => "in a weekly summary",
        NotifyFrequency::Off => "never",
    }
}

/// "a, b and c".
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "a or b".
pub fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// "What do I usually buy?" answered from the client's patterns.
pub fn patterns(p: &crate::domain::WorkPatterns) -> String {
    if p.purchases == 0 {
        return "You haven't bought any chips yet. Say \"what do you recommend?\" to hear some suggestions.".into();
    }
    let chips = if p.purchases == 1 { "chip" } else { "chips" };
    let mut parts = vec![format!("You've bought {} {chips}", p.purchases)];
    if let Some(c) = p.categories.first() {
        parts.push(format!("mostly {} ({} of them)", c.name, c.count));
    }
    if let (Some(typical), Some(currency)) = (p.typical_spend_minor, p.currency.as_deref().and_then(|c| c.parse().ok()))
    {
        parts.push(format!("usually around {}", money(&Money::new(typical, currency))));
    }
    if let Some(d) = p.designers.first() {
        parts.push(format!("most often from {}", d.name));
    }
    let mut reply = format!("{}.", parts.join(", "));
    if p.auto_purchases > 0 {
        reply.push_str(&format!(" Auto-buy bought {} for you", p.auto_purchases));
        reply.push_str(&match p.auto_refunded {
            0 => ".".to_owned(),
            n => format!(", and {n} of those were refunded."),
        });
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_read_naturally() {
        let v = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(join_and(&v(&["a"])), "a");
        assert_eq!(join_and(&v(&["a", "b", "c"])), "a, b and c");
        assert_eq!(join_or(&v(&["Alice Chen", "Alicia Chan"])), "Alice Chen or Alicia Chan");
    }
}
