//! Random faults at a rate, as Telegram or the network sometimes has them.

use std::collections::HashMap;

/// A way the fake can misbehave, like Telegram or the network sometimes does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500 before acting.
    Status500,
    /// HTTP 502 before acting.
    Status502,
    /// 429 with `retry_after: 1`, before acting.
    TooManyRequests,
    /// Acts, then answers later than the client waits.
    Slow,
    /// Acts, then drops the connection mid-answer.
    Dropped,
    /// Acts, then answers with its real answer cut in half (broken JSON that
    /// still holds what the message said).
    MalformedJson,
}

/// The calls that send something to a person: an outage of sending refuses
/// them, and faults can be kept to them.
pub(crate) const SENDS: [&str; 3] = ["sendmessage", "editmessagetext", "answercallbackquery"];

/// Calls no fault touches: start-up would stop, not retry.
const SPARED: [&str; 4] = ["getme", "setmycommands", "deletewebhook", "getwebhookinfo"];

/// Random faults at a rate, from a fixed seed (runs are repeatable).
#[derive(Debug, Clone)]
pub(crate) struct Faults {
    kinds: Vec<Fault>,
    per_mille: u64,
    /// Only sends meet faults (`getUpdates`, `setWebhook`… never do).
    sends_only: bool,
    state: u64,
    injected: HashMap<String, usize>,
}

impl Faults {
    /// About `per_mille`/1000 calls meet one of `kinds`.
    pub(crate) fn new(kinds: &[Fault], per_mille: u64, sends_only: bool) -> Faults {
        assert!(!kinds.is_empty(), "faults of no kind");
        Faults {
            kinds: kinds.to_vec(),
            per_mille,
            sends_only,
            state: 0x9E37_79B9_7F4A_7C15,
            injected: HashMap::new(),
        }
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A fault for this call of `method` (lowercased), or none.
    pub(crate) fn pick(&mut self, method: &str) -> Option<Fault> {
        let exposed = if self.sends_only {
            SENDS.contains(&method)
        } else {
            !SPARED.contains(&method)
        };
        if !exposed || self.next() % 1000 >= self.per_mille {
            return None;
        }
        let index = (self.next() % self.kinds.len() as u64) as usize;
        let fault = self.kinds[index];
        // getUpdates is asked again at once; teloxide would sleep 10 s on its 5xx.
        let polling_safe = matches!(fault, Fault::Dropped | Fault::MalformedJson);
        if method == "getupdates" && !polling_safe {
            return None;
        }
        *self.injected.entry(format!("{fault:?}")).or_default() += 1;
        Some(fault)
    }

    /// How many faults of each kind were injected.
    pub(crate) fn injected(&self) -> &HashMap<String, usize> {
        &self.injected
    }
}

#[cfg(test)]
mod tests {
    use super::{Fault, Faults};

    #[test]
    fn faults_come_at_about_their_rate_and_spare_start_up() {
        let mut faults = Faults::new(&[Fault::Status500, Fault::Status502], 100, false);
        let hit = (0..10_000)
            .filter(|_| faults.pick("sendmessage").is_some())
            .count();
        assert!((800..1200).contains(&hit), "{hit} of 10,000 at 10%");
        assert!((0..1000).all(|_| faults.pick("getme").is_none()));
        assert!((0..1000).all(|_| faults.pick("getupdates").is_none()));
        assert_eq!(faults.injected().values().sum::<usize>(), hit);
    }

    #[test]
    fn faults_on_sends_only_leave_everything_else() {
        let mut faults = Faults::new(&[Fault::Status502], 1000, true);
        for method in ["setwebhook", "getchatmember", "getupdates", "getme"] {
            assert_eq!(faults.pick(method), None, "{method}");
        }
        for method in ["sendmessage", "editmessagetext", "answercallbackquery"] {
            assert_eq!(faults.pick(method), Some(Fault::Status502), "{method}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_run() {
        let run = || {
            let mut faults = Faults::new(&[Fault::Slow, Fault::Dropped], 300, false);
            (0..200)
                .map(|_| faults.pick("sendmessage"))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }
}
