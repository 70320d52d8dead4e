//! A person's twitch diary as data: the episodes they logged, with what came
//! with them, counted by day for the chart and for the follow-up's
//! persistence rule. It holds health data, so it is small, bounded and
//! kept only as long as the dialogue's `keep_days` after the last entry.

use serde::{Deserialize, Serialize};

pub mod chart;

/// One day in milliseconds.
pub const DAY_MS: u64 = 86_400_000;

/// The most entries kept: the oldest go first beyond it.
pub const MAX_ENTRIES: usize = 2_000;

/// The longest note kept with an entry, in characters.
pub const MAX_NOTE: usize = 300;

/// The most episodes one entry records ("twitched 500 times" is kept as this).
pub const MAX_COUNT: u32 = 100;

/// A chat's diary: its entries, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Log {
    /// The episodes logged.
    pub entries: Vec<Entry>,
    /// The id the next entry gets.
    pub next_id: u32,
    /// When an entry was last added (or the diary started): retention counts from here.
    pub touched_ms: u64,
}

/// One log: how many episodes, when, with what, and the person's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Names the entry in its tag buttons.
    pub id: u32,
    /// When the episodes happened (ms since the epoch, UTC).
    pub at_ms: u64,
    /// How many episodes.
    pub count: u32,
    /// Tag ids from the dialogue's `[diary]` that came with them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// What the person wrote with the log, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Episodes counted over a stretch of time (a follow-up the diary
/// answered keeps it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Episodes in all.
    pub episodes: u64,
    /// Calendar days (UTC) with at least one.
    pub days: u64,
}

/// One calendar day of the diary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Day {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// Episodes logged on it.
    pub episodes: u32,
    /// Tag ids marked on its entries, each once, in first-marked order.
    pub tags: Vec<String>,
}

/// The day (since the epoch, UTC) `ms` falls on.
pub fn day_of(ms: u64) -> i64 {
    (ms / DAY_MS) as i64
}

impl Log {
    /// A diary started at `now_ms`, with no entries. Its entry ids start
    /// from the second it started, so a tag button under a log of an
    /// earlier diary (before `/forget`) names no entry of this one.
    pub fn started(now_ms: u64) -> Log {
        Log {
            touched_ms: now_ms,
            next_id: (now_ms / 1000) as u32,
            ..Log::default()
        }
    }

    /// Records `count` episodes at `at_ms` (logged at `now_ms`) with an
    /// optional note, and returns the entry's id. Counts are kept within
    /// 1..=[`MAX_COUNT`], notes within [`MAX_NOTE`] characters, and past
    /// [`MAX_ENTRIES`] the oldest entry goes.
    pub fn add(&mut self, at_ms: u64, count: u32, note: Option<&str>, now_ms: u64) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(MAX_NOTE).collect());
        let entry = Entry {
            id,
            at_ms,
            count: count.clamp(1, MAX_COUNT),
            tags: Vec::new(),
            note,
        };
        // Kept in time order: a log for yesterday goes before today's.
        let at = self.entries.partition_point(|e| e.at_ms <= at_ms);
        self.entries.insert(at, entry);
        if self.entries.len() > MAX_ENTRIES {
            self.entries.remove(0);
        }
        self.touched_ms = now_ms;
        id
    }

    /// The entry with this id.
    pub fn entry(&self, id: u32) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Marks `tag` on entry `id`, or unmarks it when marked; false when
    /// there is no such entry (deleted, or from an earlier diary).
    pub fn toggle(&mut self, id: u32, tag: &str) -> bool {
        let Some(entry) = self.entries.iter_mut().find(|e| e.id == id) else {
            return false;
        };
        match entry.tags.iter().position(|t| t == tag) {
            Some(at) => {
                entry.tags.remove(at);
            }
            None => entry.tags.push(tag.to_string()),
        }
        true
    }

    /// Episodes and days with episodes at or after `from_ms`.
    pub fn since(&self, from_ms: u64) -> Tally {
        let mut tally = Tally::default();
        let mut last_day = None;
        for entry in self.entries.iter().filter(|e| e.at_ms >= from_ms) {
            tally.episodes += u64::from(entry.count);
            let day = day_of(entry.at_ms);
            if last_day != Some(day) {
                tally.days += 1;
                last_day = Some(day);
            }
        }
        tally
    }

    /// The days from `first` to `last` (inclusive) that have entries.
    pub fn days(&self, first: i64, last: i64) -> Vec<Day> {
        let mut days: Vec<Day> = Vec::new();
        for entry in &self.entries {
            let day = day_of(entry.at_ms);
            if day < first || day > last {
                continue;
            }
            if days.last().is_none_or(|d| d.day != day) {
                days.push(Day {
                    day,
                    ..Day::default()
                });
            }
            if let Some(current) = days.last_mut() {
                current.episodes = current.episodes.saturating_add(entry.count);
                for tag in &entry.tags {
                    if !current.tags.contains(tag) {
                        current.tags.push(tag.clone());
                    }
                }
            }
        }
        days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 20_000 * DAY_MS + 10 * 3_600_000;

    #[test]
    fn entries_stay_in_time_order_and_count_by_day() {
        let mut log = Log::started(NOW);
        let first = log.add(NOW, 3, Some("  after coffee "), NOW);
        log.add(NOW - DAY_MS, 1, None, NOW);
        let today = log.add(NOW + 60_000, 2, Some(""), NOW);
        assert!(log.toggle(today, "stress"));
        assert!(log.toggle(first, "caffeine"));
        assert_eq!(log.entries[0].at_ms, NOW - DAY_MS);
        assert_eq!(
            log.entry(first).unwrap().note.as_deref(),
            Some("after coffee")
        );
        assert_eq!(log.entry(today).unwrap().note, None);
        assert_eq!(
            log.since(NOW - 2 * DAY_MS),
            Tally {
                episodes: 6,
                days: 2
            }
        );
        assert_eq!(log.since(NOW).days, 1);
        let days = log.days(day_of(NOW) - 5, day_of(NOW));
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].episodes, 5);
        assert_eq!(days[1].tags, vec!["caffeine", "stress"]);
        assert!(log.toggle(today, "stress"), "a second press unmarks");
        assert!(log.entry(today).unwrap().tags.is_empty());
        assert!(
            !log.toggle(first.wrapping_sub(1), "stress"),
            "no such entry"
        );
        // After /forget, a new diary an hour later names other entries.
        let later = Log::started(NOW + 3_600_000);
        assert!(log.entries.iter().all(|e| e.id != later.next_id));
    }

    #[test]
    fn it_is_bounded() {
        let mut log = Log::started(NOW);
        for i in 0..(MAX_ENTRIES as u64 + 5) {
            log.add(NOW + i, 1_000, Some(&"x".repeat(1_000)), NOW);
        }
        assert_eq!(log.entries.len(), MAX_ENTRIES);
        assert_eq!(log.entries[0].at_ms, NOW + 5, "the oldest went first");
        assert_eq!(log.entries[0].count, MAX_COUNT);
        assert_eq!(
            log.entries[0].note.as_ref().unwrap().chars().count(),
            MAX_NOTE
        );
    }
}
