//! Our own pacing of messages to a platform's limits (its [`Limits`]; on
//! Telegram about one message a second per private chat with short bursts,
//! 20 a minute per group, about 30 a second for the whole bot). Each chat has its own budget,
//! so a chat that waits for its budget never holds up another chat; the
//! bot-wide budget is handed out in order of asking, so no chat starves.
//! With a shared store (Redis) the bot-wide budget lives there, shared by
//! every replica.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::message::ChatId;

/// A platform's message limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Per private chat.
    pub private: Rate,
    /// Per group.
    pub group: Rate,
    /// Bot-wide messages per second.
    pub global_per_second: u32,
    /// How many messages may go out at once before the bot-wide rate applies.
    pub global_burst: u32,
}

/// How often idle chats' budgets are swept out (every this many reservations).
const SWEEP_EVERY: u32 = 1024;

/// One message per `interval_ms`, with up to `burst` at once.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    interval_ms: u64,
    burst: u32,
}

impl Rate {
    /// One message every `interval_ms`, bursts of `burst`.
    pub const fn every(interval_ms: u64, burst: u32) -> Rate {
        Rate { interval_ms, burst }
    }

    /// `per_second` messages a second, bursts of `burst`.
    pub fn per_second(per_second: u32, burst: u32) -> Rate {
        Rate {
            interval_ms: 1000u64.div_ceil(u64::from(per_second.max(1))),
            burst: burst.max(1),
        }
    }
}

/// A generic cell rate algorithm budget: the theoretical time the next
/// message is due. Reserving moves it on, even when the caller must wait,
/// so callers are served in order.
#[derive(Debug, Clone, Copy, Default)]
struct Gcra {
    due_ms: u64,
}

impl Gcra {
    /// Reserves one message at `now_ms`; returns how long to wait first.
    fn reserve(&mut self, rate: Rate, now_ms: u64) -> u64 {
        let tolerance = rate.interval_ms * u64::from(rate.burst - 1);
        let due = self.due_ms.max(now_ms);
        let wait = due.saturating_sub(tolerance).saturating_sub(now_ms);
        self.due_ms = due + rate.interval_ms;
        wait
    }
}

/// Budgets for every chat and the bot, in this process.
pub struct Pacing {
    on: bool,
    limits: Limits,
    global: Rate,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    chats: HashMap<i64, Gcra>,
    global: Gcra,
    since_sweep: u32,
}

impl Pacing {
    /// Pacing to `limits` (`on`), or none (benchmarks against a fake API).
    pub fn new(on: bool, limits: Limits) -> Pacing {
        Pacing {
            on,
            limits,
            global: Rate::per_second(limits.global_per_second, limits.global_burst),
            state: Mutex::default(),
        }
    }

    /// The limits it paces to.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Whether messages are paced at all.
    pub fn on(&self) -> bool {
        self.on
    }

    /// Reserves one message to `chat`; returns how long to wait before sending it.
    pub fn reserve_chat(&self, chat: i64, now_ms: u64) -> u64 {
        if !self.on {
            return 0;
        }
        let rate = if ChatId(chat).is_group() {
            self.limits.group
        } else {
            self.limits.private
        };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.since_sweep += 1;
        if state.since_sweep >= SWEEP_EVERY {
            state.since_sweep = 0;
            state.chats.retain(|_, g| g.due_ms > now_ms);
        }
        state.chats.entry(chat).or_default().reserve(rate, now_ms)
    }

    /// Reserves one message of the bot-wide budget in this process.
    pub fn reserve_global(&self, now_ms: u64) -> u64 {
        if !self.on {
            return 0;
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let rate = self.global;
        state.global.reserve(rate, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Telegram's, as its edge sets them.
    const LIMITS: Limits = Limits {
        private: Rate::every(1000, 3),
        group: Rate::every(3000, 3),
        global_per_second: 30,
        global_burst: 5,
    };

    #[test]
    fn a_private_chat_gets_a_burst_then_one_a_second() {
        let pacing = Pacing::new(true, LIMITS);
        let waits: Vec<u64> = (0..5).map(|_| pacing.reserve_chat(7, 10_000)).collect();
        assert_eq!(waits, vec![0, 0, 0, 1000, 2000]);
        assert_eq!(
            pacing.reserve_chat(8, 10_000),
            0,
            "another chat is not held up"
        );
    }

    #[test]
    fn groups_get_twenty_a_minute() {
        let pacing = Pacing::new(true, LIMITS);
        let waits: Vec<u64> = (0..5).map(|_| pacing.reserve_chat(-5, 0)).collect();
        assert_eq!(waits, vec![0, 0, 0, 3000, 6000]);
    }

    #[test]
    fn the_bot_wide_budget_holds_thirty_a_second() {
        let pacing = Pacing::new(true, LIMITS);
        let waits: Vec<u64> = (0..60).map(|_| pacing.reserve_global(0)).collect();
        // 60 messages at once: the last goes out within about two seconds.
        assert_eq!(waits[..5], [0, 0, 0, 0, 0]);
        assert!(waits[59] >= 1800 && waits[59] <= 2000, "{}", waits[59]);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "served in order");
    }

    #[test]
    fn off_means_no_waiting() {
        let pacing = Pacing::new(false, LIMITS);
        assert!((0..100).all(|_| pacing.reserve_chat(1, 0) == 0 && pacing.reserve_global(0) == 0));
    }
}
