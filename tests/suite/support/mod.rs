//! What the suite's tests share, so no test file imports from another: the
//! repository's paths and dialogues (the shipped one, and the stable fixture
//! of tests that are not about the shipped content), the bot as a process
//! (long polling or webhook), a person's chat and a group as the bot shows
//! them, the stores read directly, simulated users, the bot's parts run
//! in-process, golden transcripts (`golden`) recorded and compared, and
//! bounded waits on a condition (`wait`). The
//! fake Bot API is the `fake_bot_api` crate.

mod backend;
mod bot_process;
pub mod golden;
mod group_view;
mod players;
mod reading;
mod redis_server;
mod repo;
mod runtime;
pub mod shipped;
pub mod stable;
mod transcript;
mod user_chat;
pub mod wait;
mod webhook_bot;

pub use backend::{Backend, holds, sqlite_bytes, sqlite_file, sqlite_url};
pub use bot_process::{BotProcess, TOKEN, TOKEN_SECRET, failed_start};
pub use group_view::{GroupView, messages_to};
pub use players::{KillDice, assert_all_finished, plan, play, repeated_messages, repeats_per_chat};
pub use reading::{TODAY_MS, reading};
pub use redis_server::{BOT_PREFIX, RedisServer};
pub use repo::{free_port, repo_path, root, temp_dir};
pub use runtime::{config, start_runtime};
pub use transcript::transcript;
pub use user_chat::{UserChat, start_on, start_with_sqlite};
pub use webhook_bot::{HOOK_PATH, HOOK_SECRET, WebhookBot, raw_update};
