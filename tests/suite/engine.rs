//! The engine on the shipped dialogue: stale buttons, dialogue changes, and
//! properties over random input sequences.

use nasal_twitch_bot::engine::{
    self, Answer, ButtonToken, Heading, Input, Notice, Position, Question, Reply, Session, Step,
};
use nasal_twitch_bot::script::{Level, Script};
use proptest::prelude::*;

use crate::support::shipped;

const NOW: u64 = 1_790_000_000_000;

fn begin(script: &Script) -> Step {
    engine::step(script, None, Input::Begin, NOW)
}

fn last_question(step: &Step) -> Question {
    step.replies
        .iter()
        .rev()
        .find_map(|r| match r {
            Reply::Question(q) => Some(q.clone()),
            _ => None,
        })
        .expect("a question")
}

fn press(script: &Script, step: Step, label_index: usize) -> Step {
    let token = last_question(&step).choices[label_index].token.clone();
    engine::step(script, step.session, Input::Button(token), NOW + 1)
}

#[test]
fn a_live_button_answers_and_its_second_press_is_stale() {
    let script = shipped::script();
    let first = begin(&script);
    let old_token = last_question(&first).choices[1].token.clone();
    let second = press(&script, first, 1);
    assert_eq!(
        second.session.as_ref().unwrap().position,
        Position::Asking {
            node: "frequency".into()
        }
    );
    let before = second.session.clone();
    let again = engine::step(&script, second.session, Input::Button(old_token), NOW + 2);
    assert_eq!(
        again.session, before,
        "a stale press must not change the session"
    );
    assert_eq!(again.replies[0], Reply::Notice(Notice::Stale));
    assert!(matches!(&again.replies[1], Reply::Question(q) if q.node == "frequency"));
}

#[test]
fn forged_buttons_change_nothing() {
    let script = shipped::script();
    let first = begin(&script);
    let live = last_question(&first).choices[0].token.clone();
    let forgeries = [
        ButtonToken {
            session: live.session.wrapping_add(1),
            ..live.clone()
        },
        ButtonToken {
            turn: live.turn + 5,
            ..live.clone()
        },
        ButtonToken {
            node: "stress".into(),
            ..live.clone()
        },
        ButtonToken {
            value: "maybe".into(),
            ..live.clone()
        },
    ];
    for forged in forgeries {
        let step = engine::step(
            &script,
            first.session.clone(),
            Input::Button(forged.clone()),
            NOW + 1,
        );
        assert_eq!(step.session, first.session, "{forged:?}");
        assert_eq!(step.replies[0], Reply::Notice(Notice::Stale), "{forged:?}");
    }
}

#[test]
fn buttons_from_before_a_restart_are_stale() {
    let script = shipped::script();
    let first = begin(&script);
    let old = last_question(&first).choices[0].token.clone();
    let restarted = engine::step(&script, first.session, Input::Restart, NOW + 1);
    let step = engine::step(
        &script,
        restarted.session.clone(),
        Input::Button(old),
        NOW + 2,
    );
    assert_eq!(step.session, restarted.session);
    assert_eq!(step.replies[0], Reply::Notice(Notice::Stale));
}

#[test]
fn a_new_major_version_restarts_checks_in_flight() {
    let mut script = shipped::script();
    let step = press(&script, begin(&script), 1);
    let session = step.session.clone().unwrap();
    assert_eq!(session.answers.len(), 1);

    script.version.minor += 1;
    let same = engine::step(&script, Some(session.clone()), Input::Repeat, NOW + 2);
    assert_eq!(
        same.session.as_ref().unwrap().answers.len(),
        1,
        "a minor change keeps the check"
    );

    script.version.major += 1;
    let updated = engine::step(&script, Some(session), Input::Text("often".into()), NOW + 3);
    assert_eq!(updated.replies[0], Reply::Notice(Notice::DialogueUpdated));
    let fresh = updated.session.unwrap();
    assert!(fresh.answers.is_empty());
    assert_eq!(
        fresh.position,
        Position::Asking {
            node: script.start.clone()
        }
    );
    assert_eq!(fresh.version, script.version.to_string());
}

#[test]
fn a_session_on_a_removed_question_restarts() {
    let script = shipped::script();
    let mut session = begin(&script).session.unwrap();
    session.position = Position::Asking {
        node: "gone".into(),
    };
    let step = engine::step(&script, Some(session), Input::Text("no".into()), NOW);
    assert_eq!(step.replies[0], Reply::Notice(Notice::DialogueUpdated));
    assert!(step.session.unwrap().fits(&script));
}

#[test]
fn no_session_and_no_begin_says_how_to_start() {
    let script = shipped::script();
    for input in [Input::Text("hi".into()), Input::Back, Input::Repeat] {
        let step = engine::step(&script, None, input, NOW);
        assert_eq!(step.session, None);
        assert_eq!(step.replies, vec![Reply::Notice(Notice::NotStarted)]);
    }
}

#[test]
fn sessions_survive_a_json_round_trip() {
    let script = shipped::script();
    let step = press(&script, begin(&script), 1);
    let session = step.session.unwrap();
    let json = serde_json::to_string(&session).unwrap();
    let back: Session = serde_json::from_str(&json).unwrap();
    assert_eq!(back, session);
}

/// Inputs a user could send, including nonsense and forged buttons.
fn any_input() -> impl Strategy<Value = Input> {
    let typed = prop_oneof![
        Just("yes".to_string()),
        Just("no".to_string()),
        Just("often".to_string()),
        Just("2 weeks".to_string()),
        Just("skip".to_string()),
        Just("since yesterday".to_string()),
        "\\PC{0,40}",
        "[a-z ]{0,12}",
        Just("x".repeat(10_000)),
    ];
    prop_oneof![
        4 => typed.prop_map(Input::Text),
        1 => Just(Input::Back),
        1 => Just(Input::Restart),
        1 => Just(Input::Begin),
        1 => Just(Input::Repeat),
        2 => (any::<u32>(), 0u32..20, "[a-z_]{1,14}", "[a-z_]{1,14}").prop_map(|(session, turn, node, value)| {
            Input::Button(ButtonToken { session, turn, node, value })
        }),
        4 => (0usize..6).prop_map(|i| Input::Button(ButtonToken {
            // Filled in with a live token by the test when possible.
            session: 0, turn: u32::MAX, node: String::new(), value: i.to_string(),
        })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_sequences_never_panic_and_always_answer(inputs in prop::collection::vec(any_input(), 1..60)) {
        let script = shipped::script();
        let mut session: Option<Session> = None;
        let mut question: Option<Question> = None;
        for (i, mut input) in inputs.into_iter().enumerate() {
            if let Input::Button(ButtonToken { turn: u32::MAX, value, .. }) = &input {
                let index: usize = value.parse().unwrap_or(0);
                if let Some(choice) = question.as_ref().and_then(|q| q.choices.get(index)) {
                    input = Input::Button(choice.token.clone());
                }
            }
            let was_asking = matches!(session.as_ref().map(|s| &s.position), Some(Position::Asking { .. }));
            let is_text = matches!(input, Input::Text(_));
            let step = engine::step(&script, session.take(), input, NOW + i as u64);
            prop_assert!(!step.replies.is_empty());
            if let Some(s) = &step.session {
                prop_assert!(s.fits(&script), "session left invalid: {s:?}");
            }
            if was_asking && is_text {
                // A typed answer is either taken (then a question or the outcome
                // follows), refused with a re-prompt and the question again, or
                // caught by the red-flag net ("tia" names a stroke sign), which
                // asks at once whether that sign is happening now.
                let caught = matches!(step.replies.as_slice(), [Reply::Question(q)] if q.heading == Heading::Safety);
                let taken = matches!(step.replies.first(), Some(Reply::Accepted { .. }))
                    && matches!(step.replies.last(), Some(Reply::Question(_) | Reply::Outcome(_)));
                let reprompted = matches!(step.replies.first(), Some(Reply::Invalid { .. }))
                    && matches!(step.replies.last(), Some(Reply::Question(_)));
                prop_assert!(taken || reprompted || caught, "{:?}", step.replies);
            }
            if let Some(q) = step.replies.iter().rev().find_map(|r| match r { Reply::Question(q) => Some(q), _ => None }) {
                question = Some(q.clone());
            }
            session = step.session;
        }
    }

    #[test]
    fn pressing_live_buttons_always_reaches_an_outcome(picks in prop::collection::vec(0usize..5, 9)) {
        let script = shipped::script();
        let mut step = begin(&script);
        let mut level = None;
        for pick in picks {
            let Some(Reply::Question(q)) = step.replies.last().cloned() else { break };
            let choice = &q.choices[pick % q.choices.len()];
            step = engine::step(&script, step.session, Input::Button(choice.token.clone()), NOW);
            // The outcome may be followed by the offer of a follow-up.
            if let Some(o) = step.replies.iter().find_map(|r| match r { Reply::Outcome(o) => Some(o), _ => None }) {
                level = Some(o.level);
                break;
            }
        }
        prop_assert!(level.is_some(), "no outcome after 9 presses: {:?}", step.session);
        if level == Some(Level::Emergency) {
            // By buttons, only a yes to a safety question ends in an emergency,
            // and it ends the check at once.
            let session = step.session.unwrap();
            let last = session.answers.last().unwrap();
            prop_assert!(script.node(&last.node).is_some_and(|n| n.red_flag), "{:?}", session.answers);
            prop_assert_eq!(&last.answer, &Answer::Option { value: "yes".into() });
        }
    }
}
