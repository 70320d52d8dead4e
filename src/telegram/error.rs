//! Why Telegram could not be served: one typed error for its start-up,
//! worded for the operator by the CLI (never holding the token).

/// Why Telegram could not be served.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
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
