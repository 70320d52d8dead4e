//! Telegram's updates as the core's events. Routing is dptree's, as
//! teloxide's own dispatching does it: each branch filters one kind of
//! update and maps it to an [`Incoming`]; the first that matches decides.
//! The update goes in shared (`Arc<Update>`), so trying a branch never
//! copies it: this runs once per update at intake, on the hot path.
//! Telegram's own addressing of commands (`/check@ThisBot`) is taken off
//! here, so the core reads commands the same on every platform.

use std::ops::ControlFlow;
use std::sync::{Arc, LazyLock};

use dptree::{Handler, di::DependencyMap};
use teloxide::types::{CallbackQuery, Chat, ChatMemberUpdated, Message, Update, UpdateKind, User};

use crate::message::{ChatKind, Incoming, MessageId, Person, What};

/// Who the bot is: its username, so commands addressed to it are read.
#[derive(Debug, Clone)]
pub struct Me {
    /// The bot's username, without `@`.
    pub username: String,
}

/// The chat whose lane handles an update: the chat it happened in; for a
/// button under a message too old to be included, the person's own
/// (private) chat; 0 when there is none.
pub fn chat_of(update: &Update) -> i64 {
    match &update.kind {
        UpdateKind::Message(m) | UpdateKind::EditedMessage(m) => m.chat.id.0,
        UpdateKind::MyChatMember(c) => c.chat.id.0,
        UpdateKind::CallbackQuery(q) => q
            .message
            .as_ref()
            .map_or(q.from.id.0 as i64, |m| m.chat().id.0),
        _ => 0,
    }
}

/// The routing table, built once.
static ROUTES: LazyLock<Handler<'static, Incoming>> = LazyLock::new(|| {
    dptree::entry()
        .branch(
            dptree::filter_map(|update: Arc<Update>, me: Arc<Me>| match &update.kind {
                UpdateKind::Message(msg) => Some(message(msg, &me)),
                _ => None,
            })
            .endpoint(done),
        )
        .branch(
            dptree::filter_map(|update: Arc<Update>| match &update.kind {
                UpdateKind::EditedMessage(msg) => Some(base(msg, What::Edited)),
                _ => None,
            })
            .endpoint(done),
        )
        .branch(
            dptree::filter_map(|update: Arc<Update>| match &update.kind {
                UpdateKind::CallbackQuery(query) => Some(press(query)),
                _ => None,
            })
            .endpoint(done),
        )
        .branch(
            dptree::filter_map(|update: Arc<Update>| match &update.kind {
                UpdateKind::MyChatMember(change) => Some(membership(change)),
                _ => None,
            })
            .endpoint(done),
        )
});

async fn done(incoming: Incoming) -> Incoming {
    incoming
}

/// The event an update stands for, in the chat [`chat_of`] names.
pub async fn decode(update: Update, me: &Arc<Me>) -> Incoming {
    let chat = chat_of(&update);
    let mut deps = DependencyMap::new();
    deps.insert(Arc::new(update));
    deps.insert(Arc::clone(me));
    match ROUTES.dispatch(deps).await {
        ControlFlow::Break(incoming) => incoming,
        ControlFlow::Continue(_) => Incoming {
            chat,
            kind: ChatKind::Other,
            from: None,
            as_chat: false,
            topic: None,
            what: What::Other,
        },
    }
}

fn kind(chat: &Chat) -> ChatKind {
    if chat.is_private() {
        ChatKind::Private
    } else if chat.is_group() || chat.is_supergroup() {
        ChatKind::Group
    } else {
        ChatKind::Other
    }
}

fn person(user: &User) -> Person {
    Person {
        id: user.id.0 as i64,
        language: user.language_code.clone(),
    }
}

/// The forum topic a message is in, so the reply lands beside it.
fn topic(msg: &Message) -> Option<i32> {
    msg.thread_id
        .filter(|_| msg.is_topic_message)
        .map(|t| t.0.0)
}

/// A command's text with our own username taken off (`/check@ThisBot x`
/// reads `/check x`); any other text as it is.
fn unaddressed(text: &str, me: &Me) -> String {
    if !text.starts_with('/') {
        return text.to_string();
    }
    let (head, args) = match text.split_once(' ') {
        Some((head, args)) => (head, Some(args)),
        None => (text, None),
    };
    let mut parts = head.split('@');
    let command = parts.next().unwrap_or(head);
    match parts.next() {
        Some(name) if name.eq_ignore_ascii_case(&me.username) => match args {
            Some(args) => format!("{command} {args}"),
            None => command.to_string(),
        },
        _ => text.to_string(),
    }
}

fn base(msg: &Message, what: What) -> Incoming {
    Incoming {
        chat: msg.chat.id.0,
        kind: kind(&msg.chat),
        from: msg.from.as_ref().map(person),
        as_chat: msg
            .sender_chat
            .as_ref()
            .is_some_and(|c| c.id == msg.chat.id),
        topic: topic(msg),
        what,
    }
}

fn message(msg: &Message, me: &Me) -> Incoming {
    let what = if let Some(to) = msg.migrate_to_chat_id() {
        What::MovedTo { chat: to.0 }
    } else if let Some(members) = msg.new_chat_members() {
        What::Joined {
            names: members
                .iter()
                .filter(|u| !u.is_bot)
                .map(|u| u.first_name.clone())
                .collect(),
        }
    } else if let Some(text) = msg.text() {
        What::Text {
            text: unaddressed(text, me),
        }
    } else {
        What::NotText
    };
    base(msg, what)
}

fn press(query: &CallbackQuery) -> Incoming {
    let regular = query.message.as_ref().and_then(|m| m.regular_message());
    let (chat, kind) = match &query.message {
        Some(m) => (m.chat().id.0, self::kind(m.chat())),
        // Too old to be included: a press in the person's own chat.
        None => (query.from.id.0 as i64, ChatKind::Private),
    };
    Incoming {
        chat,
        kind,
        from: Some(person(&query.from)),
        as_chat: false,
        topic: regular.and_then(topic),
        what: What::Press {
            id: query.id.0.clone(),
            data: query.data.clone().unwrap_or_default(),
            under_message: query.message.is_some(),
            message: regular.map(|m| MessageId(m.id.0.to_string())),
        },
    }
}

fn membership(change: &ChatMemberUpdated) -> Incoming {
    let was = change.old_chat_member.kind.is_present();
    let is = change.new_chat_member.kind.is_present();
    Incoming {
        chat: change.chat.id.0,
        kind: kind(&change.chat),
        from: Some(person(&change.from)),
        as_chat: false,
        topic: None,
        what: match (was, is) {
            (false, true) => What::BotAdded,
            (true, false) => What::BotRemoved,
            _ => What::Other,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_address_is_taken_off() {
        let me = Me {
            username: "TwitchBot".to_string(),
        };
        assert_eq!(unaddressed("/check@twitchbot", &me), "/check");
        assert_eq!(unaddressed("/start@TwitchBot check", &me), "/start check");
        assert_eq!(unaddressed("/check@OtherBot", &me), "/check@OtherBot");
        assert_eq!(unaddressed("hello @TwitchBot", &me), "hello @TwitchBot");
    }
}
