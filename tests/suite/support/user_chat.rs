//! One person's private chat with the bot, read in order, and starting the
//! bot for such chats.

use std::path::Path;

use fake_bot_api::{Call, FakeApi};

use super::{Backend, BotProcess, sqlite_url, temp_dir};

/// One user's private chat, reading the bot's calls in order.
pub struct UserChat {
    api: FakeApi,
    id: i64,
    seen: usize,
}

impl UserChat {
    /// The chat of user `id`, read from the bot's first call on.
    pub fn new(api: &FakeApi, id: i64) -> UserChat {
        UserChat {
            api: api.clone(),
            id,
            seen: 0,
        }
    }

    /// The user types `text`.
    pub fn say(&self, text: &str) {
        self.api.send_text(self.id, text);
    }

    /// The next message to this chat whose text contains `text`.
    pub async fn expect(&mut self, text: &str) -> Call {
        let id = self.id;
        let (index, call) = self
            .api
            .wait_for(self.seen, text, |c| {
                c.method == "sendmessage" && c.chat() == Some(id) && c.text().contains(text)
            })
            .await;
        self.seen = index + 1;
        call
    }

    /// The next call of `method` to this chat (or naming no chat).
    pub async fn expect_call(&mut self, method: &str) -> Call {
        let id = self.id;
        let (index, call) = self
            .api
            .wait_for(self.seen, method, |c| {
                c.method == method && (c.chat() == Some(id) || c.chat().is_none())
            })
            .await;
        self.seen = index + 1;
        call
    }

    /// Presses the button `label` of the question message `question`.
    pub async fn press(&mut self, question: &Call, label: &str) {
        let data = question
            .button(label)
            .unwrap_or_else(|| panic!("no button {label:?} in {}", question.body));
        self.api.press(self.id, question.message_id.unwrap(), &data);
        let answered = self.expect_call("answercallbackquery").await;
        assert!(
            answered.body.get("text").is_none(),
            "a live press gets no notice: {}",
            answered.body
        );
    }

    /// Answers each question by button, checking the answered message is edited.
    pub async fn answer_by_buttons(&mut self, steps: &[(&str, &str)]) {
        for (question, label) in steps {
            let asked = self.expect(question).await;
            assert!(asked.has_keyboard(), "{question} has buttons");
            self.press(&asked, label).await;
            let edited = self.expect_call("editmessagetext").await;
            assert_eq!(edited.body["message_id"].as_i64(), asked.message_id);
            assert!(
                edited.text().contains(&format!("✓ <b>{label}</b>")),
                "{}",
                edited.text()
            );
            assert!(
                !edited.has_keyboard(),
                "the keyboard is removed once answered"
            );
        }
    }

    /// Answers each question by typing.
    pub async fn answer_by_typing(&mut self, steps: &[(&str, &str)]) {
        for (question, answer) in steps {
            self.expect(question).await;
            self.say(answer);
        }
    }
}

/// A fake API and the bot on `dialogues` with a SQLite file in a fresh folder.
pub async fn start_with_sqlite(dialogues: &Path) -> (FakeApi, tempfile::TempDir, BotProcess) {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let bot = BotProcess::start(&api, &sqlite_url(dir.path()), dialogues);
    (api, dir, bot)
}

/// A fake API and the bot on `dialogues`, keeping checks in `backend`.
pub async fn start_on(backend: &Backend, dialogues: &Path) -> (FakeApi, BotProcess) {
    let api = FakeApi::start().await;
    let bot = BotProcess::start(&api, &backend.url(), dialogues);
    (api, bot)
}
