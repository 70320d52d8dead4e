//! Cooldowns for the group commands anyone may repeat (/help, /about,
//! /tips): a person gets one answer per command every few minutes, and
//! silence in between, so one member cannot make the bot talk over a group.
//!
//! Kept in memory by the replica handling the group's lane: after a restart,
//! or when another replica takes the lane over, a repeat may be answered once more.

use std::collections::HashMap;
use std::sync::Mutex;

/// How long a person waits before the same command is answered again.
pub const COOLDOWN_MS: u64 = 5 * 60_000;

/// When each (group, person, command) was last answered.
#[derive(Default)]
pub struct Cooldowns {
    answered: Mutex<HashMap<(i64, i64, &'static str), u64>>,
}

impl Cooldowns {
    /// Whether to answer `command` from `person` in `group` at `now_ms`; an
    /// answer starts the person's cooldown for that command.
    pub fn allow(&self, group: i64, person: i64, command: &'static str, now_ms: u64) -> bool {
        let mut answered = self.answered.lock().unwrap_or_else(|e| e.into_inner());
        if answered.len() > 10_000 {
            answered.retain(|_, at| now_ms.saturating_sub(*at) < COOLDOWN_MS);
        }
        let key = (group, person, command);
        match answered.get(&key) {
            Some(at) if now_ms.saturating_sub(*at) < COOLDOWN_MS => false,
            _ => {
                answered.insert(key, now_ms);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_answer_per_person_and_command_until_the_cooldown_ends() {
        let cooldowns = Cooldowns::default();
        assert!(cooldowns.allow(-1, 7, "help", 0));
        assert!(!cooldowns.allow(-1, 7, "help", 1_000));
        assert!(cooldowns.allow(-1, 7, "tips", 1_000), "another command");
        assert!(cooldowns.allow(-1, 8, "help", 1_000), "another person");
        assert!(cooldowns.allow(-1, 7, "help", COOLDOWN_MS));
    }
}
