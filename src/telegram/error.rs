//! Why the Telegram bot could not run: one typed error for start-up, worded
//! for the operator by the CLI (never holding the token).

/// Why the bot could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The dialogue or the store could not be made ready.
    #[error(transparent)]
    Load(#[from] crate::conversation::LoadFailure),
    /// Stop signals cannot be listened for.
    #[error("cannot listen for SIGTERM/SIGINT: {0}")]
    Signals(std::io::Error),
    /// Telegram did not answer who the bot is.
    #[error("cannot reach the Telegram Bot API (is TELOXIDE_TOKEN right?): {0}")]
    Unreachable(String),
    /// An address to serve cannot be listened on.
    #[error("cannot listen on {addr} ({setting}): {error}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// The setting that names it.
        setting: &'static str,
        /// The operating system's reason.
        error: std::io::Error,
    },
    /// Telegram refused the webhook.
    #[error("setWebhook failed: {0}")]
    SetWebhook(String),
}
