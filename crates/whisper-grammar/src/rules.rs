//! Grammar rules in whisper.cpp's element format, built from a safe description and checked
//! so that nothing whisper.cpp would assert on, read out of bounds or recurse on forever
//! reaches it.
#![forbid(unsafe_code)]

use whisper_rs_sys as sys;

/// One grammar element, as in whisper.cpp's `whisper_grammar_element`.
///
/// A rule is a list of alternatives separated by [`Element::Alt`] and closed by one
/// [`Element::End`]. An alternative is a sequence of rule references and character classes;
/// a class starts with [`Element::Char`] or [`Element::CharNot`], may bound a range with
/// [`Element::CharRangeUpper`], and adds members with [`Element::CharAlt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    End,
    Alt,
    RuleRef(u32),
    Char(char),
    CharNot(char),
    CharRangeUpper(char),
    CharAlt(char),
}

/// Why a rule set was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("a grammar needs at least one rule")]
    NoRules,
    #[error("start rule {start} does not exist ({count} rules)")]
    BadStart { start: usize, count: usize },
    #[error("too many rules ({0})")]
    TooManyRules(usize),
    #[error("rule {rule} does not end with End, or has End before its last element")]
    BadEnd { rule: usize },
    #[error("rule {rule}, element {index}: reference to rule {target}, which does not exist")]
    BadRef { rule: usize, index: usize, target: u32 },
    #[error("rule {rule}, element {index}: a range bound or class member without a class to belong to")]
    Misplaced { rule: usize, index: usize },
    #[error("rule {rule}, element {index}: empty range or NUL character")]
    BadChar { rule: usize, index: usize },
    #[error("rule {rule} can reach itself without consuming a character (left recursion)")]
    LeftRecursion { rule: usize },
}

/// A checked rule set and its start rule. Owns the element arrays; whisper.cpp copies them
/// when a decoder starts, so they only have to outlive each transcription call.
#[derive(Debug, Clone)]
pub struct GrammarRules {
    rules: Vec<Vec<sys::whisper_grammar_element>>,
    start: usize,
}

fn element(e: Element) -> sys::whisper_grammar_element {
    let (type_, value) = match e {
        Element::End => (sys::whisper_gretype_WHISPER_GRETYPE_END, 0),
        Element::Alt => (sys::whisper_gretype_WHISPER_GRETYPE_ALT, 0),
        Element::RuleRef(r) => (sys::whisper_gretype_WHISPER_GRETYPE_RULE_REF, r),
        Element::Char(c) => (sys::whisper_gretype_WHISPER_GRETYPE_CHAR, u32::from(c)),
        Element::CharNot(c) => (sys::whisper_gretype_WHISPER_GRETYPE_CHAR_NOT, u32::from(c)),
        Element::CharRangeUpper(c) => (sys::whisper_gretype_WHISPER_GRETYPE_CHAR_RNG_UPPER, u32::from(c)),
        Element::CharAlt(c) => (sys::whisper_gretype_WHISPER_GRETYPE_CHAR_ALT, u32::from(c)),
    };
    sys::whisper_grammar_element { type_, value }
}

/// What an alternative starts with, for the left-recursion check.
struct Alternative {
    /// Rules referenced before the first character class, in order.
    leading_refs: Vec<u32>,
    /// The alternative has a character class (after `leading_refs`).
    has_char: bool,
}

/// Checks one rule's layout and returns its alternatives.
fn check_rule(index: usize, rule: &[Element], count: usize) -> Result<Vec<Alternative>, RulesError> {
    let Some((Element::End, body)) = rule.split_last() else {
        return Err(RulesError::BadEnd { rule: index });
    };
    let mut alts = vec![Alternative { leading_refs: Vec::new(), has_char: false }];
    // The character class being read: its last single character, if a range may follow.
    let mut class: Option<Option<char>> = None;
    for (i, &e) in body.iter().enumerate() {
        let misplaced = RulesError::Misplaced { rule: index, index: i };
        let bad_char = RulesError::BadChar { rule: index, index: i };
        let current = alts.last_mut().ok_or(RulesError::BadEnd { rule: index })?;
        match e {
            Element::End => return Err(RulesError::BadEnd { rule: index }),
            Element::Alt => {
                class = None;
                alts.push(Alternative { leading_refs: Vec::new(), has_char: false });
            }
            Element::RuleRef(target) => {
                class = None;
                if usize::try_from(target).map_or(true, |t| t >= count) {
                    return Err(RulesError::BadRef { rule: index, index: i, target });
                }
                if !current.has_char {
                    current.leading_refs.push(target);
                }
            }
            Element::Char(c) | Element::CharNot(c) => {
                if c == '\0' {
                    return Err(bad_char);
                }
                class = Some(Some(c));
                current.has_char = true;
            }
            Element::CharAlt(c) => {
                if class.is_none() {
                    return Err(misplaced);
                }
                if c == '\0' {
                    return Err(bad_char);
                }
                class = Some(Some(c));
            }
            Element::CharRangeUpper(upper) => match class {
                Some(Some(lower)) if lower <= upper => class = Some(None),
                Some(Some(_)) => return Err(bad_char),
                _ => return Err(misplaced),
            },
        }
    }
    Ok(alts)
}

/// Rules that can match the empty string.
fn nullable_rules(alts: &[Vec<Alternative>]) -> Vec<bool> {
    let mut nullable = vec![false; alts.len()];
    let mut changed = true;
    while changed {
        changed = false;
        for (r, rule_alts) in alts.iter().enumerate() {
            if !nullable[r]
                && rule_alts.iter().any(|a| !a.has_char && a.leading_refs.iter().all(|&t| nullable[t as usize]))
            {
                nullable[r] = true;
                changed = true;
            }
        }
    }
    nullable
}

/// Finds a rule that can reach itself before consuming a character. whisper.cpp expands
/// such rules recursively without end.
fn left_recursive_rule(alts: &[Vec<Alternative>]) -> Option<usize> {
    let nullable = nullable_rules(alts);
    let edges: Vec<Vec<usize>> = alts
        .iter()
        .map(|rule_alts| {
            let mut out = Vec::new();
            for a in rule_alts {
                for &t in &a.leading_refs {
                    out.push(t as usize);
                    if !nullable[t as usize] {
                        break;
                    }
                }
            }
            out
        })
        .collect();
    // Iterative depth-first search: 0 unvisited, 1 on the current path, 2 done.
    let mut color = vec![0u8; alts.len()];
    for root in 0..alts.len() {
        if color[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        color[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&child) = edges[node].get(*next) {
                *next += 1;
                match color[child] {
                    0 => {
                        color[child] = 1;
                        stack.push((child, 0));
                    }
                    1 => return Some(child),
                    _ => {}
                }
            } else {
                color[node] = 2;
                stack.pop();
            }
        }
    }
    None
}

impl GrammarRules {
    /// Checks `rules` and converts them; `start` is the index of the rule decoding begins with.
    pub fn new(rules: &[Vec<Element>], start: usize) -> Result<Self, RulesError> {
        if rules.is_empty() {
            return Err(RulesError::NoRules);
        }
        if u32::try_from(rules.len()).is_err() {
            return Err(RulesError::TooManyRules(rules.len()));
        }
        if start >= rules.len() {
            return Err(RulesError::BadStart { start, count: rules.len() });
        }
        let alts =
            rules.iter().enumerate().map(|(i, r)| check_rule(i, r, rules.len())).collect::<Result<Vec<_>, _>>()?;
        if let Some(rule) = left_recursive_rule(&alts) {
            return Err(RulesError::LeftRecursion { rule });
        }
        let rules = rules.iter().map(|r| r.iter().copied().map(element).collect()).collect();
        Ok(Self { rules, start })
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Always false: a rule set has at least one rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Index of the start rule.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Total number of elements over all rules.
    pub fn element_count(&self) -> usize {
        self.rules.iter().map(Vec::len).sum()
    }

    /// The converted element arrays (each ends with `WHISPER_GRETYPE_END`).
    pub(crate) fn raw_rules(&self) -> &[Vec<sys::whisper_grammar_element>] {
        &self.rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Element::*;

    #[test]
    fn accepts_a_small_grammar() {
        // root ::= [hH] "i" | "x" [a-c] other ; other ::= "!" | (empty)
        let rules = vec![
            vec![Char('h'), CharAlt('H'), Char('i'), Alt, Char('x'), Char('a'), CharRangeUpper('c'), RuleRef(1), End],
            vec![Char('!'), Alt, End],
        ];
        let g = GrammarRules::new(&rules, 0).unwrap();
        assert_eq!((g.len(), g.start(), g.element_count()), (2, 0, 12));
        assert_eq!(g.raw_rules()[0].last().map(|e| e.type_), Some(sys::whisper_gretype_WHISPER_GRETYPE_END));
    }

    #[test]
    fn refuses_what_whisper_cpp_cannot_take() {
        let check = |rules: Vec<Vec<Element>>| GrammarRules::new(&rules, 0).unwrap_err();
        assert_eq!(GrammarRules::new(&[], 0).unwrap_err(), RulesError::NoRules);
        assert!(matches!(GrammarRules::new(&[vec![End]], 1), Err(RulesError::BadStart { .. })));
        assert!(matches!(check(vec![vec![Char('a')]]), RulesError::BadEnd { .. }));
        assert!(matches!(check(vec![vec![End, Char('a'), End]]), RulesError::BadEnd { .. }));
        assert!(matches!(check(vec![vec![RuleRef(3), End]]), RulesError::BadRef { target: 3, .. }));
        assert!(matches!(check(vec![vec![CharAlt('a'), End]]), RulesError::Misplaced { .. }));
        assert!(matches!(check(vec![vec![RuleRef(0), CharRangeUpper('z'), End]]), RulesError::Misplaced { .. }));
        assert!(matches!(check(vec![vec![Char('z'), CharRangeUpper('a'), End]]), RulesError::BadChar { .. }));
        assert!(matches!(check(vec![vec![Char('\0'), End]]), RulesError::BadChar { .. }));
        // a ::= b "x" ; b ::= (empty) | a  -- a reaches itself through the nullable b.
        let cyclic = vec![vec![RuleRef(1), Char('x'), End], vec![Alt, RuleRef(0), End]];
        assert!(matches!(check(cyclic), RulesError::LeftRecursion { .. }));
        // Right recursion is fine: a ::= "x" a | (empty)
        assert!(GrammarRules::new(&[vec![Char('x'), RuleRef(0), Alt, End]], 0).is_ok());
    }
}
