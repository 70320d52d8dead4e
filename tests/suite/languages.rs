//! Languages: the shipped translations are complete, a broken one is
//! refused with every problem located, and each language reaches a level.

use std::path::PathBuf;

use nasal_twitch_bot::script;

use crate::support::{repo_path, shipped};

fn check(paths: &[PathBuf], locales: &str) -> Vec<String> {
    let loaded = script::load_paths(paths, &repo_path(locales)).unwrap();
    loaded.diagnostics.iter().map(ToString::to_string).collect()
}

#[test]
fn shipped_languages_are_complete_even_under_strict() {
    let found = check(&[shipped::dir()], "locales");
    assert!(found.is_empty(), "{found:#?}");
    let dialogue = shipped::dialogue();
    let languages: Vec<&str> = dialogue.languages().map(|s| s.language.as_str()).collect();
    assert_eq!(languages, ["en", "es", "ru"]);
    for script in dialogue.languages() {
        assert_eq!(script.catalog.code(), script.language);
        assert!(!script.emergency_numbers.is_empty());
    }
    // The structure is the base's in every language.
    let base = dialogue.base();
    for script in dialogue.languages() {
        let ids = |s: &script::Script| s.nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(script), ids(base));
        assert_eq!(script.rules.len(), base.rules.len());
    }
}

/// `tests/fixtures/languages/` is the Russian overlay and catalog with one
/// of each problem put in: every one is reported at its place.
#[test]
fn a_broken_translation_is_refused_with_every_problem_located() {
    let overlay = "tests/fixtures/languages/nasal_twitching.ru.toml";
    let catalog = "tests/fixtures/languages/locales/ru/bot.ftl";
    let base = shipped::dir().join("nasal_twitching.toml");

    // The overlay's own problems, with the shipped (sound) catalog.
    let found = check(&[base.clone(), repo_path(overlay)], "locales");
    let at = |rest: &str| format!("{}:{rest}", repo_path(overlay).display());
    let expected = [
        at(
            "5:14: warning: stale translation: written for version 1.1, but the base dialogue is 1.2; check the texts changed since, then set `translates = \"1.2\"`",
        ),
        at("250:12: warning: `follow_up.accepted` lacks the plural form(s) few that `ru` needs"),
        at(
            "298:3: error: `outcome.see_doctor.guidance[1]` has placeholders {duracion} but the base text has {duration}",
        ),
        at(
            "327:7: error: question `node.nonexistent` is not in the base dialogue `nasal_twitching`",
        ),
        at(
            "329:1: error: `outcome.emergency.verdict` is missing: the emergency screen and the outcomes must be complete in every language",
        ),
        at("329:1: warning: question `node.stress` is missing (the English is used)"),
    ];
    assert_eq!(found, expected);
    let loaded =
        script::load_paths(&[base.clone(), repo_path(overlay)], &repo_path("locales")).unwrap();
    assert!(loaded.has_errors());
    assert!(
        loaded.scripts.iter().all(|s| s.language == "en"),
        "a language with errors is refused, not mixed with English"
    );

    // The catalog's problems: a message missing, a variable renamed, a
    // plural form lacking.
    let found = check(
        &[base, shipped::dir().join("nasal_twitching.ru.toml")],
        "tests/fixtures/languages/locales",
    );
    let at = |rest: &str| format!("{}:{rest}", repo_path(catalog).display());
    assert_eq!(
        found,
        [
            at("39:1: error: message `hint-choice` uses $options but English uses $labels"),
            at(
                "51:1: warning: message `duration-days`: the count $count needs the plural form(s) few in `ru`"
            ),
            at("275:1: error: message `not-fit` is missing (English is used for it)"),
            format!(
                "{}:1:1: error: language `ru` has no usable catalog {}",
                shipped::dir().join("nasal_twitching.ru.toml").display(),
                repo_path(catalog).display()
            ),
        ]
    );
}
