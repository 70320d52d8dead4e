//! One call the bot made, as the fake recorded it.

use serde_json::Value;

/// One call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    /// Method name, lowercased (`sendmessage`).
    pub method: String,
    /// The parameters: the JSON body, form fields (values that parse as JSON
    /// taken as JSON), or a multipart body as text under `_raw`.
    pub body: Value,
    /// The message id the fake gave a sent message.
    pub message_id: Option<i64>,
    /// For an answer to a button press, the chat the press came from.
    pub(crate) pressed_in: Option<i64>,
    /// Files uploaded with the call (a document, a photo): field and bytes.
    pub uploads: Vec<(String, Vec<u8>)>,
}

impl Call {
    /// The chat the call is for: its `chat_id`, or for an answer to a button
    /// press (which names only the query), the chat the press came from.
    pub fn chat(&self) -> Option<i64> {
        self.body
            .get("chat_id")
            .and_then(Value::as_i64)
            .or(self.pressed_in)
    }

    /// The forum topic the call posts in, if any.
    pub fn topic(&self) -> Option<i64> {
        self.body.get("message_thread_id").and_then(Value::as_i64)
    }

    /// The bytes of the file uploaded as `field` (`photo`, `document`).
    pub fn upload(&self, field: &str) -> Option<&[u8]> {
        self.uploads
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, bytes)| bytes.as_slice())
    }

    /// The message text, if any.
    pub fn text(&self) -> &str {
        self.body.get("text").and_then(Value::as_str).unwrap_or("")
    }

    /// Callback data of the button labelled `label`, if the call has one.
    pub fn button(&self, label: &str) -> Option<String> {
        self.button_field(label, "callback_data")
    }

    /// The URL of the button labelled `label`, if the call has one.
    pub fn url_button(&self, label: &str) -> Option<String> {
        self.button_field(label, "url")
    }

    fn button_field(&self, label: &str, field: &str) -> Option<String> {
        self.buttons()
            .find(|b| b.get("text").and_then(Value::as_str) == Some(label))
            .and_then(|b| b.get(field).and_then(Value::as_str))
            .map(str::to_string)
    }

    /// The button labels of the inline keyboard, row by row (empty without one).
    pub fn labels(&self) -> Vec<Vec<String>> {
        self.rows()
            .map(|row| {
                let buttons = row.as_array().into_iter().flatten();
                let label = |b: &Value| b["text"].as_str().unwrap_or("").to_string();
                buttons.map(label).collect()
            })
            .collect()
    }

    /// Whether the call carries an inline keyboard.
    pub fn has_keyboard(&self) -> bool {
        self.body.pointer("/reply_markup/inline_keyboard").is_some()
    }

    fn rows(&self) -> impl Iterator<Item = &Value> {
        let keyboard = self.body.pointer("/reply_markup/inline_keyboard");
        keyboard.and_then(Value::as_array).into_iter().flatten()
    }

    fn buttons(&self) -> impl Iterator<Item = &Value> {
        self.rows()
            .flat_map(|row| row.as_array().into_iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Call;

    fn call(body: serde_json::Value) -> Call {
        Call {
            method: "sendmessage".into(),
            body,
            message_id: Some(1),
            pressed_in: None,
            uploads: Vec::new(),
        }
    }

    #[test]
    fn buttons_are_found_by_label_and_listed_by_row() {
        let sent = call(json!({ "chat_id": 5, "reply_markup": { "inline_keyboard": [
            [{ "text": "Yes", "callback_data": "a:y" }, { "text": "No", "callback_data": "a:n" }],
            [{ "text": "Open", "url": "https://t.me/x" }],
        ]}}));
        assert_eq!(sent.button("No").as_deref(), Some("a:n"));
        assert_eq!(sent.url_button("Open").as_deref(), Some("https://t.me/x"));
        assert_eq!(sent.button("Maybe"), None);
        assert_eq!(sent.labels(), [vec!["Yes", "No"], vec!["Open"]]);
        assert!(sent.has_keyboard());
        assert!(call(json!({ "chat_id": 5 })).labels().is_empty());
    }

    #[test]
    fn an_answer_to_a_press_is_for_the_chat_it_came_from() {
        let mut answer = call(json!({ "callback_query_id": "cq1" }));
        assert_eq!(answer.chat(), None);
        answer.pressed_in = Some(7);
        assert_eq!(answer.chat(), Some(7));
        assert_eq!(call(json!({ "chat_id": 9 })).chat(), Some(9));
    }
}
