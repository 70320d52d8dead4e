//! Runs the conversations in `tests/transcripts/` and checks that together
//! they visit every question and reach every outcome of the shipped dialogue.

use std::collections::BTreeSet;
use std::fs;

use nasal_twitch_bot::conversation::wording;
use nasal_twitch_bot::engine::{self, Input, Position, Reply};
use nasal_twitch_bot::message::escape;
use nasal_twitch_bot::script::{Level, Script};
use nasal_twitch_bot::terminal::Conversation;

use crate::support::{repo_path, shipped};

/// When the checks in these tests happen (any fixed time will do).
const NOW: u64 = 1_790_000_000_000;

#[derive(Default)]
struct Coverage {
    nodes: BTreeSet<String>,
    outcomes: BTreeSet<String>,
}

fn note(coverage: &mut Coverage, replies: &[Reply]) {
    for reply in replies {
        match reply {
            Reply::Question(q) => {
                coverage.nodes.insert(q.node.clone());
            }
            Reply::Outcome(o) => {
                coverage.outcomes.insert(o.outcome.clone());
            }
            _ => {}
        }
    }
}

fn run(script: &Script, name: &str, text: &str, coverage: &mut Coverage) {
    let mut chat = Conversation::new(script);
    let mut output = chat.start();
    note(coverage, chat.replies());
    for (number, line) in text.lines().enumerate() {
        let at = format!("{name}:{}", number + 1);
        let (mark, rest) = line.split_at(line.len().min(1));
        let rest = rest.trim_start();
        match mark {
            ">" => {
                output = chat.line(rest).text;
                note(coverage, chat.replies());
            }
            "<" => assert!(
                output.contains(rest),
                "{at}: expected {rest:?} in:\n{output}"
            ),
            "!" => assert!(
                !output.contains(rest),
                "{at}: did not expect {rest:?} in:\n{output}"
            ),
            "@" => {
                let position = chat.session().map(|s| s.position.clone());
                assert_eq!(
                    position,
                    Some(Position::Asking {
                        node: rest.to_string()
                    }),
                    "{at}\n{output}"
                );
            }
            "=" => {
                let position = chat.session().map(|s| s.position.clone());
                assert_eq!(
                    position,
                    Some(Position::Finished {
                        outcome: rest.to_string()
                    }),
                    "{at}\n{output}"
                );
            }
            "#" | "" => {}
            other => panic!("{at}: unknown transcript mark {other:?}"),
        }
    }
}

/// Runs the transcripts of one folder in `language` and checks that they
/// visit every question and reach every outcome.
fn run_folder(folder: &str, language: &str) {
    let dialogue = shipped::dialogue();
    let script = dialogue.get(language);
    assert_eq!(script.language, language);
    let mut coverage = Coverage::default();
    let mut files = 0;
    for entry in fs::read_dir(repo_path(folder)).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            run(
                script,
                &name,
                &fs::read_to_string(&path).unwrap(),
                &mut coverage,
            );
            files += 1;
        }
    }
    assert!(files > 0, "no transcripts found in {folder}");
    let missing_nodes: Vec<&str> = script
        .nodes
        .iter()
        .map(|n| n.id.as_str())
        .filter(|id| !coverage.nodes.contains(*id))
        .collect();
    let missing_outcomes: Vec<&str> = script
        .outcomes
        .iter()
        .map(|o| o.id.as_str())
        .filter(|id| !coverage.outcomes.contains(*id))
        .collect();
    assert!(
        missing_nodes.is_empty(),
        "no {language} transcript asks: {missing_nodes:?}"
    );
    assert!(
        missing_outcomes.is_empty(),
        "no {language} transcript reaches: {missing_outcomes:?}"
    );
}

#[test]
fn transcripts_pass_and_cover_every_node_and_outcome() {
    run_folder("tests/transcripts", "en");
}

#[test]
fn spanish_transcripts_cover_every_node_and_outcome() {
    run_folder("tests/transcripts/es", "es");
}

#[test]
fn russian_transcripts_cover_every_node_and_outcome() {
    run_folder("tests/transcripts/ru", "ru");
}

/// Every outcome reached by pressing buttons, in every language, as the
/// person reads it: each one that is not an emergency ends with the line
/// naming the signs that mean calling now and the numbers to call, and the
/// emergency shows the numbers without that line.
#[test]
fn every_outcome_carries_the_safety_net_in_every_language() {
    let dialogue = shipped::dialogue();
    let languages: Vec<&str> = dialogue.languages().map(|s| s.language.as_str()).collect();
    assert_eq!(languages, ["en", "es", "ru"]);
    for script in dialogue.languages() {
        let flags = script
            .red_flags
            .as_ref()
            .expect("the shipped dialogue has red flags");
        let mut reached = BTreeSet::new();
        let begin = engine::step(script, None, Input::Begin, NOW);
        let mut pending = vec![begin];
        while let Some(step) = pending.pop() {
            if let Some(o) = step.replies.iter().find_map(|r| match r {
                Reply::Outcome(o) => Some(o),
                _ => None,
            }) {
                let shown = wording::outcome(&script.catalog, o).join("\n");
                let net = escape(&flags.safety_net.text);
                let at = format!("{} {}", script.language, o.outcome);
                if o.level == Level::Emergency {
                    assert!(!shown.contains(&net), "{at}: {shown}");
                } else {
                    assert!(shown.contains(&format!("🚨 {net}")), "{at}: {shown}");
                }
                for number in &script.emergency_numbers {
                    assert!(
                        shown.contains(&number.number),
                        "{at} lacks {}: {shown}",
                        number.number
                    );
                }
                reached.insert(o.outcome.clone());
                continue;
            }
            let Some(Reply::Question(q)) = step.replies.last() else {
                continue;
            };
            for choice in &q.choices {
                let input = Input::Button(choice.token.clone());
                pending.push(engine::step(script, step.session.clone(), input, NOW));
            }
        }
        let all: BTreeSet<String> = script.outcomes.iter().map(|o| o.id.clone()).collect();
        assert_eq!(reached, all, "{}", script.language);
    }
}
