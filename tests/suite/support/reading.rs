//! What the engine makes of one typed answer, in the notation of the
//! typed-answer corpora (`tests/corpus/*.tsv`).

use nasal_twitch_bot::engine::{self, Answer, Input, Notice, Position, Reply, Session};
use nasal_twitch_bot::script::Script;

/// Thursday 26 November 2026, 12:00 UTC: the corpus's "today".
pub const TODAY_MS: u64 = 1_795_694_400_000;

/// A check standing at question `node`.
fn at(script: &Script, node: &str) -> Session {
    Session {
        id: 1,
        dialogue: script.id.clone(),
        version: script.version.to_string(),
        turn: 0,
        position: Position::Asking {
            node: node.to_string(),
        },
        answers: Vec::new(),
        updated_ms: TODAY_MS,
        confirmed_sign: None,
        finished_ms: None,
        follow_up: None,
        follow_ups: Vec::new(),
        earlier: Vec::new(),
        language: "en".to_string(),
    }
}

/// What the engine made of `typed` at `node`, in the corpus's notation.
pub fn reading(script: &Script, node: &str, typed: &str) -> String {
    let step = engine::step(
        script,
        Some(at(script, node)),
        Input::Text(typed.into()),
        TODAY_MS,
    );
    if step
        .replies
        .iter()
        .any(|r| matches!(r, Reply::Invalid { .. }))
    {
        return "reask".into();
    }
    if step.replies.contains(&Reply::Notice(Notice::Unsure)) {
        return "unsure".into();
    }
    let session = step.session.expect("a session");
    match &session.position {
        Position::Unsure { .. } => return "unsure".into(),
        Position::Flagged { .. } => return "flag".into(),
        _ => {}
    }
    match session.answer(node) {
        Some(Answer::Option { value }) => value.clone(),
        Some(Answer::Duration { days, .. }) => format!("days={days}"),
        Some(Answer::Text { .. }) => "text".into(),
        None => format!("{:?}", session.position),
    }
}
