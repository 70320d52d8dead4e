//! Flood control: a person sending more than their limit of updates in a
//! minute (`BOT_FLOOD_LIMIT`, 30 by default) in one chat is noticed once,
//! then ignored until their minute is over. Counted per person and chat, so
//! a busy group is not one flooder and nobody else is slowed.

use std::collections::HashMap;
use std::sync::Mutex;

/// The window, in milliseconds.
pub const WINDOW_MS: u64 = 60_000;

/// What to do with one update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it.
    Allow,
    /// Drop it, and tell the chat once to slow down.
    Warn,
    /// Drop it silently.
    Drop,
}

/// Per-person, per-chat counters for the current window.
pub struct FloodGate {
    limit: u32,
    windows: Mutex<Windows>,
}

/// The counters, and when ended windows were last swept out.
#[derive(Default)]
struct Windows {
    by_sender: HashMap<(i64, i64), Window>,
    swept_ms: u64,
}

struct Window {
    started_ms: u64,
    count: u32,
}

impl FloodGate {
    /// A gate letting each person send `limit` updates a window in each chat.
    pub fn new(limit: u32) -> FloodGate {
        FloodGate {
            limit,
            windows: Mutex::default(),
        }
    }

    /// Counts an update from `person` in `chat` at `now_ms` and says what to do with it.
    pub fn check(&self, chat: i64, person: i64, now_ms: u64) -> Verdict {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        // Once a window, not per update: a sweep walks every chat.
        if now_ms.saturating_sub(windows.swept_ms) >= WINDOW_MS {
            windows
                .by_sender
                .retain(|_, w| now_ms.saturating_sub(w.started_ms) < WINDOW_MS);
            windows.swept_ms = now_ms;
        }
        let window = windows.by_sender.entry((chat, person)).or_insert(Window {
            started_ms: now_ms,
            count: 0,
        });
        if now_ms.saturating_sub(window.started_ms) >= WINDOW_MS {
            *window = Window {
                started_ms: now_ms,
                count: 0,
            };
        }
        window.count = window.count.saturating_add(1);
        match window.count {
            n if n <= self.limit => Verdict::Allow,
            n if n == self.limit + 1 => Verdict::Warn,
            _ => Verdict::Drop,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_notice_then_silence_until_the_window_ends() {
        let gate = FloodGate::new(30);
        for i in 0..30 {
            assert_eq!(gate.check(1, 1, i), Verdict::Allow);
        }
        assert_eq!(gate.check(1, 1, 100), Verdict::Warn);
        assert_eq!(gate.check(1, 1, 200), Verdict::Drop);
        assert_eq!(
            gate.check(2, 2, 200),
            Verdict::Allow,
            "other chats are not slowed"
        );
        assert_eq!(gate.check(1, 1, WINDOW_MS + 1), Verdict::Allow);
    }

    #[test]
    fn each_member_of_a_group_has_their_own_window() {
        let gate = FloodGate::new(30);
        for member in 0..100 {
            assert_eq!(gate.check(-5, member, 0), Verdict::Allow);
        }
    }

    #[test]
    fn ended_windows_are_swept_out() {
        let gate = FloodGate::new(30);
        for chat in 0..100 {
            gate.check(chat, chat, 0);
        }
        gate.check(1, 1, 2 * WINDOW_MS);
        let windows = gate.windows.lock().unwrap();
        assert_eq!(
            windows.by_sender.len(),
            1,
            "only the chat active now is kept"
        );
    }
}
