//! What the bot said in a chat, printed for the record.

use fake_bot_api::FakeApi;

/// Prints what the bot said in `chat`, for the record (`--nocapture` shows it).
pub fn transcript(api: &FakeApi, chat: i64) {
    for call in api.calls().iter().filter(|c| c.chat() == Some(chat)) {
        let buttons: Vec<String> = call
            .labels()
            .into_iter()
            .flatten()
            .map(|label| format!("[{label}]"))
            .collect();
        let topic = call
            .topic()
            .map(|t| format!(" (topic {t})"))
            .unwrap_or_default();
        eprintln!(
            "bot {}{topic}: {} {}",
            call.method,
            call.text().replace('\n', " / "),
            buttons.join(" ")
        );
    }
}
