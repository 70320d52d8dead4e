//! Safety properties of reading typed answers: uncertainty at a red-flag
//! question is never a no, and a stroke sign typed anywhere is caught.

use nasal_twitch_bot::engine::{self, Input, Position, Reply};
use proptest::prelude::*;
use proptest::sample::select;

use crate::support::{TODAY_MS, reading, shipped};

const UNSURE: &[&str] = &[
    "not sure",
    "I don't know",
    "dont know",
    "dont no",
    "maybe",
    "i think so",
    "possibly",
    "idk",
    "no idea",
    "not certain",
    "probably",
    "perhaps",
    "dunno",
    "unsure",
    "hard to say",
    "can't tell",
    "not really sure",
    "i guess",
    "who knows",
    "could be",
    "might be",
    "not shure",
];

const BEFORE: &[&str] = &[
    "",
    "no, ",
    "no ",
    "um ",
    "well, ",
    "honestly ",
    "hmm, ",
    "no... ",
    "nope, ",
    "NO ",
];

const AFTER: &[&str] = &[
    "",
    ".",
    "?",
    " tbh",
    " 😕",
    ", no",
    " no",
    " really",
    " to be honest",
    "!!",
    " nope",
];

/// Descriptions of emergency signs, in wordings of their own (not the corpus's).
const SIGNS: &[&str] = &[
    "my face is drooping",
    "the left side of my mouth droops",
    "one side of my face has gone weak",
    "my speech is slurred",
    "i am slurring my words",
    "i can't speak properly",
    "I cannot talk",
    "my words are coming out jumbled",
    "i can't understand what people are saying",
    "my cheek went numb suddenly",
    "i suddenly can't feel the right side of my face",
    "i'm suddenly confused",
    "my face feels numb",
    "half my face is paralysed",
    "my left arm has gone weak",
    "i can't lift my arm",
    "my leg suddenly gave way",
    "i suddenly lost my balance",
    "i can't walk straight",
    "the worst headache of my life",
    "a sudden severe headache",
    "i can't swallow",
    "my vision suddenly went blurry",
    "i suddenly see double",
];

const WRAP_BEFORE: &[&str] = &[
    "",
    "yes and ",
    "no but ",
    "also ",
    "3 days, and ",
    "hmm ",
    "HELP ",
];
const WRAP_AFTER: &[&str] = &[
    "",
    " now",
    " since this morning",
    "!!",
    " 😟",
    ", what do i do",
];

fn cased(text: String, upper: bool) -> String {
    if upper { text.to_uppercase() } else { text }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn uncertainty_at_a_red_flag_question_is_never_a_no(
        before in select(BEFORE),
        phrase in select(UNSURE),
        after in select(AFTER),
        upper in any::<bool>(),
    ) {
        let script = shipped::script();
        let typed = cased(format!("{before}{phrase}{after}"), upper);
        for node in script.nodes.iter().filter(|n| n.red_flag) {
            let got = reading(&script, &node.id, &typed);
            prop_assert!(got == "unsure" || got == "yes", "{typed:?} at {}: {got}", node.id);
        }
    }

    #[test]
    fn a_sign_typed_at_any_question_is_caught(
        before in select(WRAP_BEFORE),
        sign in select(SIGNS),
        after in select(WRAP_AFTER),
        upper in any::<bool>(),
    ) {
        let script = shipped::script();
        let typed = cased(format!("{before}{sign}{after}"), upper);
        for node in &script.nodes {
            let got = reading(&script, &node.id, &typed);
            prop_assert_eq!(&got, "flag", "{:?} at {}", typed, node.id);
        }
    }
}

#[test]
fn a_sign_as_the_first_message_or_after_the_outcome_is_caught() {
    let script = shipped::script();
    let first = engine::step(
        &script,
        None,
        Input::Text("my speech is slurred".into()),
        TODAY_MS,
    );
    let session = first.session.expect("a check starts at the sign");
    assert!(matches!(session.position, Position::Flagged { .. }));
    assert!(matches!(first.replies[0], Reply::Intro { .. }));
    let declined = engine::step(&script, Some(session), Input::Text("no".into()), TODAY_MS);
    let session = declined.session.expect("a session");
    assert_eq!(
        session.position,
        Position::Asking {
            node: script.start.clone()
        },
        "a declined sign starts the check"
    );

    let mut finished = session.clone();
    finished.position = Position::Finished {
        outcome: "self_care".into(),
    };
    let after = engine::step(
        &script,
        Some(finished),
        Input::Text("now my face is drooping".into()),
        TODAY_MS,
    );
    let session = after.session.expect("a session");
    assert!(matches!(session.position, Position::Flagged { .. }));
    let confirmed = engine::step(
        &script,
        Some(session),
        Input::Text("i think so".into()),
        TODAY_MS,
    );
    assert_eq!(
        confirmed.session.map(|s| s.position),
        Some(Position::Finished {
            outcome: "emergency".into()
        }),
        "unsure about a described sign is a yes"
    );
}

/// Answers a review found read as "no" (or missed) at first: each must now
/// be caught, asked again, or read as unsure — never a no.
#[test]
fn reviewed_safety_cases_are_never_a_no() {
    let script = shipped::script();
    let long = format!("{} now my face is drooping", "twitch ".repeat(170));
    let cases: &[(&str, &str, &[&str])] = &[
        ("red_flags", "No. Slurred speech", &["flag"]),
        ("red_flags", "no, slurred speech though", &["flag"]),
        ("red_flags", "no, hard to speak though", &["flag"]),
        ("red_flags", "no, except I feel confused", &["flag"]),
        (
            "red_flags",
            "none, except my left side feels weak",
            &["flag"],
        ),
        ("red_flags", "facial drooping", &["flag"]),
        ("red_flags", "i think i'm having a stroke", &["flag"]),
        ("red_flags", "no it went away", &["reask"]),
        ("red_flags", "no, it comes and goes", &["reask", "yes"]),
        ("red_flags", "no wait yes", &["reask", "yes"]),
        ("red_flags", "never until now", &["reask"]),
        ("red_flags", "not much", &["reask"]),
        ("red_flags", "it doesn't hurt", &["reask"]),
        ("red_flags", "no, can't be sure", &["unsure"]),
        ("red_flags", "no, i can't really tell", &["unsure"]),
        ("red_flags", "no i doubt it", &["unsure"]),
        ("red_flags", "no i feel a little numb", &["yes", "flag"]),
        ("red_flags", &long, &["flag"]),
        ("pain", "no, slurred speech", &["flag"]),
        ("stress", "no, slurring words", &["flag"]),
        (
            "other_symptoms",
            "sudden weakness on my left side",
            &["flag"],
        ),
        ("pain", "not sore", &["no"]),
        ("pain", "no just a bit", &["yes"]),
    ];
    for (node, typed, allowed) in cases {
        let got = reading(&script, node, typed);
        assert!(
            allowed.contains(&got.as_str()),
            "{typed:?} at {node}: {got}, want one of {allowed:?}"
        );
    }
}

fn step(
    script: &nasal_twitch_bot::script::Script,
    session: nasal_twitch_bot::engine::Session,
    input: Input,
) -> nasal_twitch_bot::engine::Session {
    engine::step(script, Some(session), input, TODAY_MS)
        .session
        .expect("a session")
}

/// "Is this happening now, or did it start suddenly?": a sign that started
/// or stopped is a yes; /back from the question returns to the one it
/// interrupted; /back after a confirmed sign asks about the sign again.
#[test]
fn sign_confirmations_and_back() {
    let script = shipped::script();
    let mut session = engine::step(&script, None, Input::Begin, TODAY_MS)
        .session
        .unwrap();
    for answer in ["no", "daily", "2 days"] {
        session = step(&script, session, Input::Text(answer.into()));
    }
    let at_pain = Position::Asking {
        node: "pain".into(),
    };
    assert_eq!(session.position, at_pain);
    let flagged = step(
        &script,
        session.clone(),
        Input::Text("my speech is slurred".into()),
    );
    assert!(matches!(flagged.position, Position::Flagged { .. }));
    for started in [
        "no, it started suddenly an hour ago",
        "nope, it stopped 10 minutes ago",
    ] {
        let after = step(&script, flagged.clone(), Input::Text(started.into()));
        assert_eq!(
            after.position,
            Position::Finished {
                outcome: "emergency".into()
            },
            "{started}"
        );
    }
    let back = step(&script, flagged.clone(), Input::Back);
    assert_eq!(
        back.position, at_pain,
        "back returns to the interrupted question"
    );
    assert_eq!(back.answers.len(), 3, "and keeps every answer");

    let confirmed = step(&script, flagged, Input::Text("yes".into()));
    let reopened = step(&script, confirmed, Input::Back);
    assert!(
        matches!(reopened.position, Position::Flagged { .. }),
        "back after a confirmed sign asks about the sign again: {:?}",
        reopened.position
    );
    let declined = step(&script, reopened, Input::Text("no, not now".into()));
    assert_eq!(declined.position, at_pain);
    assert_eq!(declined.confirmed_sign, None);
}

/// Part of a day past three days is more than three days.
#[test]
fn three_and_a_half_days_is_more_than_three() {
    let script = shipped::script();
    assert_eq!(reading(&script, "duration", "3 and a half days"), "days=4");
    assert_eq!(
        reading(&script, "duration", "3 days and 12 hours"),
        "days=4"
    );
}
