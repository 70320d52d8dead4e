//! The binary as a user runs it: `check`, `chat` with piped answers, `graph`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::{repo_path, root};

fn bot(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nasal-twitch-bot"))
        .args(args)
        .current_dir(root())
        .env_remove("BOT_DIALOGUES")
        .env_remove("TELOXIDE_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_passes_on_the_shipped_dialogues() {
    let out = bot(&["check", "--strict"], "");
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert_eq!(
        text(&out.stdout),
        "ok: 7 file(s), 3 dialogue(s), 0 error(s), 0 warning(s)\n"
    );
}

#[test]
fn check_lists_every_error_with_file_line_and_column_and_fails() {
    let fixture = "tests/fixtures/bad/rule_unknown_answer.toml";
    let out = bot(&["check", fixture], "");
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "{fixture}:42:24: error: rule reads answer `swelling`, but no question sets it"
            ),
            format!(
                "{fixture}:42:49: error: rule: question `mood` has no option `angry`; its options are: calm, tense"
            ),
            format!(
                "{fixture}:42:66: error: rule: `hurts` is not a duration question, so it cannot be compared with a number; its values are: yes, no"
            ),
            "FAILED: 1 file(s), 0 dialogue(s), 3 error(s), 0 warning(s)".to_string(),
        ]
    );
}

#[test]
fn warnings_pass_check_but_fail_strict() {
    let fixture = "tests/fixtures/bad/missing_source.toml";
    assert!(bot(&["check", fixture], "").status.success());
    let strict = bot(&["check", "--strict", fixture], "");
    assert_eq!(strict.status.code(), Some(1));
    assert!(text(&strict.stdout).contains("warning: prompt of `hurts` has no `source`"));
}

#[test]
fn check_of_a_missing_path_is_one_clear_line() {
    let out = bot(&["check", "no/such/dialogues"], "");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: cannot read dialogue no/such/dialogues"),
        "{stderr}"
    );
}

#[test]
fn piped_chat_reaches_each_triage_level() {
    for (answers, verdict) in [
        ("yes\n", "EMERGENCY: call emergency services now"),
        ("no\n2\n2 weeks\nno\nno\nno\nno\n", "SEE A DOCTOR"),
        ("no\nrarely\ntoday\nno\nno\nno\nno\n", "SELF-CARE"),
    ] {
        let out = bot(&["chat"], answers);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains(verdict), "{answers:?}:\n{stdout}");
        assert!(stdout.contains("not medical advice"));
    }
}

#[test]
fn chat_with_an_unknown_dialogue_id_fails_clearly() {
    let out = bot(&["chat", "--dialogue", "nope"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: no dialogue with id `nope`; loaded: nasal_twitching\n"
    );
}

#[test]
fn chat_refuses_a_broken_dialogue_folder_with_every_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nasal-twitch-bot"));
    child
        .arg("chat")
        .env(
            "BOT_DIALOGUES",
            repo_path("tests/fixtures/bad/next_unknown.toml"),
        )
        .stdin(Stdio::null());
    let out = child.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("next_unknown.toml:5:9: error: `start` names `hurt`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("next_unknown.toml:19:8: error: `next` names `moood`"),
        "{stderr}"
    );
}

#[test]
fn graph_prints_every_question_and_outcome() {
    let script = crate::support::shipped::script();
    let mermaid = text(&bot(&["graph", "--format", "mermaid"], "").stdout);
    assert!(mermaid.starts_with("flowchart TD\n"));
    let dot = text(&bot(&["graph", "--format", "dot"], "").stdout);
    assert!(dot.starts_with("digraph dialogue {"));
    assert!(dot.trim_end().ends_with('}'));
    for node in &script.nodes {
        assert!(
            mermaid.contains(&format!("q_{}[\"", node.id)),
            "{}",
            node.id
        );
        assert!(
            dot.contains(&format!("q_{} [shape=box", node.id)),
            "{}",
            node.id
        );
    }
    assert!(mermaid.contains("finish -->|"), "rules edges");
    for outcome in &script.outcomes {
        assert!(
            mermaid.contains(&format!("| o_{}", outcome.id)),
            "{}",
            outcome.id
        );
    }
    assert!(mermaid.contains("q_red_flags -->|\"Yes, I have one of these\"| finish"));
}

#[test]
fn bad_arguments_fail_without_a_backtrace() {
    let out = bot(&["graph", "--format", "png"], "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("invalid value 'png'"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}
