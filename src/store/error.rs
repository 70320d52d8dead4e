//! What kind of storage failure happened, so callers can tell one that
//! passes from one that does not. Each backend sorts its own errors into
//! these kinds (`sqlite::failed`, `redis::failed`); what is shared by all is
//! here.

use std::io;

use serde::Serialize;

/// A storage failure, by kind. Each carries a short reason for the log: what
/// was being done and the backend's words for what went wrong, never user
/// text or answers (values read from the store are not quoted).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached or cannot serve now: a connection
    /// refused, dropped or timed out, a busy or locked database, an I/O
    /// error, a full disk. The same call may work later.
    #[error("storage: {0}")]
    Unavailable(String),
    /// Stored data cannot be decoded: a damaged database file, a value of
    /// another type or form than this version writes. Reading it again
    /// gives the same.
    #[error("storage: {0}")]
    Unreadable(String),
    /// Writers racing for one chat exhausted their retries (a replica that
    /// lost its lease still writing). Passes once the other writer stops.
    #[error("storage: {0}")]
    Conflict(String),
    /// A value of ours could not be encoded for storing: it never will be.
    #[error("storage: {0}")]
    Encoding(String),
    /// The store cannot be used as configured: a URL that does not parse, a
    /// folder or file that cannot be made or secured, a read-only database,
    /// a refused password, a schema that cannot be brought up to date.
    /// Permanent until the configuration or the files are fixed.
    #[error("storage: {0}")]
    Setup(String),
    /// The backend refused an operation as it was given: a statement,
    /// script or constraint it rejects. A bug, or a store changed by hand;
    /// the same call fails the same way again.
    #[error("storage: {0}")]
    Refused(String),
}

impl StoreError {
    /// Whether the same call may succeed if it is made again later.
    ///
    /// Retry loops need it to tell a failure that passes (the backend is
    /// down, busy or slow; writers are racing) from one that fails the same
    /// way on every attempt (stored data that cannot be read, a value that
    /// cannot be encoded, a store set up wrongly, an operation the backend
    /// refuses): the first is worth trying again after a pause, the second
    /// only delays what follows it and is better set aside at once.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Conflict(_))
    }
}

/// An I/O failure on the store's own files (its folder, its database file)
/// while `what` was being done.
pub(super) fn io_failed(what: &str, e: &io::Error) -> StoreError {
    use io::ErrorKind as K;
    let kind = match e.kind() {
        K::TimedOut | K::Interrupted | K::WouldBlock | K::StorageFull | K::ResourceBusy => {
            StoreError::Unavailable
        }
        // Permission denied, a read-only file system, a path that is not a
        // folder: nothing that passes by itself.
        _ => StoreError::Setup,
    };
    kind(format!("{what}: {e}"))
}

/// `value` as JSON for storing; `what` names it for the log (the value
/// itself is never shown).
pub(super) fn encode<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Encoding(format!("cannot encode {what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value serde cannot write as JSON: a map whose keys are not strings.
    fn unencodable() -> std::collections::HashMap<(u8, u8), u8> {
        [((1, 2), 3)].into_iter().collect()
    }

    #[test]
    fn an_encoding_failure_is_permanent() {
        let e = encode(&unencodable(), "a test value").unwrap_err();
        assert!(matches!(e, StoreError::Encoding(_)), "{e:?}");
        assert!(!e.is_transient());
        assert!(
            e.to_string()
                .starts_with("storage: cannot encode a test value: "),
            "{e}"
        );
    }

    #[test]
    fn only_unavailable_and_conflict_are_transient() {
        let reason = || "why".to_string();
        assert!(StoreError::Unavailable(reason()).is_transient());
        assert!(StoreError::Conflict(reason()).is_transient());
        assert!(!StoreError::Unreadable(reason()).is_transient());
        assert!(!StoreError::Encoding(reason()).is_transient());
        assert!(!StoreError::Setup(reason()).is_transient());
        assert!(!StoreError::Refused(reason()).is_transient());
    }

    #[test]
    fn io_failures_that_pass_are_transient_and_the_rest_are_setup() {
        let failed = |kind| io_failed("cannot open a file", &io::Error::from(kind));
        assert!(failed(io::ErrorKind::TimedOut).is_transient());
        assert!(failed(io::ErrorKind::StorageFull).is_transient());
        let denied = failed(io::ErrorKind::PermissionDenied);
        assert!(matches!(denied, StoreError::Setup(_)), "{denied:?}");
        assert!(!denied.is_transient());
    }

    #[test]
    fn the_log_line_says_storage_and_the_reason() {
        let e = StoreError::Unavailable("cannot reach redis at redis://h:6379/0".to_string());
        assert_eq!(
            e.to_string(),
            "storage: cannot reach redis at redis://h:6379/0"
        );
    }
}
