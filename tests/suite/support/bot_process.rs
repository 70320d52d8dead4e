//! The bot binary as a process of its own, against the fake Bot API: its
//! log captured, signalled and stopped as an operator would.

use std::future::ready;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use fake_bot_api::FakeApi;

use super::wait::{poll, poll_blocking};
use super::{stable, temp_dir};

/// A token shaped like a real one; it must never reach the logs.
pub const TOKEN: &str = "987654321:AAF-secret-TOKEN_for_tests_only-xyz";
/// The secret part of [`TOKEN`], looked for in logs.
pub const TOKEN_SECRET: &str = "AAF-secret-TOKEN_for_tests_only-xyz";

/// How long the log reader may take to reach the end of an exited bot's stderr.
const LOG_READ: Duration = Duration::from_secs(5);

/// The bot binary running against the fake API.
pub struct BotProcess {
    child: Child,
    log: Arc<Mutex<String>>,
    /// The thread copying stderr into `log`: finished once the process's
    /// stderr is closed and every line of it is in `log`.
    reader: JoinHandle<()>,
    /// The fake the bot talks to, held until the bot is killed, so that
    /// the fake's last handle goes away after the bot's last call: a call
    /// that broke the Bot API specification then fails the test, even one
    /// made after the test stopped looking (a strict fake's rule).
    _api: FakeApi,
}

impl BotProcess {
    /// Starts `run` with the test defaults, keeping checks in `storage` and
    /// reading the dialogues in `dialogues`.
    pub fn start(api: &FakeApi, storage: &str, dialogues: &Path) -> BotProcess {
        Self::start_with(api, storage, dialogues, &[])
    }

    /// Starts the bot with extra environment variables (they override the
    /// test defaults, e.g. `BOT_THROTTLE=on` for the pacing users get).
    pub fn start_with(
        api: &FakeApi,
        storage: &str,
        dialogues: &Path,
        env: &[(&str, &str)],
    ) -> BotProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nasal-twitch-bot"))
            .arg("run")
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", &api.url)
            .env("BOT_STORAGE", storage)
            .env("BOT_DIALOGUES", dialogues)
            .env("BOT_THROTTLE", "off")
            .env("BOT_WELCOME_DELAY", "300ms")
            .env("RUST_LOG", "debug")
            // The test's own settings win over these defaults.
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bot starts");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        BotProcess {
            child,
            log,
            reader,
            _api: api.clone(),
        }
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(mut self) -> String {
        self.signal("TERM");
        let status = poll_blocking(Duration::from_secs(20), || self.exited());
        let status = status.unwrap_or_else(|| panic!("bot did not stop:\n{}", self.log()));
        assert!(
            status.success(),
            "bot exited with {status}:\n{}",
            self.log()
        );
        let read = poll_blocking(LOG_READ, || self.reader.is_finished().then_some(()));
        assert!(read.is_some(), "{}", self.log_unread());
        self.log()
    }

    /// Sends the signal `name` (`TERM`, `INT`…).
    pub fn signal(&self, name: &str) {
        Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
    }

    /// How the process ended, if it has.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Waits up to `within` for the process to end, then for the last lines
    /// of its log.
    pub async fn exit_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let status = poll(within, || ready(self.exited())).await?;
        let read = poll(LOG_READ, || ready(self.reader.is_finished().then_some(()))).await;
        assert!(read.is_some(), "{}", self.log_unread());
        Some(status)
    }

    /// What a wait for the last lines of the log says when they never come.
    fn log_unread(&self) -> String {
        format!(
            "the bot exited, yet its stderr was not read to the end within {LOG_READ:?}:\n{}",
            self.log()
        )
    }

    /// Whether the process is still running (it has not crashed).
    pub fn is_running(&mut self) -> bool {
        self.exited().is_none()
    }

    /// SIGKILL: no chance to finish or confirm anything.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What the bot logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `nasal-twitch-bot ARGS` with `env` over test defaults (the token, an
/// API address nothing answers on, the stable dialogue, memory store);
/// asserts it fails with exit code 1 and returns what it printed.
pub fn failed_start(args: &[&str], env: &[(&str, &str)]) -> String {
    let dir = temp_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_nasal-twitch-bot"))
        .args(args)
        .current_dir(dir.path())
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", "http://127.0.0.1:9/")
        .env("BOT_DIALOGUES", stable::dir())
        .env("BOT_STORAGE", "memory")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8_lossy(&out.stderr).into_owned()
}
