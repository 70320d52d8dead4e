//! Languages: the shipped translations are complete, a broken one is
//! refused with every problem located, and each language reaches a level.

use std::path::PathBuf;

use nasal_twitch_bot::engine::Position;
use nasal_twitch_bot::script;
use nasal_twitch_bot::terminal::Conversation;

use crate::support::shipped::{Q_FREQUENCY, Q_RED_FLAGS};
use crate::support::{GroupView, UserChat, repo_path, shipped, start_with_sqlite};

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
            "5:14: warning: stale translation: written for version 1.1, but the base dialogue is 1.4; check the texts changed since, then set `translates = \"1.4\"`",
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
        at(&format!(
            "329:1: error: {} is missing: the emergency screen and the outcomes must be complete in every language",
            "`red_flags.safety_net`"
        )),
        at(&format!(
            "329:1: error: {} is missing: the emergency screen and the outcomes must be complete in every language",
            "question `node.vision_sudden`"
        )),
        at(&format!(
            "329:1: error: {} is missing: the emergency screen and the outcomes must be complete in every language",
            "sign `red_flags.sign.balance`"
        )),
        at(&format!(
            "329:1: error: {} is missing: the emergency screen and the outcomes must be complete in every language",
            "sign `red_flags.sign.headache`"
        )),
        at(&format!(
            "329:1: error: {} is missing: the emergency screen and the outcomes must be complete in every language",
            "sign `red_flags.sign.limbs`"
        )),
        at(&format!(
            "329:1: error: {} is missing: the emergency screen and the outcomes must be complete in every language",
            "sign `red_flags.sign.swallowing`"
        )),
        at("329:1: warning: `[diary]` is missing (the English is used)"),
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
            at("337:1: error: message `not-fit` is missing (English is used for it)"),
            format!(
                "{}:1:1: error: language `ru` has no usable catalog {}",
                shipped::dir().join("nasal_twitching.ru.toml").display(),
                repo_path(catalog).display()
            ),
        ]
    );
}

/// The check over Telegram in the person's language: Spanish and Russian
/// users by buttons and by typing, an English user who stays English,
/// `/language` switching a check under way, and the menus per language.
#[tokio::test]
async fn people_get_the_check_in_their_telegram_language_and_can_switch() {
    let (api, _dir, bot) = start_with_sqlite(&shipped::dir()).await;

    api.set_language(801, "es-MX");
    let mut spanish = UserChat::new(&api, 801);
    spanish.say("/check");
    spanish
        .answer_by_buttons(&[
            ("Primero, una pregunta de seguridad", "No, ninguno"),
            ("¿Con qué frecuencia aparecen", "Varias veces al día"),
        ])
        .await;
    // The person's Telegram changes language mid-check: the check keeps its own.
    api.set_language(801, "ru");
    spanish
        .answer_by_typing(&[
            ("¿Desde hace cuánto tiempo", "2 semanas"),
            ("¿Los espasmos vienen con dolor", "no"),
            ("cambio en la vista", "no"),
            ("¿Algún otro síntoma", "no"),
            ("estrés o ansiedad", "sí"),
        ])
        .await;
    let level = spanish.expect("CONSULTA A UN MÉDICO").await;
    assert!(level.text().contains("2 semanas"), "{}", level.text());

    api.set_language(802, "ru");
    let mut russian = UserChat::new(&api, 802);
    russian.say("/check");
    russian
        .answer_by_buttons(&[
            ("Сначала вопрос о безопасности", "Нет, ничего из этого"),
            ("Как часто возникает", "Несколько раз в день"),
        ])
        .await;
    russian
        .answer_by_typing(&[
            ("Как давно это продолжается", "2 недели"),
            ("боль или дискомфорт", "нет"),
            ("изменения зрения или слуха", "нет"),
            ("другие необычные симптомы", "нет"),
            ("стресс или трев", "да"),
        ])
        .await;
    russian.expect("К ВРАЧУ").await;

    let mut english = UserChat::new(&api, 803);
    english.say("/check");
    english.expect(Q_RED_FLAGS).await;
    english.say("no");
    english.expect(Q_FREQUENCY).await;

    // An English Telegram, then Spanish by choice: the check goes on in
    // Spanish with its answers, and the choice is kept.
    let mut switching = UserChat::new(&api, 804);
    switching.say("/check");
    switching.expect(Q_RED_FLAGS).await;
    switching.say("no");
    switching.expect(Q_FREQUENCY).await;
    switching.say("/language es");
    switching
        .expect("A partir de ahora te escribiré en español")
        .await;
    switching.expect("¿Con qué frecuencia aparecen").await;
    switching.say("/language");
    let menu = switching.expect("Elige el idioma").await;
    switching.press(&menu, "English").await;
    switching
        .expect("From now on I will write in English")
        .await;
    switching.expect(Q_FREQUENCY).await;

    // Menus and the profile were set for each language with its code.
    let calls = api.calls();
    for code in ["es", "ru"] {
        let menus = calls
            .iter()
            .filter(|c| c.method == "setmycommands" && c.body["language_code"] == code)
            .count();
        assert_eq!(menus, 3, "three menus in {code}");
        assert!(
            calls
                .iter()
                .any(|c| c.method == "setmydescription" && c.body["language_code"] == code),
            "a description in {code}"
        );
        assert!(
            calls
                .iter()
                .any(|c| c.method == "setmyshortdescription" && c.body["language_code"] == code),
            "a short description in {code}"
        );
    }
    let default_menus = calls
        .iter()
        .filter(|c| c.method == "setmycommands" && c.body.get("language_code").is_none())
        .count();
    assert_eq!(default_menus, 3, "the English menus are the default");
    bot.stop();
}

/// A group's language is its admins' choice in `/settings`; what the bot
/// posts there afterwards (help, tips, the deep link) is in that language,
/// whatever the language of the member who asks.
#[tokio::test]
async fn a_group_speaks_the_language_its_admins_choose() {
    const GROUP: i64 = -100_777;
    const ADMIN: i64 = 21;
    const MEMBER: i64 = 22;
    let (api, _dir, bot) = start_with_sqlite(&shipped::dir()).await;
    api.make_admin(GROUP, ADMIN);
    let mut group = GroupView::new(&api, GROUP);

    api.group_text(GROUP, MEMBER, "/help", None);
    assert!(
        group
            .message()
            .await
            .text()
            .contains("How I work in this group")
    );

    api.group_text(GROUP, ADMIN, "/settings", None);
    let panel = group.message().await;
    assert!(
        panel.text().contains("Language: <b>English</b>"),
        "{}",
        panel.text()
    );
    api.press_in_group(
        GROUP,
        ADMIN,
        panel.message_id.unwrap(),
        &panel.button("Русский").unwrap(),
        None,
    );
    assert_eq!(group.pressed().await.body["text"], "Сохранено.");
    let edited = group.next("editmessagetext").await;
    assert!(
        edited.text().contains("<b>Русский</b>"),
        "{}",
        edited.text()
    );

    api.set_language(MEMBER, "es");
    api.group_text(GROUP, MEMBER, "/check", None);
    let pointed = group.message().await;
    assert!(
        pointed.text().contains("личном чате"),
        "the group's language, not the member's: {}",
        pointed.text()
    );
    bot.stop();
}

/// A sign described in another of the dialogue's languages is still caught,
/// and asked about in the check's own language.
#[test]
fn a_sign_typed_in_another_language_is_still_caught() {
    let dialogue = shipped::dialogue();
    for (language, typed, asked) in [
        (
            "es",
            "my face is drooping on one side",
            "Me cuentas que un lado de la cara",
        ),
        ("ru", "se me cayó la mitad de la cara", "Вы описали"),
        (
            "en",
            "у меня перекосило лицо",
            "You described your face drooping",
        ),
    ] {
        let mut chat = Conversation::new(dialogue.get(language));
        chat.start();
        let said = chat.line(typed).text;
        assert!(said.contains(asked), "{language}: {typed:?} gave:\n{said}");
        assert!(
            matches!(
                chat.session().map(|s| &s.position),
                Some(Position::Flagged { .. })
            ),
            "{language}: {typed:?}"
        );
    }
}

/// A new check starts in the chat's language as it is now; the one before
/// kept its own.
#[tokio::test]
async fn a_new_check_takes_the_chats_language_as_it_is_now() {
    let (api, _dir, bot) = start_with_sqlite(&shipped::dir()).await;
    api.set_language(805, "ru");
    let mut person = UserChat::new(&api, 805);
    person.say("/check");
    person.expect("Сначала вопрос о безопасности").await;
    person.say("/cancel");
    person.expect_call("sendmessage").await;
    api.set_language(805, "es");
    person.say("/check");
    person.expect("Primero, una pregunta de seguridad").await;
    bot.stop();
}

/// The bot refuses to start with a translation that lacks an emergency
/// text, naming where, rather than show that language half in English.
#[test]
fn start_up_refuses_a_language_incomplete_for_the_emergency_screen() {
    let dir = crate::support::temp_dir();
    std::fs::copy(
        shipped::dir().join("nasal_twitching.toml"),
        dir.path().join("nasal_twitching.toml"),
    )
    .unwrap();
    std::fs::copy(
        repo_path("tests/fixtures/languages/nasal_twitching.ru.toml"),
        dir.path().join("nasal_twitching.ru.toml"),
    )
    .unwrap();
    let stderr = crate::support::failed_start(
        &["run"],
        &[
            ("BOT_DIALOGUES", &dir.path().display().to_string()),
            ("BOT_LOCALES", &repo_path("locales").display().to_string()),
        ],
    );
    assert!(
        stderr.contains(
            "nasal_twitching.ru.toml:329:1: error: `outcome.emergency.verdict` is missing"
        ),
        "{stderr}"
    );
}
