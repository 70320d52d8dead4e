//! Typed answers in Spanish and Russian, read through the same parsers as
//! English with each language's words (`locales/<lang>/understanding.toml`):
//! the grammar is code, the words are data.
//!
//! The safety rule holds in every language: at a red-flag question an
//! uncertain answer is never read as no.

use std::fs;

use nasal_twitch_bot::engine::duration::parse_duration;
use nasal_twitch_bot::engine::frequency::parse_rate;
use nasal_twitch_bot::engine::parse::match_option;
use nasal_twitch_bot::engine::yes_no::{Leaning, clear_no, confirmation, leaning};
use nasal_twitch_bot::language::lexicon::Lexicon;
use nasal_twitch_bot::script::band::Rate;
use nasal_twitch_bot::script::{Choice, Node, NodeKind, Text};

use crate::support::repo_path;

/// Thursday 26 November 2026.
const TODAY: i64 = 20_783;

/// The languages with words of their own.
const LANGUAGES: [&str; 3] = ["en", "es", "ru"];

fn lexicon(lang: &str) -> Lexicon {
    let file = format!("locales/{lang}/understanding.toml");
    let text = fs::read_to_string(repo_path(&file)).unwrap();
    Lexicon::parse(std::path::Path::new(&file), &text).unwrap_or_else(|e| panic!("{e}"))
}

/// A yes/no question with the language's default labels and words, as a
/// dialogue without its own gets them.
fn yes_no_question(lex: &Lexicon, red_flag: bool) -> Node {
    let defaults = &lex.yes_no_defaults;
    let option = |value: &str, label: &str, words: Vec<String>| Choice {
        value: value.to_string(),
        label: label.to_string(),
        synonyms: words,
        next: None,
        days: None,
        band: None,
    };
    let no_words = defaults
        .no
        .written()
        .filter(|w| !(red_flag && defaults.soft_noes.has(w)))
        .collect();
    Node {
        id: "q".to_string(),
        kind: NodeKind::YesNo,
        prompt: Text {
            text: "?".to_string(),
            sources: Vec::new(),
            forms: Vec::new(),
        },
        hint: None,
        options: vec![
            option("yes", &defaults.yes_label, defaults.yes.written().collect()),
            option("no", &defaults.no_label, no_words),
        ],
        next: None,
        max_length: 300,
        red_flag,
        unsure: None,
    }
}

/// What the engine makes of a typed answer at a yes/no question: doubt is
/// asked again (never a no), a hedge is a yes, else the options decide
/// ("reask" when none fits).
fn read_yes_no(lex: &Lexicon, node: &Node, text: &str) -> String {
    match leaning(lex, text) {
        Leaning::Unsure => "unsure".to_string(),
        Leaning::Hedged => "yes".to_string(),
        Leaning::Denied if !node.red_flag => "no".to_string(),
        Leaning::Denied | Leaning::Plain => {
            match_option(lex, node, text).map_or("reask".to_string(), |o| o.value.clone())
        }
    }
}

fn per_day(rate: Rate) -> f64 {
    if rate.minutes == 0.0 {
        f64::INFINITY
    } else {
        rate.times * 1_440.0 / rate.minutes
    }
}

fn check_durations(lang: &str, cases: &[(&str, u32)]) {
    let lex = lexicon(lang);
    for &(typed, want) in cases {
        assert_eq!(
            parse_duration(&lex, typed, TODAY),
            Ok(want),
            "{lang}: {typed}"
        );
    }
}

fn check_rates(lang: &str, cases: &[(&str, f64)], continuous: &[&str], none: &[&str]) {
    let lex = lexicon(lang);
    for &(typed, want) in cases {
        let got = parse_rate(&lex, typed).unwrap_or_else(|| panic!("{lang}: {typed}: no rate"));
        assert!(
            (per_day(got) - want).abs() < 1e-9,
            "{lang}: {typed}: {} per day, want {want}",
            per_day(got)
        );
    }
    for typed in continuous {
        assert_eq!(
            parse_rate(&lex, typed),
            Some(Rate::continuous()),
            "{lang}: {typed}"
        );
    }
    for typed in none {
        assert_eq!(parse_rate(&lex, typed), None, "{lang}: {typed}");
    }
}

fn check_red_flag_answers(lang: &str, cases: &[(&str, &str)]) {
    let lex = lexicon(lang);
    let node = yes_no_question(&lex, true);
    for &(typed, want) in cases {
        assert_eq!(read_yes_no(&lex, &node, typed), want, "{lang}: {typed}");
    }
}

#[test]
fn every_language_loads_with_every_list() {
    for lang in LANGUAGES {
        let lex = lexicon(lang);
        assert!(lex.number("2").is_some(), "{lang}");
        assert!(!lex.yes_no_defaults.yes_label.is_empty(), "{lang}");
    }
    let english = lexicon("en");
    assert_eq!(
        english.yes_no.negations.iter().collect::<Vec<_>>(),
        Lexicon::english()
            .yes_no
            .negations
            .iter()
            .collect::<Vec<_>>()
    );
}

#[test]
fn spanish_durations() {
    check_durations(
        "es",
        &[
            ("3 días", 3),
            ("3 DIAS", 3),
            ("dos semanas", 14),
            ("un mes", 30),
            ("desde el lunes", 3),
            ("desde el sábado", 5),
            ("hace una semana", 7),
            ("hace 3 días", 3),
            ("desde hace dos meses", 60),
            ("una semana o dos", 14),
            ("dos o tres semanas", 21),
            ("un mes y medio", 45),
            ("dos semanas y media", 18),
            ("un par de días", 2),
            ("unos días", 3),
            ("unos 10 días", 10),
            ("desde ayer", 1),
            ("anteayer", 2),
            ("3-4 días", 4),
            ("entre 3 y 4 días", 4),
            ("una quincena", 14),
            ("medio año", 183),
            ("hace un año", 365),
            ("desde el 1 de noviembre", 25),
            ("desde principios de noviembre", 25),
            ("desde finales de octubre", 26),
            ("3 semanas, perdón, 3 días", 3),
            ("3 días, no 3 semanas", 3),
            ("hoy", 0),
            ("casi dos meses", 60),
        ],
    );
}

#[test]
fn russian_durations() {
    check_durations(
        "ru",
        &[
            ("3 дня", 3),
            ("три дня", 3),
            ("две недели", 14),
            ("месяц", 30),
            ("с понедельника", 3),
            ("с субботы", 5),
            ("с выходных", 5),
            ("неделю назад", 7),
            ("3 дня назад", 3),
            ("полгода", 183),
            ("пол года", 183),
            ("пару дней", 2),
            ("полторы недели", 11),
            ("2-3 дня", 3),
            ("неделю или две", 14),
            ("около двух недель", 14),
            ("около трёх дней", 3),
            ("5 лет", 1825),
            ("уже год", 365),
            ("с 1 ноября", 25),
            ("с начала ноября", 25),
            ("с конца октября", 26),
            ("с 20-го", 6),
            ("вчера", 1),
            ("со вчерашнего дня", 1),
            ("позавчера", 2),
            ("несколько дней", 3),
            ("месяц с половиной", 45),
            ("два с половиной месяца", 75),
            ("3 недели, ой, 3 дня", 3),
            ("3 дня, а не 3 недели", 3),
            ("с прошлой недели", 7),
            ("сегодня", 0),
        ],
    );
}

#[test]
fn spanish_rates() {
    check_rates(
        "es",
        &[
            ("3 veces al día", 3.0),
            ("dos veces por semana", 2.0 / 7.0),
            ("una vez a la semana", 1.0 / 7.0),
            ("una vez al día", 1.0),
            ("cada hora", 24.0),
            ("cada dos días", 0.5),
            ("cada 10 minutos", 144.0),
            ("cada 3 o 4 días", 1.0 / 3.0),
            ("todos los días", 1.0),
            ("diariamente", 1.0),
            ("a diario", 1.0),
            ("un par de veces al mes", 2.0 / 30.0),
            ("unas cuantas veces al día", 3.0),
            ("varias veces a la semana", 4.0 / 7.0),
            ("muchas veces por hora", 144.0),
            ("2-3 veces al día", 3.0),
            ("3x/día", 3.0),
            ("5 o 6 veces al día", 6.0),
            ("3 veces hoy", 3.0),
            ("va y viene", 4.0),
        ],
        &[
            "todo el tiempo",
            "constantemente",
            "sin parar",
            "todo el día",
        ],
        &["a veces", "3 días", "no todos los días", "de vez en cuando"],
    );
}

#[test]
fn russian_rates() {
    check_rates(
        "ru",
        &[
            ("3 раза в день", 3.0),
            ("два раза в неделю", 2.0 / 7.0),
            ("раз в день", 1.0),
            ("раз в неделю", 1.0 / 7.0),
            ("дважды в день", 2.0),
            ("каждый час", 24.0),
            ("каждые 2 часа", 12.0),
            ("каждый день", 1.0),
            ("раз в два дня", 0.5),
            ("несколько раз в день", 3.0),
            ("пару раз в месяц", 2.0 / 30.0),
            ("много раз в час", 144.0),
            ("ежедневно", 1.0),
            ("5-6 раз в день", 6.0),
            ("3р/день", 3.0),
            ("3 раза в течение дня", 3.0),
            ("то появляется, то пропадает", 4.0),
        ],
        &["постоянно", "всё время", "целый день", "без остановки"],
        &["иногда", "3 дня", "не каждый день"],
    );
}

#[test]
fn spanish_yes_and_no_at_a_red_flag_question() {
    check_red_flag_answers(
        "es",
        &[
            ("no sé", "unsure"),
            ("No lo sé", "unsure"),
            ("nose", "unsure"),
            ("quizás", "unsure"),
            ("quizas", "unsure"),
            ("tal vez", "unsure"),
            ("creo que sí", "unsure"),
            ("no estoy segura", "unsure"),
            ("no estoy seguro, la verdad", "unsure"),
            ("ni idea", "unsure"),
            ("no, no sé", "unsure"),
            ("no me acuerdo", "unsure"),
            ("un poco", "yes"),
            ("a veces", "yes"),
            ("sí", "yes"),
            ("Si", "yes"),
            ("claro", "yes"),
            ("no", "no"),
            ("No.", "no"),
            ("para nada", "no"),
            ("nop", "no"),
            ("no, ninguno", "no"),
            ("no, nada de eso, gracias", "no"),
            ("nunca", "reask"),
            ("no, ya se me pasó", "reask"),
        ],
    );
}

#[test]
fn russian_yes_and_no_at_a_red_flag_question() {
    check_red_flag_answers(
        "ru",
        &[
            ("не знаю", "unsure"),
            ("Не знаю.", "unsure"),
            ("незнаю", "unsure"),
            ("может быть", "unsure"),
            ("наверное", "unsure"),
            ("не уверена", "unsure"),
            ("не уверен", "unsure"),
            ("нет, не знаю", "unsure"),
            ("понятия не имею", "unsure"),
            ("вряд ли", "unsure"),
            ("кажется, да", "unsure"),
            ("не помню", "unsure"),
            ("немного", "yes"),
            ("иногда", "yes"),
            ("да", "yes"),
            ("Да!", "yes"),
            ("ага", "yes"),
            ("нет", "no"),
            ("Нет.", "no"),
            ("неа", "no"),
            ("нет, ничего такого", "no"),
            ("нет, спасибо", "no"),
            ("никогда", "reask"),
            ("нет, уже прошло", "reask"),
        ],
    );
}

#[test]
fn hedges_denied_and_confirmations() {
    let es = lexicon("es");
    let ru = lexicon("ru");
    let plain_es = yes_no_question(&es, false);
    let plain_ru = yes_no_question(&ru, false);
    assert_eq!(read_yes_no(&es, &plain_es, "no me duele"), "no");
    assert_eq!(read_yes_no(&es, &plain_es, "no, solo un poco"), "yes");
    assert_eq!(read_yes_no(&es, &plain_es, "no mucho"), "no");
    assert_eq!(read_yes_no(&ru, &plain_ru, "не болит"), "no");
    assert_eq!(read_yes_no(&ru, &plain_ru, "нет, немного"), "yes");
    assert_eq!(read_yes_no(&ru, &plain_ru, "не особо"), "no");
    assert_eq!(
        confirmation(&es, "no, empezó de repente hace una hora"),
        Some(true)
    );
    assert_eq!(confirmation(&es, "no"), Some(false));
    assert_eq!(confirmation(&es, "quizás"), Some(true));
    assert_eq!(
        confirmation(&ru, "нет, началось внезапно час назад"),
        Some(true)
    );
    assert_eq!(confirmation(&ru, "нет"), Some(false));
    assert_eq!(confirmation(&ru, "не знаю"), Some(true));
    assert!(clear_no(&es, "para nada"));
    assert!(!clear_no(&es, "no, no sé"));
    assert!(clear_no(&ru, "нет, ничего такого"));
    assert!(!clear_no(&ru, "нет, не знаю"));
}

/// Every word and phrase a language lists as uncertain, and every doubted
/// word after each negation, alone or after that language's plain no, is
/// never read as no at a red-flag question.
#[test]
fn uncertainty_is_never_a_no_in_any_language() {
    for lang in LANGUAGES {
        let lex = lexicon(lang);
        let node = yes_no_question(&lex, true);
        let no = lex.yes_no_defaults.no_label.to_lowercase();
        let words = &lex.yes_no;
        let mut doubts: Vec<String> = words.unsure.iter().map(str::to_string).collect();
        doubts.extend(words.unsure_phrases.written());
        for negation in words.negations.iter() {
            doubts.extend(words.doubted.iter().map(|d| format!("{negation} {d}")));
        }
        for doubt in doubts {
            for typed in [
                doubt.clone(),
                format!("{no}, {doubt}"),
                format!("{doubt}, {no}"),
            ] {
                let read = read_yes_no(&lex, &node, &typed);
                assert_eq!(read, "unsure", "{lang}: {typed:?} read as {read}");
            }
        }
    }
}
