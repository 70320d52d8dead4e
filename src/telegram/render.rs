//! The core's messages as Bot API requests: our markup is Telegram's HTML
//! as it is (`parse_mode: HTML`), buttons become an inline keyboard whose
//! `callback_data` is the action's encoded form, and the link to a private
//! check becomes a deep link (`https://t.me/<bot>?start=check`).

use serde_json::{Value, json};

use crate::message::{Action, Button};

/// `reply_markup` for `buttons`; `None` without any.
pub fn keyboard(buttons: &[Vec<Button>], bot_username: &str) -> Option<Value> {
    if buttons.is_empty() {
        return None;
    }
    let rows: Vec<Vec<Value>> = buttons
        .iter()
        .map(|row| row.iter().map(|b| button(b, bot_username)).collect())
        .collect();
    Some(json!({ "inline_keyboard": rows }))
}

fn button(button: &Button, bot_username: &str) -> Value {
    match button.action.encode() {
        Some(data) => json!({ "text": button.label, "callback_data": data }),
        None => json!({ "text": button.label, "url": link(&button.action, bot_username) }),
    }
}

/// Where a link button goes.
fn link(action: &Action, bot_username: &str) -> String {
    match action {
        Action::OpenPrivateCheck => {
            match url::Url::parse(&format!("https://t.me/{bot_username}?start=check")) {
                Ok(url) => url.to_string(),
                Err(_) => "https://t.me/".to_string(),
            }
        }
        _ => "https://t.me/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Setting;

    #[test]
    fn buttons_carry_their_action_and_links_go_to_the_private_chat() {
        let rows = vec![
            vec![Button::new("Start", Action::Begin)],
            vec![
                Button::new("Daily", Action::Setting(Setting::TipsDaily)),
                Button::new("Open", Action::OpenPrivateCheck),
            ],
        ];
        assert_eq!(
            keyboard(&rows, "TwitchBot").unwrap(),
            json!({"inline_keyboard": [
                [{"text": "Start", "callback_data": "begin"}],
                [{"text": "Daily", "callback_data": "s:tips:daily"},
                 {"text": "Open", "url": "https://t.me/TwitchBot?start=check"}],
            ]})
        );
        assert_eq!(keyboard(&[], "TwitchBot"), None);
    }
}
