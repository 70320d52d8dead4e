//! Matrix rooms as the store's chats. A room id is text (`!abc:server`);
//! the store keys chats by number, so each room gets a stable one: a hash
//! of its id in a range of its own (never meeting Telegram's ids in a
//! shared store), positive for a direct chat (two members: a person and
//! the bot), negative for a room of several people. The way back, from a
//! chat to its room, is a table filled as rooms are seen (at start-up from
//! the rooms the bot has joined).

use std::collections::HashMap;
use std::sync::Mutex;

use matrix_sdk::ruma::{OwnedRoomId, RoomId};

/// Where Matrix chats start: far past any Telegram id (which stay below 2^45).
pub const BASE: i64 = 1 << 52;

/// Whether a chat id is a Matrix room's.
pub fn is_matrix(chat: i64) -> bool {
    chat.unsigned_abs() >= BASE as u64
}

/// The chat id of `room`, direct (`private`) or not.
pub fn chat_of(room: &RoomId, private: bool) -> i64 {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in room.as_str().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let id = BASE + (hash % (BASE as u64)) as i64;
    if private { id } else { -id }
}

/// Chats seen so far and their rooms.
#[derive(Default)]
pub struct Rooms {
    by_chat: Mutex<HashMap<i64, OwnedRoomId>>,
}

impl Rooms {
    /// Notes `room` as `chat`; returns the chat.
    pub fn note(&self, room: &RoomId, private: bool) -> i64 {
        let chat = chat_of(room, private);
        let mut by_chat = self.by_chat.lock().unwrap_or_else(|e| e.into_inner());
        by_chat.entry(chat).or_insert_with(|| room.to_owned());
        chat
    }

    /// The room of `chat`, if it was seen.
    pub fn room(&self, chat: i64) -> Option<OwnedRoomId> {
        let by_chat = self.by_chat.lock().unwrap_or_else(|e| e.into_inner());
        by_chat.get(&chat).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_has_one_id_per_kind_in_a_range_of_its_own() {
        let room = <&RoomId>::try_from("!abcdef:localhost").unwrap();
        let private = chat_of(room, true);
        assert_eq!(private, chat_of(room, true), "stable");
        assert_eq!(chat_of(room, false), -private);
        assert!(is_matrix(private) && is_matrix(-private));
        assert!(!is_matrix(-1_001_234_567_890) && !is_matrix(123_456_789));
        let other = <&RoomId>::try_from("!abcdeg:localhost").unwrap();
        assert_ne!(chat_of(other, true), private);
    }
}
