//! Any text as an answer to every question of the shipped dialogue, and as a
//! duration or button data: parsers and the engine never panic.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nasal_twitch_bot::engine::{self, ButtonToken, Input, Position, Session};
use nasal_twitch_bot::script::{self, Script};

fn script() -> &'static Script {
    static SCRIPT: OnceLock<Script> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        let text = include_str!("../../dialogues/nasal_twitching.toml");
        script::load_str(Path::new("nasal_twitching.toml"), text).0.expect("shipped dialogue loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let script = script();
    let lex = &script.lexicon;
    let _ = engine::duration::parse_duration(lex, text, 20_000);
    let _ = engine::frequency::parse_rate(lex, text);
    let _ = engine::yes_no::leaning(lex, text);
    let _ = ButtonToken::decode(text);
    for node in &script.nodes {
        let _ = engine::parse::match_option(lex, node, text);
        let begun = engine::step(script, None, Input::Begin, 1).session.expect("a check begins");
        let at_node = Session {
            position: Position::Asking { node: node.id.clone() },
            ..begun
        };
        let step = engine::step(script, Some(at_node), Input::Text(text.to_string()), 2);
        let session = step.session.expect("a running check stays");
        assert!(session.fits(script));
        assert!(!step.replies.is_empty());
    }
});
