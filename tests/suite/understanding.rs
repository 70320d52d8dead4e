//! Safety properties of reading typed answers: uncertainty at a red-flag
//! question is never a no, and a stroke sign typed anywhere is caught.

use nasal_twitch_bot::engine::{self, Input, Position, Reply};
use proptest::prelude::*;
use proptest::sample::select;

use crate::corpus::{TODAY_MS, reading};
use crate::shipped;

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
        let script = shipped();
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
        let script = shipped();
        let typed = cased(format!("{before}{sign}{after}"), upper);
        for node in &script.nodes {
            let got = reading(&script, &node.id, &typed);
            prop_assert_eq!(&got, "flag", "{:?} at {}", typed, node.id);
        }
    }
}

#[test]
fn a_sign_as_the_first_message_or_after_the_outcome_is_caught() {
    let script = shipped();
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
