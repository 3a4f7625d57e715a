//! Form fields with their labels, hints and errors tied together
//! (`aria-describedby`, `aria-invalid`), and the error summary at the top of a form.

use maud::{Markup, html};

/// Errors of a form, by field name, in the order the fields appear.
#[derive(Debug, Default, Clone)]
pub struct Errors(Vec<(&'static str, String)>);

impl Errors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn of(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    /// "There is a problem" with a link to each field; focused by the script so a
    /// screen reader hears it first.
    pub fn summary(&self) -> Markup {
        if self.0.is_empty() {
            return html! {};
        }
        html! {
            div.error-summary role="alert" tabindex="-1" data-error-summary aria-labelledby="error-summary-title" {
                h2 #error-summary-title { "There is a problem" }
                ul {
                    @for (field, message) in &self.0 {
                        li { a href=(format!("#f-{field}")) { (message) } }
                    }
                }
            }
        }
    }
}

/// One input with its label.
#[derive(Debug, Clone)]
pub struct Field<'a> {
    pub name: &'static str,
    pub label: &'a str,
    pub kind: &'static str,
    pub value: &'a str,
    pub hint: Option<&'a str>,
    pub autocomplete: Option<&'static str>,
    pub required: bool,
    pub inputmode: Option<&'static str>,
}

impl<'a> Field<'a> {
    pub fn new(name: &'static str, label: &'a str) -> Self {
        Self { name, label, kind: "text", value: "", hint: None, autocomplete: None, required: false, inputmode: None }
    }

    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    pub fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = Some(a);
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn inputmode(mut self, m: &'static str) -> Self {
        self.inputmode = Some(m);
        self
    }

    fn described_by(&self, error: bool) -> Option<String> {
        let mut ids = vec![];
        if self.hint.is_some() {
            ids.push(format!("f-{}-hint", self.name));
        }
        if error {
            ids.push(format!("f-{}-error", self.name));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    /// The label, hint, error and input.
    pub fn render(&self, errors: &Errors) -> Markup {
        let id = format!("f-{}", self.name);
        let error = errors.of(self.name);
        html! {
            div.field.has-error[error.is_some()] {
                label for=(id) { (self.label) @if self.required { span.req { " (required)" } } }
                @if let Some(h) = self.hint { p.hint id=(format!("{id}-hint")) { (h) } }
                @if let Some(e) = error { p.error id=(format!("{id}-error")) { span.visually-hidden { "Error: " } (e) } }
                @if self.kind == "textarea" {
                    textarea id=(id) name=(self.name) rows="5" required[self.required]
                        aria-describedby=[self.described_by(error.is_some())]
                        aria-invalid=[error.map(|_| "true")] { (self.value) }
                } @else {
                    input id=(id) name=(self.name) type=(self.kind) value=(self.value) required[self.required]
                        autocomplete=[self.autocomplete] inputmode=[self.inputmode]
                        aria-describedby=[self.described_by(error.is_some())]
                        aria-invalid=[error.map(|_| "true")];
                }
            }
        }
    }
}

/// A `<select>` with its label; `options` are (value, text).
pub fn select(name: &'static str, label: &str, options: &[(&str, &str)], selected: &str, errors: &Errors) -> Markup {
    let id = format!("f-{name}");
    let error = errors.of(name);
    html! {
        div.field.has-error[error.is_some()] {
            label for=(id) { (label) }
            @if let Some(e) = error { p.error id=(format!("{id}-error")) { span.visually-hidden { "Error: " } (e) } }
            select id=(id) name=(name) aria-describedby=[error.map(|_| format!("{id}-error"))]
                aria-invalid=[error.map(|_| "true")] {
                @for (value, text) in options {
                    option value=(value) selected[*value == selected] { (text) }
                }
            }
        }
    }
}

/// A checkbox with its label after it.
pub fn checkbox(name: &'static str, label: &str, checked: bool, hint: Option<&str>) -> Markup {
    let id = format!("f-{name}");
    html! {
        div.field.check {
            input id=(id) type="checkbox" name=(name) checked[checked]
                aria-describedby=[hint.map(|_| format!("{id}-hint"))];
            label for=(id) { (label) }
            @if let Some(h) = hint { p.hint id=(format!("{id}-hint")) { (h) } }
        }
    }
}

/// An amount typed by a person ("12", "12.5", "$12.50") in minor units of a
/// currency with `exponent` decimals; `None` when it is not a non-negative amount.
pub fn parse_amount(text: &str, exponent: u32) -> Option<i64> {
    let t = text.trim().trim_start_matches(['$', '€', '£']).replace([',', ' '], "");
    if t.is_empty() || t.len() > 15 {
        return None;
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if frac.len() > exponent as usize || (whole.is_empty() && frac.is_empty()) {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let scale = 10_i64.checked_pow(exponent)?;
    let frac_value: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i64>().ok()?.checked_mul(10_i64.checked_pow(exponent - frac.len() as u32)?)?
    };
    whole.checked_mul(scale)?.checked_add(frac_value)
}

/// Minor units as the text a person typed them in ("12.50").
pub fn amount_text(minor: i64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(exponent);
    format!("{}.{:0width$}", minor / scale, (minor % scale).abs(), width = exponent as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_people_type_them() {
        assert_eq!(parse_amount("12", 2), Some(1200));
        assert_eq!(parse_amount("$12.5", 2), Some(1250));
        assert_eq!(parse_amount("0.05", 2), Some(5));
        assert_eq!(parse_amount("1,000", 2), Some(100_000));
        assert_eq!(parse_amount("1.234", 2), None);
        assert_eq!(parse_amount("-3", 2), None);
        assert_eq!(parse_amount("abc", 2), None);
        assert_eq!(amount_text(1250, 2), "12.50");
    }
}

/// `?cursor=` of a paged list page.
#[derive(Debug, serde::Deserialize)]
pub struct CursorQuery {
    cursor: Option<String>,
}

impl CursorQuery {
    /// The page after the cursor (the first page when it is missing or malformed).
    pub fn page(&self, limit: u32) -> crate::domain::PageRequest {
        crate::domain::PageRequest { after: self.cursor.as_deref().and_then(crate::domain::decode_cursor), limit }
    }
}
