//! Loader fixtures: each bad file lists, in `# expect:` lines at its end,
//! exactly what loading must report (line, column, severity, message).

use std::fs;

use nasal_twitch_bot::script::{self, Diagnostic};

use crate::support::repo_path;

fn expectations(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| line.strip_prefix("# expect: "))
        .map(str::to_string)
        .collect()
}

fn reported(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let full = d.to_string();
            let prefix = format!("{}:", d.file.display());
            full.strip_prefix(&prefix).unwrap_or(&full).to_string()
        })
        .collect()
}

#[test]
fn every_bad_fixture_reports_exactly_its_expected_problems() {
    let mut checked = 0;
    for entry in fs::read_dir(repo_path("tests/fixtures/bad")).unwrap() {
        let path = entry.unwrap().path();
        let source = fs::read_to_string(&path).unwrap();
        let expected = expectations(&source);
        assert!(
            !expected.is_empty(),
            "{} lists no `# expect:` lines",
            path.display()
        );
        let (script, diagnostics) = script::load_str(&path, &source);
        assert_eq!(reported(&diagnostics), expected, "{}", path.display());
        let has_error = expected.iter().any(|e| e.contains(": error: "));
        assert_eq!(script.is_none(), has_error, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures found");
}

#[test]
fn several_errors_in_one_file_are_all_reported() {
    let path = repo_path("tests/fixtures/bad/duplicate_ids.toml");
    let source = fs::read_to_string(&path).unwrap();
    let (_, diagnostics) = script::load_str(&path, &source);
    assert!(diagnostics.iter().filter(|d| d.is_error()).count() >= 5);
}

#[test]
fn good_fixture_and_shipped_dialogue_load_without_any_diagnostic() {
    for file in [
        "tests/fixtures/good/minimal.toml",
        "tests/fixtures/stable/stable_check.toml",
        "dialogues/nasal_twitching.toml",
    ] {
        let path = repo_path(file);
        let source = fs::read_to_string(&path).unwrap();
        let (script, diagnostics) = script::load_str(&path, &source);
        assert!(diagnostics.is_empty(), "{file}: {diagnostics:?}");
        assert!(script.is_some(), "{file}");
    }
}

#[test]
fn shipped_dialogue_texts_all_carry_known_sources() {
    let script = crate::support::shipped::script();
    let mut texts = vec![&script.intro, &script.disclaimer];
    texts.extend(script.nodes.iter().map(|n| &n.prompt));
    for outcome in &script.outcomes {
        texts.push(&outcome.verdict);
        texts.extend(outcome.guidance.iter().map(|g| &g.text));
    }
    texts.extend(&script.tips.items);
    for text in texts {
        assert!(!text.sources.is_empty(), "{:?} has no source", text.text);
        for id in &text.sources {
            assert!(script.source(id).is_some(), "unknown source {id}");
        }
    }
}

#[test]
fn duplicate_dialogue_ids_across_files_are_refused() {
    let dir = std::env::temp_dir().join(format!("ntb-dup-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let good = fs::read_to_string(repo_path("tests/fixtures/good/minimal.toml")).unwrap();
    fs::write(dir.join("a.toml"), &good).unwrap();
    fs::write(dir.join("b.toml"), &good).unwrap();
    let loaded = script::load_paths(std::slice::from_ref(&dir), &repo_path("locales")).unwrap();
    fs::remove_dir_all(&dir).unwrap();
    let errors: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains(
            "b.toml:3:1: error: dialogue id `minimal` in language `en` is already used by"
        )
    );
    assert_eq!(loaded.scripts.len(), 1);
}

/// The good fixture with its first rule's `when` replaced by `when`, and the
/// line that rule's `when` stands on.
fn minimal_with_rule(when: &str) -> (String, usize) {
    let good = fs::read_to_string(repo_path("tests/fixtures/good/minimal.toml")).unwrap();
    let original = "when = \"hurts = yes or how_long > 3\"";
    let line = good
        .lines()
        .position(|l| l == original)
        .expect("the good fixture has its rule")
        + 1;
    (good.replace(original, &format!("when = \"{when}\"")), line)
}

/// Column of byte `offset` inside the `when` string (`when = "` takes 8).
fn when_column(offset: usize) -> usize {
    9 + offset
}

#[test]
fn deeply_nested_condition_is_refused_with_a_diagnostic_not_a_crash() {
    const DEPTH: usize = 50_000;
    // The 33rd `(` (or `not`) is the one too deep.
    for (when, too_deep_at) in [
        (
            format!("{}hurts = yes{}", "(".repeat(DEPTH), ")".repeat(DEPTH)),
            32,
        ),
        (format!("{}hurts = yes", "not ".repeat(DEPTH)), 32 * 4),
    ] {
        let (source, line) = minimal_with_rule(&when);
        let (script, diagnostics) = script::load_str(std::path::Path::new("deep.toml"), &source);
        assert!(script.is_none());
        assert_eq!(
            reported(&diagnostics),
            [format!(
                "{line}:{}: error: rule: conditions nest at most 32 deep",
                when_column(too_deep_at)
            )]
        );
    }
}

#[test]
fn conditions_nested_up_to_the_limit_still_load() {
    let when = format!(
        "{}hurts = yes{} or {}how_long > 3{}",
        "(".repeat(32),
        ")".repeat(32),
        "not (".repeat(16),
        ")".repeat(16)
    );
    let (source, _) = minimal_with_rule(&when);
    let (script, diagnostics) = script::load_str(std::path::Path::new("deep.toml"), &source);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(script.is_some());
}

struct Answered(&'static str, u32);

impl script::expr::Answers for Answered {
    fn value(&self, node: &str) -> Option<&str> {
        (node == "hurts").then_some(self.0)
    }
    fn days(&self, node: &str) -> Option<u32> {
        (node == "how_long").then_some(self.1)
    }
}

#[test]
fn long_flat_conditions_load_evaluate_and_drop_without_overflow() {
    const TERMS: usize = 50_000;
    for (joiner, last) in [(" or ", "how_long > 3"), (" and ", "how_long > 3")] {
        let when = format!("{}{last}", format!("hurts = yes{joiner}").repeat(TERMS - 1));
        let (source, _) = minimal_with_rule(&when);
        let (script, diagnostics) = script::load_str(std::path::Path::new("flat.toml"), &source);
        assert!(diagnostics.is_empty(), "{joiner}: {diagnostics:?}");
        let script = script.unwrap();
        let condition = script.rules[0].when.as_ref().unwrap();
        assert!(condition.eval(&Answered("yes", 4)), "{joiner}");
        assert!(!condition.eval(&Answered("no", 0)), "{joiner}");
        drop(script);
    }
}

/// The shipped dialogue and its overlays, with the question `other_details`
/// renamed `other-details` (node ids may hold a dash), written to a fresh
/// folder after `edit` changed the overlays (by language).
fn shipped_with_dashed_id(edit: impl Fn(&str, String) -> String) -> tempfile::TempDir {
    let dir = crate::support::temp_dir();
    for (language, file) in [
        ("en", "nasal_twitching.toml"),
        ("es", "nasal_twitching.es.toml"),
        ("ru", "nasal_twitching.ru.toml"),
    ] {
        let source = fs::read_to_string(repo_path("dialogues").join(file)).unwrap();
        let renamed = source.replace("other_details", "other-details");
        fs::write(dir.path().join(file), edit(language, renamed)).unwrap();
    }
    dir
}

#[test]
fn a_translation_that_drops_or_renames_a_dashed_placeholder_is_refused_where_it_is() {
    // Renamed the same way everywhere, the dashed id loads without a word.
    let dir = shipped_with_dashed_id(|_, source| source);
    let loaded = script::load_paths(&[dir.path().to_path_buf()], &repo_path("locales")).unwrap();
    let found: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(loaded.scripts.len(), 3);

    // Spanish renames the placeholder, Russian drops it.
    let dir = shipped_with_dashed_id(|language, source| match language {
        "es" => source.replace("{other-details}", "{otros-detalles}"),
        "ru" => source.replace("«{other-details}»", "«…»"),
        _ => source,
    });
    let loaded = script::load_paths(&[dir.path().to_path_buf()], &repo_path("locales")).unwrap();
    let found: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    // Each is reported on the line of the edited text, column 3 (its quote).
    let at = |file: &str, edited: &str, rest: &str| {
        let path = dir.path().join(file);
        let source = fs::read_to_string(&path).unwrap();
        let line = 1 + source.lines().position(|l| l.contains(edited)).unwrap();
        format!("{}:{line}:3: {rest}", path.display())
    };
    assert_eq!(
        found,
        [
            at(
                "nasal_twitching.es.toml",
                "{otros-detalles}",
                "error: `outcome.see_doctor.guidance[5]` has placeholders {otros-detalles} but the base text has {other-details}",
            ),
            at(
                "nasal_twitching.ru.toml",
                "«…»",
                "error: `outcome.see_doctor.guidance[5]` has placeholders none but the base text has {other-details}",
            ),
        ]
    );
    assert!(loaded.has_errors());
    assert!(
        loaded.scripts.iter().all(|s| s.language == "en"),
        "a translation with a broken placeholder is refused"
    );
}
