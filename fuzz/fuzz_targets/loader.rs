//! Any text as a dialogue file: the loader reports problems, never panics.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (script, diagnostics) = nasal_twitch_bot::script::load_str(Path::new("fuzz.toml"), text);
        // A dialogue is returned exactly when nothing is an error.
        assert_eq!(script.is_some(), !diagnostics.iter().any(|d| d.is_error()));
    }
});
