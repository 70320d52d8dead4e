//! Runs the typed-answer corpus (`tests/corpus/understanding.tsv`) through the
//! engine at each answer's question and prints the share understood as meant.

use std::fs;

use crate::support::{reading, repo_path, shipped};

/// How a corpus file fared.
struct Tally {
    total: usize,
    right: usize,
    /// Lines read wrongly, described.
    wrong: Vec<String>,
    /// Wrong lines that break a safety promise: an unsure or flagged answer
    /// read otherwise, or anything read as "no" that was not one.
    unsafe_lines: Vec<String>,
}

fn run(file: &str, language: &str) -> Tally {
    let dialogue = shipped::dialogue();
    let script = dialogue.get(language);
    assert_eq!(script.language, language);
    let corpus = fs::read_to_string(repo_path(file)).unwrap();
    let mut tally = Tally {
        total: 0,
        right: 0,
        wrong: Vec::new(),
        unsafe_lines: Vec::new(),
    };
    for (number, line) in corpus.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 3, "{file}:{}: {line:?}", number + 1);
        let (node, typed, want) = (fields[0], fields[1], fields[2]);
        assert!(
            script.node(node).is_some(),
            "{file}:{}: no node {node}",
            number + 1
        );
        let got = reading(script, node, typed);
        tally.total += 1;
        if got == want {
            tally.right += 1;
            continue;
        }
        let described = format!(
            "  {file}:{}: {node} {typed:?}: want {want}, got {got}",
            number + 1
        );
        let red_flag = script.node(node).is_some_and(|n| n.red_flag);
        if want == "flag"
            || (red_flag && want == "unsure")
            || (got == "no" && (red_flag || want != "reask"))
        {
            tally.unsafe_lines.push(described.clone());
        }
        tally.wrong.push(described);
    }
    println!(
        "{file}: {} of {} understood as meant ({:.1}%), {} safety line(s) wrong",
        tally.right,
        tally.total,
        100.0 * tally.right as f64 / tally.total as f64,
        tally.unsafe_lines.len()
    );
    for w in &tally.wrong {
        println!("{w}");
    }
    tally
}

/// The corpus written with the parsers: at least 97% right, every safety line right.
#[test]
fn corpus_is_understood_as_meant() {
    let tally = run("tests/corpus/understanding.tsv", "en");
    assert!(tally.total >= 300, "the corpus needs at least 300 answers");
    assert!(
        tally.unsafe_lines.is_empty(),
        "safety lines read wrongly:\n{}",
        tally.unsafe_lines.join("\n")
    );
    assert!(
        tally.right * 100 >= tally.total * 97,
        "{} of {} understood",
        tally.right,
        tally.total
    );
}

/// A corpus written apart from the parsers and never tuned on: its share is
/// reported, and its safety lines must still all be right.
#[test]
fn holdout_corpus_keeps_every_safety_line() {
    let tally = run("tests/corpus/holdout.tsv", "en");
    assert!(
        tally.unsafe_lines.is_empty(),
        "safety lines read wrongly:\n{}",
        tally.unsafe_lines.join("\n")
    );
}

/// Runs each corpus in its language: at least 100 answers each, the share
/// printed, and no safety line read wrongly.
fn every_safety_line_right(corpora: [(&str, &str); 2]) {
    let tallies: Vec<(&str, Tally)> = corpora
        .into_iter()
        .map(|(file, language)| (file, run(file, language)))
        .collect();
    for (file, tally) in tallies {
        assert!(tally.total >= 100, "{file} needs at least 100 answers");
        assert!(
            tally.unsafe_lines.is_empty(),
            "{file}: safety lines read wrongly:\n{}",
            tally.unsafe_lines.join("\n")
        );
    }
}

/// The Spanish and Russian corpora, written by their translators from how
/// people talk, not from the parsers.
#[test]
fn spanish_and_russian_corpora_keep_every_safety_line() {
    every_safety_line_right([("tests/corpus/es.tsv", "es"), ("tests/corpus/ru.tsv", "ru")]);
}

/// Spanish and Russian corpora written apart from the parsers and the other
/// corpora, never tuned on.
#[test]
fn spanish_and_russian_holdouts_keep_every_safety_line() {
    every_safety_line_right([
        ("tests/corpus/holdout_es.tsv", "es"),
        ("tests/corpus/holdout_ru.tsv", "ru"),
    ]);
}
