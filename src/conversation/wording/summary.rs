//! `/summary`: the recap as a message, and as a page to print or show a doctor.

use crate::engine::Summary;
use crate::language::Catalog;
use crate::message::escape;

/// The `/summary` message: the recap in short.
pub fn summary(c: &Catalog, s: &Summary) -> String {
    let e = |id: &str| escape(&c.text(id));
    let mut text = format!(
        "<b>{}</b>\n{}",
        escape(&c.get("summary-heading", &[("title", s.title.as_str().into())])),
        escape(&s.date)
    );
    if let Some((level, verdict)) = &s.outcome {
        text.push_str(&format!(
            "\n\n<b>{}</b> {} — {}",
            e("summary-level"),
            e(&format!("level-{}", level.name())),
            escape(verdict)
        ));
    }
    if let Some(sign) = &s.sign {
        text.push_str(&format!("\n<b>{}</b> {}", e("summary-sign"), escape(sign)));
    }
    if !s.answers.is_empty() {
        text.push_str(&format!("\n\n<b>{}</b>", e("summary-answers")));
        for (question, answer) in &s.answers {
            text.push_str(&format!(
                "\n• {} — <b>{}</b>",
                escape(question),
                escape(answer)
            ));
        }
    }
    for (date, answer, days) in &s.follow_ups {
        let heading = c.get("summary-follow-up", &[("date", date.as_str().into())]);
        text.push_str(&format!(
            "\n\n<b>{}</b> {}",
            escape(&heading),
            escape(answer)
        ));
        if let Some(days) = days {
            let all = c.get("summary-days-in-all", &[("count", (*days).into())]);
            text.push_str(&format!(" {}", escape(&all)));
        }
    }
    if let Some(next) = &s.next_follow_up {
        let next = c.get("summary-next-follow-up", &[("date", next.as_str().into())]);
        text.push_str(&format!("\n\n{}", escape(&next)));
    }
    for (date, level, answers) in &s.earlier {
        let heading = c.get("summary-earlier", &[("date", date.as_str().into())]);
        let level = level.map_or_else(
            || "—".to_string(),
            |l| c.text(&format!("level-{}", l.name())),
        );
        let count = c.get(
            "summary-earlier-answers",
            &[("level", level.into()), ("count", answers.len().into())],
        );
        text.push_str(&format!(
            "\n\n<b>{}</b> {}",
            escape(&heading),
            escape(&count)
        ));
    }
    text.push_str(&format!(
        "\n\n<i>⚠ {}</i>\n\n{}",
        escape(&s.disclaimer),
        e("summary-file-follows")
    ));
    text
}

/// The `/summary` document: a small HTML page to print or show a doctor.
pub fn summary_page(c: &Catalog, s: &Summary, diary: Option<(&str, &[u8])>) -> String {
    let e = |id: &str| escape(&c.text(id));
    let level_name =
        |level: crate::script::Level| escape(&c.text(&format!("level-{}", level.name())));
    let mut rows = String::new();
    for (question, answer) in &s.answers {
        rows.push_str(&format!(
            "<tr><td>{}</td><td><b>{}</b></td></tr>\n",
            escape(question),
            escape(answer)
        ));
    }
    let mut follow_ups = String::new();
    for (date, answer, days) in &s.follow_ups {
        let days = days.map_or_else(String::new, |d| {
            format!(
                " {}",
                escape(&c.get("summary-days-in-all", &[("count", d.into())]))
            )
        });
        follow_ups.push_str(&format!(
            "<li>{}: {}{days}</li>\n",
            escape(date),
            escape(answer)
        ));
    }
    // No heading over an empty list: a check with no follow-up has none.
    if !follow_ups.is_empty() {
        follow_ups = format!(
            "<h2>{}</h2>\n<ul>\n{follow_ups}</ul>\n",
            e("summary-page-follow-ups")
        );
    }
    let mut earlier = String::new();
    for (date, level, answers) in &s.earlier {
        let heading = c.get("summary-earlier", &[("date", date.as_str().into())]);
        earlier.push_str(&format!(
            "<h2>{} ({})</h2>\n<table>\n",
            escape(heading.trim_end_matches(':')),
            level.map_or_else(|| "—".to_string(), level_name)
        ));
        for (question, answer) in answers {
            earlier.push_str(&format!(
                "<tr><td>{}</td><td><b>{}</b></td></tr>\n",
                escape(question),
                escape(answer)
            ));
        }
        earlier.push_str("</table>\n");
    }
    // The diary's line and its chart, embedded so the page stands alone.
    let diary = diary.map_or_else(String::new, |(line, png)| {
        use base64::Engine as _;
        format!(
            "<h2>{heading}</h2>\n<p>{line}</p>\n<img alt=\"{heading}\" style=\"max-width:100%\" src=\"data:image/png;base64,{png}\">\n",
            heading = e("summary-page-diary"),
            png = base64::engine::general_purpose::STANDARD.encode(png),
        )
    });
    let sources: String = s
        .sources
        .iter()
        .map(|source| format!("<li>{}</li>\n", escape(source)))
        .collect();
    let outcome = s
        .outcome
        .as_ref()
        .map_or_else(String::new, |(level, verdict)| {
            format!(
                "<p><b>{}</b> {} — {}</p>\n",
                e("summary-level"),
                level_name(*level),
                escape(verdict)
            )
        });
    let sign = s.sign.as_ref().map_or_else(String::new, |sign| {
        format!("<p><b>{}</b> {}</p>\n", e("summary-sign"), escape(sign))
    });
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:42em;margin:2em auto}}td{{padding:.3em;vertical-align:top;border-bottom:1px solid #ddd}}</style>\
         </head><body>\n<h1>{title}</h1>\n<p>{date}</p>\n{outcome}{sign}\
         <h2>{answers}</h2>\n<table>\n{rows}</table>\n{follow_ups}{earlier}{diary}\
         <h2>{sources_heading}</h2>\n<ul>\n{sources}</ul>\n<p><i>{disclaimer}</i></p>\n</body></html>\n",
        lang = escape(c.code()),
        title = escape(&s.title),
        date = escape(&c.get("summary-page-date", &[("date", s.date.as_str().into())])),
        answers = e("summary-answers"),
        sources_heading = e("summary-page-sources"),
        disclaimer = escape(&s.disclaimer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(follow_ups: Vec<(String, String, Option<u32>)>) -> String {
        let s = Summary {
            title: "Check".into(),
            date: "7 December 2026".into(),
            answers: vec![("How often?".into(), "Daily".into())],
            sign: None,
            outcome: None,
            follow_ups,
            next_follow_up: None,
            earlier: Vec::new(),
            sources: Vec::new(),
            disclaimer: "Not advice.".into(),
        };
        summary_page(Catalog::english(), &s, None)
    }

    #[test]
    fn the_follow_ups_heading_comes_only_with_follow_ups() {
        assert!(!page(Vec::new()).contains("Follow-ups"));
        let with = page(vec![("10 December 2026".into(), "Gone".into(), None)]);
        assert!(with.contains("<h2>Follow-ups</h2>\n<ul>\n<li>10 December 2026: Gone</li>\n</ul>"));
    }
}
