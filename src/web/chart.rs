//! A bar chart of amounts by day as inline SVG, drawn on the server, with the same
//! numbers in a table for screen readers and anyone who prefers one.

use super::layout::date;
use crate::domain::{Currency, Money};
use maud::{Markup, PreEscaped, html};
use std::fmt::Write as _;
use time::Date;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 220;
const LEFT: u32 = 64;
const BOTTOM: u32 = 28;
const TOP: u32 = 12;

fn label(d: Date) -> String {
    date(d.midnight().assume_utc())
}

/// The chart and its table; `id` names the figure.
pub fn income_chart(id: &str, days: &[(Date, i64)], currency: Currency) -> Markup {
    let max = days.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let total: i64 = days.iter().map(|(_, v)| *v).sum();
    let plot_w = WIDTH - LEFT - 8;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = u32::try_from(days.len().max(1)).unwrap_or(1);
    let slot = plot_w / n;
    let bar = (slot * 7 / 10).max(2);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" focusable="false">"##
    );
    let first = days.first().map(|(d, _)| label(*d)).unwrap_or_default();
    let last = days.last().map(|(d, _)| label(*d)).unwrap_or_default();
    let _ = write!(
        svg,
        r##"<title id="{id}-title">Earnings by day</title><desc id="{id}-desc">{} days from {first} to {last}; total {}; best day {}.</desc>"##,
        days.len(),
        Money::new(total, currency),
        Money::new(max, currency)
    );
    let base = TOP + plot_h;
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" y1="{base}" x2="{}" y2="{base}" stroke="#374151" stroke-width="1"/>"##,
        WIDTH - 8
    );
    let _ =
        write!(svg, r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#374151" stroke-width="1"/>"##);
    for (y, value) in [(TOP, max), (TOP + plot_h / 2, max / 2), (base, 0)] {
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#1f2937">{}</text>"##,
            LEFT - 6,
            y + 4,
            Money::new(value, currency)
        );
    }
    for (i, (d, v)) in days.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(0);
        let h = u32::try_from((*v).max(0) * i64::from(plot_h) / max).unwrap_or(0);
        let x = LEFT + i * slot + (slot - bar) / 2;
        if h > 0 {
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{}" width="{bar}" height="{h}" fill="#0b3d91"><title>{}: {}</title></rect>"##,
                base - h,
                label(*d),
                Money::new(*v, currency)
            );
        }
    }
    for (i, d) in [(0, days.first()), (n.saturating_sub(1), days.last())] {
        if let Some((d, _)) = d {
            let anchor = if i == 0 { "start" } else { "end" };
            let x = if i == 0 { LEFT } else { WIDTH - 8 };
            let _ = write!(
                svg,
                r##"<text x="{x}" y="{}" text-anchor="{anchor}" font-size="12" fill="#1f2937">{}</text>"##,
                HEIGHT - 8,
                label(*d)
            );
        }
    }
    svg.push_str("</svg>");
    html! {
        figure.chart-figure {
            (PreEscaped(svg))
            figcaption { "Earnings by day, " (first) " to " (last) ". Total " (Money::new(total, currency)) "." }
            details {
                summary { "The numbers as a table" }
                table {
                    caption.visually-hidden { "Earnings by day" }
                    thead { tr { th scope="col" { "Day" } th scope="col" { "Earned" } } }
                    tbody { @for (d, v) in days { @if *v != 0 { tr { td { (label(*d)) } td { (Money::new(*v, currency)) } } } } }
                }
            }
        }
    }
}
