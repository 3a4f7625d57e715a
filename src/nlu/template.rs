//! Parser for hassil sentence templates: `(a|b)`, `[x]`, `(a;b)`, `{list:slot}`, `<rule>`.

/// A parsed template expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Literal text, matched character by character.
    Text(String),
    /// Items one after another.
    Seq(Vec<Expr>),
    /// One of several items (an optional is an alternative with an empty sequence).
    Alt(Vec<Expr>),
    /// Every order of the items.
    Perm(Vec<Expr>),
    /// A list reference filling `slot` (a slot starting with `@` is a capture only).
    List { list: String, slot: String, col: usize },
    /// An inline number range.
    Range { from: i64, to: i64, step: i64, slot: String },
    /// An expansion rule reference.
    Rule { name: String, col: usize },
}

/// A syntax error with its 1-based column inside the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub column: usize,
    pub message: String,
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

#[derive(PartialEq, Clone, Copy)]
enum GroupKind {
    Plain,
    Alt,
    Perm,
}

fn err<T>(column: usize, message: impl Into<String>) -> Result<T, TemplateError> {
    Err(TemplateError { column, message: message.into() })
}

impl Parser {
    fn flush(text: &mut String, cur: &mut Vec<Expr>) {
        if !text.is_empty() {
            cur.push(Expr::Text(std::mem::take(text)));
        }
    }

    fn parse_group(&mut self, close: Option<(char, usize)>) -> Result<Expr, TemplateError> {
        let mut alts: Vec<Expr> = Vec::new();
        let mut cur: Vec<Expr> = Vec::new();
        let mut text = String::new();
        let mut kind = GroupKind::Plain;
        loop {
            let col = self.pos + 1;
            let Some(&c) = self.chars.get(self.pos) else {
                if let Some((ch, open)) = close {
                    return err(open, format!("missing closing '{ch}'"));
                }
                break;
            };
            self.pos += 1;
            if close.is_some_and(|(ch, _)| ch == c) {
                break;
            }
            match c {
                '\\' => match self.chars.get(self.pos) {
                    Some(&next) => {
                        text.push(next);
                        self.pos += 1;
                    }
                    None => return err(col, "dangling escape"),
                },
                '(' => {
                    Self::flush(&mut text, &mut cur);
                    cur.push(self.parse_group(Some((')', col)))?);
                }
                '[' => {
                    Self::flush(&mut text, &mut cur);
                    let inner = self.parse_group(Some((']', col)))?;
                    cur.push(Expr::Alt(vec![inner, Expr::Seq(Vec::new())]));
                }
                '{' => {
                    Self::flush(&mut text, &mut cur);
                    cur.push(self.parse_slot(col)?);
                }
                '<' => {
                    Self::flush(&mut text, &mut cur);
                    let name = self.read_until('>', col)?;
                    if name.trim().is_empty() {
                        return err(col, "empty rule name");
                    }
                    cur.push(Expr::Rule { name: name.trim().to_string(), col });
                }
                '|' | ';' => {
                    let k = if c == '|' { GroupKind::Alt } else { GroupKind::Perm };
                    if kind != GroupKind::Plain && kind != k {
                        return err(col, "cannot mix '|' and ';' in one group");
                    }
                    kind = k;
                    Self::flush(&mut text, &mut cur);
                    alts.push(Expr::Seq(std::mem::take(&mut cur)));
                }
                ')' | ']' | '}' | '>' => return err(col, format!("unexpected '{c}'")),
                _ => text.push(c),
            }
        }
        Self::flush(&mut text, &mut cur);
        alts.push(Expr::Seq(cur));
        Ok(match kind {
            GroupKind::Plain => alts.pop().unwrap_or(Expr::Seq(Vec::new())),
            GroupKind::Alt => Expr::Alt(alts),
            GroupKind::Perm => Expr::Perm(
                alts.into_iter().map(|e| Expr::Seq(vec![Expr::Text(" ".into()), e, Expr::Text(" ".into())])).collect(),
            ),
        })
    }

    fn read_until(&mut self, close: char, open: usize) -> Result<String, TemplateError> {
        let mut out = String::new();
        loop {
            let Some(&c) = self.chars.get(self.pos) else {
                return err(open, format!("missing closing '{close}'"));
            };
            self.pos += 1;
            if c == close {
                return Ok(out);
            }
            out.push(c);
        }
    }

    fn parse_slot(&mut self, col: usize) -> Result<Expr, TemplateError> {
        let body = self.read_until('}', col)?;
        let body = body.trim();
        let (head, slot) = match body.split_once(':') {
            Some((h, s)) => (h.trim(), Some(s.trim())),
            None => (body, None),
        };
        if head.is_empty() {
            return err(col, "empty list name");
        }
        if let Some((from, rest)) = head.split_once("..") {
            let (to, step) = match rest.split_once(',') {
                Some((t, s)) => (t, Some(s)),
                None => (rest, None),
            };
            let num = |s: &str| s.trim().parse::<i64>().ok();
            let (Some(from), Some(to)) = (num(from), num(to)) else {
                return err(col, "bad range bounds");
            };
            let step = match step {
                Some(s) => match num(s) {
                    Some(v) if v > 0 => v,
                    _ => return err(col, "bad range step"),
                },
                None => 1,
            };
            let Some(slot) = slot.filter(|s| !s.is_empty()) else {
                return err(col, "an inline range needs a slot name");
            };
            return Ok(Expr::Range { from, to, step, slot: slot.to_string() });
        }
        let list = head.trim_start_matches('@').to_string();
        let slot = match slot {
            Some(s) if !s.is_empty() => s.to_string(),
            _ if head.starts_with('@') => format!("@{list}"),
            _ => list.clone(),
        };
        Ok(Expr::List { list, slot, col })
    }
}

/// Parses a template into an expression tree.
pub fn parse_template(text: &str) -> Result<Expr, TemplateError> {
    let mut p = Parser { chars: text.chars().collect(), pos: 0 };
    p.parse_group(None)
}

/// Expands a template made only of text, alternatives and permutations into its strings,
/// or `None` when it has references or more than `limit` variants.
pub fn expand_strings(expr: &Expr, limit: usize) -> Option<Vec<String>> {
    match expr {
        Expr::Text(t) => Some(vec![t.clone()]),
        Expr::Seq(items) => {
            let mut acc = vec![String::new()];
            for item in items {
                let parts = expand_strings(item, limit)?;
                if acc.len().saturating_mul(parts.len()) > limit {
                    return None;
                }
                acc = acc.iter().flat_map(|a| parts.iter().map(move |p| format!("{a}{p}"))).collect();
            }
            Some(acc)
        }
        Expr::Alt(alts) => {
            let mut out = Vec::new();
            for a in alts {
                out.extend(expand_strings(a, limit)?);
                if out.len() > limit {
                    return None;
                }
            }
            Some(out)
        }
        Expr::Perm(items) => {
            let orders = permutations(items.len(), limit)?;
            let mut out = Vec::new();
            for order in orders {
                let seq = Expr::Seq(order.iter().map(|&i| items[i].clone()).collect());
                out.extend(expand_strings(&seq, limit)?);
                if out.len() > limit {
                    return None;
                }
            }
            Some(out)
        }
        Expr::List { .. } | Expr::Range { .. } | Expr::Rule { .. } => None,
    }
}

/// All orders of `n` items, or `None` when there are more than `limit`.
pub fn permutations(n: usize, limit: usize) -> Option<Vec<Vec<usize>>> {
    let count: usize = (1..=n).try_fold(1usize, |acc, k| acc.checked_mul(k))?;
    if count > limit {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    let mut current: Vec<usize> = Vec::new();
    let mut used = vec![false; n];
    fn rec(n: usize, cur: &mut Vec<usize>, used: &mut [bool], out: &mut Vec<Vec<usize>>) {
        if cur.len() == n {
            out.push(cur.clone());
            return;
        }
        for i in 0..n {
            if !used[i] {
                used[i] = true;
                cur.push(i);
                rec(n, cur, used, out);
                cur.pop();
                used[i] = false;
            }
        }
    }
    rec(n, &mut current, &mut used, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_groups() {
        let e = parse_template("turn (on|off) [the] light[s] {name:entity}").unwrap();
        let strings = expand_strings(&parse_template("turn (on|off) [the] light[s]").unwrap(), 100).unwrap();
        assert_eq!(strings.len(), 8);
        assert!(matches!(e, Expr::Seq(_)));
    }

    #[test]
    fn reports_column() {
        let e = parse_template("turn (on|off").unwrap_err();
        assert_eq!(e.column, 6);
        let e = parse_template("a {1..x:n}").unwrap_err();
        assert_eq!(e.column, 3);
    }

    #[test]
    fn ranges_and_escapes() {
        assert_eq!(
            parse_template("{1..10,2:n}").unwrap(),
            Expr::Seq(vec![Expr::Range { from: 1, to: 10, step: 2, slot: "n".into() }])
        );
        assert_eq!(parse_template(r"a\(b").unwrap(), Expr::Seq(vec![Expr::Text("a(b".into())]));
    }
}
