//! Everything in maps behind one mutex: nothing survives a restart. The one
//! lock makes each operation atomic, as a SQLite transaction is.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::diary::Log;

use super::{
    ChatRecord, CheckWrite, Checks, Commit, Committed, Diaries, DiaryWrite, GroupSettings,
    GroupWrite, Groups, Inbox, InboxEntry, Loaded, NewEntry, Outbox, OutboxEntry, Outgoing,
    Pending, QuestionMessage, REMEMBER_MS, StoreResult, first_seq,
};

/// An in-process store.
#[derive(Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    checks: HashMap<i64, (ChatRecord, u64)>,
    questions: HashMap<i64, QuestionMessage>,
    groups: HashMap<i64, GroupSettings>,
    diaries: HashMap<i64, Log>,
    /// Remembered keys and when they were seen.
    seen: HashMap<String, u64>,
    /// Per chat, by sequence number.
    inbox: HashMap<i64, BTreeMap<u64, InboxEntry>>,
    outbox: HashMap<i64, BTreeMap<u64, Outgoing>>,
    next_seq: u64,
}

impl State {
    /// The next sequence number (the first counts on from [`first_seq`]).
    fn next_seq(&mut self) -> u64 {
        if self.next_seq == 0 {
            self.next_seq = first_seq();
        }
        self.next_seq += 1;
        self.next_seq
    }

    fn insert_entries(&mut self, entries: Vec<NewEntry>, now_ms: u64) -> Vec<i64> {
        let mut chats = Vec::new();
        for entry in entries {
            let fresh = self
                .seen
                .get(&entry.key)
                .is_none_or(|&at| at < now_ms.saturating_sub(REMEMBER_MS));
            if !fresh {
                continue;
            }
            self.seen.insert(entry.key, now_ms);
            let seq = self.next_seq();
            self.inbox.entry(entry.chat).or_default().insert(
                seq,
                InboxEntry {
                    seq,
                    chat: entry.chat,
                    not_before_ms: entry.not_before_ms,
                    event: entry.event,
                },
            );
            if !chats.contains(&entry.chat) {
                chats.push(entry.chat);
            }
        }
        chats
    }

    /// Removes one inbox entry (and the chat's map when it empties).
    fn take_entry(&mut self, chat: i64, seq: u64) {
        take(&mut self.inbox, chat, seq);
    }
}

/// Removes entry `seq` of `chat` from per-chat `entries`, and the chat's map
/// when it empties (so chats listed are those with entries).
fn take<T>(entries: &mut HashMap<i64, BTreeMap<u64, T>>, chat: i64, seq: u64) {
    if let Some(mine) = entries.get_mut(&chat) {
        mine.remove(&seq);
        if mine.is_empty() {
            entries.remove(&chat);
        }
    }
}

impl MemoryStore {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inbox for MemoryStore {
    async fn receive(&self, entries: Vec<NewEntry>, now_ms: u64) -> StoreResult<Vec<i64>> {
        Ok(self.lock().insert_entries(entries, now_ms))
    }

    async fn pending(&self, chat: i64, now_ms: u64) -> StoreResult<Pending> {
        let state = self.lock();
        let mine = state.inbox.get(&chat).into_iter().flat_map(|m| m.values());
        let mut pending = Pending::default();
        for entry in mine {
            if entry.not_before_ms <= now_ms {
                if pending.due.is_none() {
                    pending.due = Some(entry.clone());
                }
            } else {
                let at = entry.not_before_ms;
                pending.later_ms = Some(pending.later_ms.map_or(at, |t| t.min(at)));
            }
        }
        Ok(pending)
    }

    async fn discard(&self, chat: i64, seq: u64) -> StoreResult<()> {
        self.lock().take_entry(chat, seq);
        Ok(())
    }

    async fn chats_due(&self, now_ms: u64) -> StoreResult<Vec<i64>> {
        let state = self.lock();
        Ok(state
            .inbox
            .iter()
            .filter(|(_, m)| m.values().any(|e| e.not_before_ms <= now_ms))
            .map(|(chat, _)| *chat)
            .collect())
    }

    async fn forget_keys(&self, cutoff_ms: u64) -> StoreResult<usize> {
        let mut state = self.lock();
        let before = state.seen.len();
        state.seen.retain(|_, at| *at >= cutoff_ms);
        Ok(before - state.seen.len())
    }
}

impl Checks for MemoryStore {
    async fn load(&self, chat: i64) -> StoreResult<Loaded> {
        Ok(match self.lock().checks.get(&chat) {
            Some((record, rev)) => Loaded {
                record: Some(record.clone()),
                rev: *rev,
                unreadable: false,
            },
            None => Loaded::default(),
        })
    }

    async fn commit(&self, commit: Commit) -> StoreResult<Committed> {
        let mut state = self.lock();
        let known = state
            .inbox
            .get(&commit.chat)
            .is_some_and(|m| m.contains_key(&commit.seq));
        if !known {
            return Ok(Committed::AlreadyHandled);
        }
        match commit.check {
            CheckWrite::Keep => {}
            CheckWrite::Delete => {
                state.checks.remove(&commit.chat);
                state.questions.remove(&commit.chat);
                // Timed entries (a follow-up still to come) go with the check.
                if let Some(mine) = state.inbox.get_mut(&commit.chat) {
                    mine.retain(|seq, e| *seq == commit.seq || e.not_before_ms == 0);
                }
            }
            CheckWrite::Save { record, expected } => {
                let current = state.checks.get(&commit.chat).map_or(0, |(_, rev)| *rev);
                if current != expected {
                    return Ok(Committed::Conflict);
                }
                state.checks.insert(commit.chat, (record, expected + 1));
            }
        }
        state.take_entry(commit.chat, commit.seq);
        match commit.group {
            Some(GroupWrite::Save(settings)) => {
                state.groups.insert(commit.chat, settings);
            }
            Some(GroupWrite::Delete) => {
                state.groups.remove(&commit.chat);
            }
            Some(GroupWrite::Move { to }) if to == commit.chat => {}
            Some(GroupWrite::Move { to }) => {
                let settings = state.groups.remove(&commit.chat).unwrap_or_default();
                state.groups.insert(to, settings);
            }
            None => {}
        }
        match commit.diary {
            Some(DiaryWrite::Save { log, .. }) => {
                state.diaries.insert(commit.chat, log);
            }
            Some(DiaryWrite::Delete) => {
                state.diaries.remove(&commit.chat);
            }
            None => {}
        }
        if commit.clear_outbox {
            state.outbox.remove(&commit.chat);
        }
        for outgoing in commit.outgoing {
            let seq = state.next_seq();
            state
                .outbox
                .entry(commit.chat)
                .or_default()
                .insert(seq, outgoing);
        }
        state.insert_entries(commit.schedule, commit.now_ms);
        Ok(Committed::Done)
    }

    async fn purge_idle(&self, cutoff_ms: u64) -> StoreResult<usize> {
        let mut state = self.lock();
        let gone: Vec<i64> = state
            .checks
            .iter()
            .filter(|(_, (r, _))| r.session.keep_from_ms() < cutoff_ms)
            .map(|(chat, _)| *chat)
            .collect();
        for chat in &gone {
            state.checks.remove(chat);
            state.questions.remove(chat);
        }
        Ok(gone.len())
    }
}

/// The chat's oldest outbox entry.
fn next_out(state: &State, chat: i64) -> Option<OutboxEntry> {
    state
        .outbox
        .get(&chat)
        .and_then(|m| m.iter().next())
        .map(|(seq, outgoing)| OutboxEntry {
            seq: *seq,
            chat,
            outgoing: outgoing.clone(),
        })
}

impl Diaries for MemoryStore {
    async fn diary(&self, chat: i64) -> StoreResult<Option<Log>> {
        Ok(self.lock().diaries.get(&chat).cloned())
    }

    async fn purge_diaries(&self, cutoff_ms: u64) -> StoreResult<usize> {
        let mut state = self.lock();
        let before = state.diaries.len();
        state.diaries.retain(|_, log| log.touched_ms >= cutoff_ms);
        Ok(before - state.diaries.len())
    }
}

impl Outbox for MemoryStore {
    async fn head(&self, chat: i64) -> StoreResult<Option<OutboxEntry>> {
        Ok(next_out(&self.lock(), chat))
    }

    async fn ack(
        &self,
        chat: i64,
        seq: u64,
        question: Option<QuestionMessage>,
    ) -> StoreResult<Option<OutboxEntry>> {
        let mut state = self.lock();
        take(&mut state.outbox, chat, seq);
        if let Some(q) = question {
            state.questions.insert(chat, q);
        }
        Ok(next_out(&state, chat))
    }

    async fn drop_chat(&self, chat: i64) -> StoreResult<usize> {
        Ok(self.lock().outbox.remove(&chat).map_or(0, |m| m.len()))
    }

    async fn chats_waiting(&self) -> StoreResult<Vec<i64>> {
        Ok(self.lock().outbox.keys().copied().collect())
    }

    async fn question_message(&self, chat: i64) -> StoreResult<Option<QuestionMessage>> {
        Ok(self.lock().questions.get(&chat).cloned())
    }
}

impl Groups for MemoryStore {
    async fn group(&self, chat: i64) -> StoreResult<GroupSettings> {
        Ok(self.lock().groups.get(&chat).cloned().unwrap_or_default())
    }

    async fn save_group(&self, chat: i64, settings: &GroupSettings) -> StoreResult<()> {
        self.lock().groups.insert(chat, settings.clone());
        Ok(())
    }

    async fn groups_with_tips(&self) -> StoreResult<Vec<(i64, GroupSettings)>> {
        Ok(self
            .lock()
            .groups
            .iter()
            .filter(|(chat, g)| crate::message::ChatId(**chat).is_group() && g.tips.is_some())
            .map(|(chat, g)| (*chat, g.clone()))
            .collect())
    }
}
