//! Records in a map behind a mutex: nothing survives a restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::{ChatRecord, GroupSettings};

/// An in-process store.
#[derive(Clone, Default)]
pub struct MemoryStore {
    records: Arc<Mutex<HashMap<i64, ChatRecord>>>,
    groups: Arc<Mutex<HashMap<i64, GroupSettings>>>,
}

impl MemoryStore {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<i64, ChatRecord>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
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

    pub(super) fn load(&self, chat: i64) -> Option<ChatRecord> {
        self.map().get(&chat).cloned()
    }

    pub(super) fn save(&self, chat: i64, record: &ChatRecord) {
        self.map().insert(chat, record.clone());
    }

    pub(super) fn delete(&self, chat: i64) {
        self.map().remove(&chat);
    }

    pub(super) fn purge_idle(&self, cutoff_ms: u64) -> usize {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, r| r.session.updated_ms >= cutoff_ms);
        before - map.len()
    }
}
