//! Records in a map behind a mutex: nothing survives a restart.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use super::{ChatRecord, GroupSettings, Stored};

/// An in-process store.
#[derive(Clone, Default)]
pub struct MemoryStore {
    records: Arc<Mutex<HashMap<i64, Stored>>>,
    groups: Arc<Mutex<HashMap<i64, GroupSettings>>>,
    tip_slots: Arc<Mutex<HashSet<(i64, u64)>>>,
}

impl MemoryStore {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Stored>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn claim_tip_slot(&self, chat: i64, slot: u64) -> bool {
        self.tip_slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((chat, slot))
    }

    fn group_map(&self) -> std::sync::MutexGuard<'_, HashMap<i64, GroupSettings>> {
        self.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn group(&self, chat: i64) -> Option<GroupSettings> {
        self.group_map().get(&chat).cloned()
    }

    pub(super) fn save_group(&self, chat: i64, settings: &GroupSettings) {
        self.group_map().insert(chat, settings.clone());
    }

    pub(super) fn delete_group(&self, chat: i64) {
        self.group_map().remove(&chat);
    }

    pub(super) fn groups(&self) -> Vec<(i64, GroupSettings)> {
        self.group_map()
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect()
    }

    pub(super) fn load(&self, chat: i64) -> Option<Stored> {
        self.map().get(&chat).cloned()
    }

    pub(super) fn save_if(&self, chat: i64, record: &ChatRecord, expected: u64) -> Option<u64> {
        let mut map = self.map();
        let current = map.get(&chat).map_or(0, |s| s.rev);
        if current != expected {
            return None;
        }
        let rev = expected + 1;
        map.insert(
            chat,
            Stored {
                record: record.clone(),
                rev,
            },
        );
        Some(rev)
    }

    pub(super) fn delete(&self, chat: i64) {
        self.map().remove(&chat);
    }

    pub(super) fn purge_idle(&self, cutoff_ms: u64) -> usize {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, s| s.record.session.updated_ms >= cutoff_ms);
        before - map.len()
    }
}
