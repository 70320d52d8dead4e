//! What people do, as the updates Telegram would send for it: type, press
//! buttons, edit, send stickers, join and run groups.

use serde_json::{Value, json};

use crate::{BOT_ID, BOT_USERNAME, FakeApi};

/// The chat an update comes from (a message, an edit, a button press, the
/// bot's membership changing), if it names one.
pub fn update_chat(update: &Value) -> Option<i64> {
    [
        "message",
        "edited_message",
        "callback_query/message",
        "my_chat_member",
    ]
    .iter()
    .find_map(|at| update.pointer(&format!("/{at}/chat/id")))
    .and_then(Value::as_i64)
}

impl FakeApi {
    /// The user types `text`; returns the update's id.
    pub fn send_text(&self, chat: i64, text: &str) -> i64 {
        let message = self.user_message(chat, json!({ "text": text }));
        self.push("message", message)
    }

    /// The user sends a sticker; returns the update's id.
    pub fn send_sticker(&self, chat: i64) -> i64 {
        let sticker = json!({ "sticker": {
            "file_id": "sticker-file", "file_unique_id": "sticker-unique",
            "width": 512, "height": 512, "is_animated": false, "is_video": false, "type": "regular"
        }});
        let message = self.user_message(chat, sticker);
        self.push("message", message)
    }

    /// The user edits an earlier message to `text`; returns the update's id.
    pub fn edit_text(&self, chat: i64, text: &str) -> i64 {
        let message = self.user_message(chat, json!({ "text": text, "edit_date": 1_790_000_100 }));
        self.push("edited_message", message)
    }

    /// The user presses a button with `data` under the bot's message
    /// `message_id`; returns the update's id.
    pub fn press(&self, chat: i64, message_id: i64, data: &str) -> i64 {
        let message = json!({
            "message_id": message_id,
            "date": 1_790_000_000,
            "chat": chat_of(chat),
            "from": { "id": BOT_ID, "is_bot": true, "first_name": "Bot" },
            "text": "question"
        });
        self.press_under(chat, chat, message, data)
    }

    /// `user` writes `text` in `group`, in forum topic `topic` if given.
    pub fn group_text(&self, group: i64, user: i64, text: &str, topic: Option<i32>) {
        let message = self.group_message(group, Some(user), topic, json!({ "text": text }));
        self.push("message", message);
    }

    /// An anonymous admin (posting as the group) writes `text`.
    pub fn anonymous_admin_text(&self, group: i64, text: &str) {
        let mut message = self.group_message(group, None, None, json!({ "text": text }));
        message["sender_chat"] = group_chat(group);
        message["from"] = json!({ "id": 1_087_968_824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot" });
        self.push("message", message);
    }

    /// Members join `group` (one service message listing them).
    pub fn join(&self, group: i64, members: &[(i64, &str)]) {
        let users: Vec<Value> = members
            .iter()
            .map(|(id, name)| json!({ "id": id, "is_bot": false, "first_name": name }))
            .collect();
        let message = self.group_message(
            group,
            Some(members[0].0),
            None,
            json!({ "new_chat_members": users }),
        );
        self.push("message", message);
    }

    /// `group` is upgraded to the supergroup `to`.
    pub fn migrate(&self, group: i64, to: i64) {
        let message = self.group_message(group, Some(1), None, json!({ "migrate_to_chat_id": to }));
        self.push("message", message);
    }

    /// The bot is added to (`true`) or removed from (`false`) `group`.
    pub fn bot_membership(&self, group: i64, added: bool) {
        let bot = json!({ "id": BOT_ID, "is_bot": true, "first_name": "Twitch Bot", "username": BOT_USERNAME });
        let (old, new) = if added {
            ("left", "member")
        } else {
            ("member", "left")
        };
        self.push(
            "my_chat_member",
            json!({
                "chat": group_chat(group),
                "from": { "id": 1, "is_bot": false, "first_name": "Admin" },
                "date": 1_790_000_000,
                "old_chat_member": { "user": bot, "status": old },
                "new_chat_member": { "user": bot, "status": new },
            }),
        );
    }

    /// `user` presses a button with `data` under the bot's group message `message_id`.
    pub fn press_in_group(
        &self,
        group: i64,
        user: i64,
        message_id: i64,
        data: &str,
        topic: Option<i32>,
    ) {
        let mut message = json!({
            "message_id": message_id,
            "date": 1_790_000_000,
            "chat": group_chat(group),
            "from": { "id": BOT_ID, "is_bot": true, "first_name": "Bot" },
            "text": "settings"
        });
        if let Some(topic) = topic {
            message["message_thread_id"] = json!(topic);
            message["is_topic_message"] = json!(true);
        }
        self.press_under(group, user, message, data);
    }

    /// `user` presses a button with `data` under the bot's `message` in
    /// `chat`; the answer to the press is then known to be for `chat`.
    fn press_under(&self, chat: i64, user: i64, message: Value, data: &str) -> i64 {
        let id = self.with(|inner| {
            let id = format!("cq{}", inner.next_update_id);
            inner.presses.insert(id.clone(), chat);
            id
        });
        let name = if chat == user { "Tester" } else { "Member" };
        let query = json!({
            "id": id,
            "from": self.person(user, name),
            "chat_instance": format!("ci{chat}"),
            "data": data,
            "message": message,
        });
        self.push("callback_query", query)
    }

    /// From now on `user`'s updates say their Telegram is in `language`
    /// (`language_code`, e.g. `es` or `pt-br`).
    pub fn set_language(&self, user: i64, language: &str) {
        self.with(|inner| inner.languages.insert(user, language.to_string()));
    }

    /// The `from` of `user`'s updates, with their language when set.
    fn person(&self, user: i64, name: &str) -> Value {
        let mut from = json!({ "id": user, "is_bot": false, "first_name": name });
        if let Some(language) = self.with(|inner| inner.languages.get(&user).cloned()) {
            from["language_code"] = json!(language);
        }
        from
    }

    fn user_message(&self, chat: i64, extra: Value) -> Value {
        let from = self.person(chat, "Tester");
        self.incoming(chat_of(chat), from, None, extra)
    }

    fn group_message(
        &self,
        group: i64,
        user: Option<i64>,
        topic: Option<i32>,
        extra: Value,
    ) -> Value {
        let from = json!({ "id": user.unwrap_or(1), "is_bot": false, "first_name": "Member" });
        self.incoming(group_chat(group), from, topic, extra)
    }

    /// A message from a user, with a fresh id, in `chat` (and forum `topic`).
    fn incoming(&self, chat: Value, from: Value, topic: Option<i32>, extra: Value) -> Value {
        let id = self.with(|inner| {
            inner.next_message_id += 1;
            inner.next_message_id
        });
        let mut message =
            json!({ "message_id": id, "date": 1_790_000_000, "chat": chat, "from": from });
        if let Some(topic) = topic {
            message["message_thread_id"] = json!(topic);
            message["is_topic_message"] = json!(true);
        }
        if let (Some(m), Some(e)) = (message.as_object_mut(), extra.as_object()) {
            m.extend(e.clone());
        }
        message
    }
}

/// A forum supergroup's chat object.
pub(crate) fn group_chat(id: i64) -> Value {
    json!({ "id": id, "type": "supergroup", "title": "Support group", "is_forum": true })
}

/// The chat object of `id`: a group below zero, else a private chat.
pub(crate) fn chat_of(id: i64) -> Value {
    if id < 0 {
        group_chat(id)
    } else {
        json!({ "id": id, "type": "private", "first_name": "Tester" })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::update_chat;

    #[test]
    fn every_kind_of_update_names_its_chat() {
        let chat = json!({ "chat": { "id": -5 } });
        for kind in ["message", "edited_message", "my_chat_member"] {
            assert_eq!(update_chat(&json!({ kind: chat })), Some(-5), "{kind}");
        }
        let press = json!({ "callback_query": { "message": { "chat": { "id": 9 } } } });
        assert_eq!(update_chat(&press), Some(9));
        assert_eq!(update_chat(&json!({ "poll": {} })), None);
    }
}
