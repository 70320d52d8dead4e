//! End to end: the real binary, long polling a fake Bot API over HTTP on
//! 127.0.0.1, with a real SQLite file.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fake_api::{Call, FakeApi, Fault};
use crate::redis_server::RedisServer;
use crate::repo_path;

/// A token shaped like a real one; it must never reach the logs.
pub const TOKEN: &str = "987654321:AAF-secret-TOKEN_for_tests_only-xyz";
pub const TOKEN_SECRET: &str = "AAF-secret-TOKEN_for_tests_only-xyz";

/// The bot binary running against the fake API.
pub struct BotProcess {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl BotProcess {
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
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        BotProcess { child, log }
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(mut self) -> String {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "bot exited with {status}:\n{}",
                    self.log()
                );
                break;
            }
            assert!(
                Instant::now() < deadline,
                "bot did not stop:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(100));
        self.log()
    }

    /// Whether the process is still running (it has not crashed).
    pub fn is_running(&mut self) -> bool {
        self.child
            .try_wait()
            .map(|status| status.is_none())
            .unwrap_or(false)
    }

    /// SIGKILL: no chance to finish or confirm anything.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

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
/// API address nothing answers on, the shipped dialogues, memory store);
/// asserts it fails with exit code 1 and returns what it printed.
pub fn failed_start(args: &[&str], env: &[(&str, &str)]) -> String {
    let dir = temp_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_nasal-twitch-bot"))
        .args(args)
        .current_dir(dir.path())
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", "http://127.0.0.1:9/")
        .env("BOT_DIALOGUES", repo_path("dialogues"))
        .env("BOT_STORAGE", "memory")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// One user's private chat, reading the bot's calls in order.
pub struct UserChat {
    api: FakeApi,
    id: i64,
    seen: usize,
}

impl UserChat {
    pub fn new(api: &FakeApi, id: i64) -> UserChat {
        UserChat {
            api: api.clone(),
            id,
            seen: 0,
        }
    }

    pub fn say(&self, text: &str) {
        self.api.send_text(self.id, text);
    }

    /// The next message to this chat whose text contains `text`.
    pub async fn expect(&mut self, text: &str) -> Call {
        let id = self.id;
        let (index, call) = self
            .api
            .wait_for(self.seen, text, |c| {
                c.method == "sendmessage" && c.chat() == Some(id) && c.text().contains(text)
            })
            .await;
        self.seen = index + 1;
        call
    }

    /// The next call of `method` to this chat.
    pub async fn expect_call(&mut self, method: &str) -> Call {
        let id = self.id;
        let (index, call) = self
            .api
            .wait_for(self.seen, method, |c| {
                c.method == method && (c.chat() == Some(id) || c.chat().is_none())
            })
            .await;
        self.seen = index + 1;
        call
    }

    /// Presses the button `label` of the question message `question`.
    pub async fn press(&mut self, question: &Call, label: &str) {
        let data = question
            .button(label)
            .unwrap_or_else(|| panic!("no button {label:?} in {}", question.body));
        self.api.press(self.id, question.message_id.unwrap(), &data);
        let answered = self.expect_call("answercallbackquery").await;
        assert!(
            answered.body.get("text").is_none(),
            "a live press gets no notice: {}",
            answered.body
        );
    }
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A fake API and the bot on the shipped dialogues with a SQLite file in a fresh folder.
pub async fn start_with_sqlite() -> (FakeApi, tempfile::TempDir, BotProcess) {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let bot = BotProcess::start(&api, &sqlite_url(dir.path()), &repo_path("dialogues"));
    (api, dir, bot)
}

/// A fake API and the bot on the shipped dialogues, keeping checks in `backend`.
pub async fn start_on(backend: &Backend) -> (FakeApi, BotProcess) {
    let api = FakeApi::start().await;
    let bot = BotProcess::start(&api, &backend.url(), &repo_path("dialogues"));
    (api, bot)
}

pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("state/bot.sqlite").display())
}

/// Where the bot under test keeps its checks, read directly by the tests.
pub enum Backend {
    /// A SQLite file.
    Sqlite(std::path::PathBuf),
    /// A real Redis server.
    Redis(RedisServer),
}

impl Backend {
    /// The SQLite file the bot uses in `dir`.
    pub fn sqlite_in(dir: &Path) -> Backend {
        Backend::Sqlite(dir.join("state/bot.sqlite"))
    }

    /// A fresh Redis server.
    pub async fn redis() -> Backend {
        Backend::Redis(RedisServer::start().await)
    }

    /// The `BOT_STORAGE` value.
    pub fn url(&self) -> String {
        match self {
            Backend::Sqlite(file) => format!("sqlite://{}", file.display()),
            Backend::Redis(server) => server.url(),
        }
    }

    /// The stored check of `chat`, read directly from the store.
    pub async fn session(&self, chat: i64) -> Option<Value> {
        match self {
            Backend::Sqlite(file) => {
                let db = rusqlite::Connection::open(file).ok()?;
                let json: Option<String> = db
                    .query_row("SELECT record FROM chats WHERE chat_id = ?1", [chat], |r| {
                        r.get(0)
                    })
                    .ok();
                json.map(|j| serde_json::from_str::<Value>(&j).unwrap()["session"].clone())
            }
            Backend::Redis(server) => server.session(chat).await,
        }
    }

    /// Waits (up to 60 s: a send may be retried after teloxide's 10 s pause on
    /// a 5xx) until the stored check of `chat` satisfies `ready`; `Null` when none.
    pub async fn session_when(&self, chat: i64, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let session = self.session(chat).await.unwrap_or(Value::Null);
            if ready(&session) || Instant::now() > deadline {
                return session;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub const Q_RED_FLAGS: &str = "First, a safety question";
pub const Q_FREQUENCY: &str = "How often does the twitching";
pub const Q_DURATION: &str = "How long has it been going on?";
pub const Q_PAIN: &str = "pain or discomfort?";
pub const Q_VISION: &str = "vision or your hearing?";
pub const Q_OTHER: &str = "Any other unusual symptoms?";
pub const Q_DETAILS: &str = "In a few words, what else";
pub const Q_STRESS: &str = "under stress or feeling anxious";

/// "No" to every question after the duration.
const NO_TO_THE_REST: [(&str, &str); 4] = [
    (Q_PAIN, "no"),
    (Q_VISION, "no"),
    (Q_OTHER, "no"),
    (Q_STRESS, "no"),
];

/// Answers each question by button, checking the answered message is edited.
async fn by_buttons(user: &mut UserChat, steps: &[(&str, &str)]) {
    for (question, label) in steps {
        let asked = user.expect(question).await;
        assert!(asked.has_keyboard(), "{question} has buttons");
        user.press(&asked, label).await;
        let edited = user.expect_call("editmessagetext").await;
        assert_eq!(edited.body["message_id"].as_i64(), asked.message_id);
        assert!(
            edited.text().contains(&format!("✓ <b>{label}</b>")),
            "{}",
            edited.text()
        );
        assert!(
            !edited.has_keyboard(),
            "the keyboard is removed once answered"
        );
    }
}

/// Answers each question by typing.
async fn by_typing(user: &mut UserChat, steps: &[(&str, &str)]) {
    for (question, answer) in steps {
        user.expect(question).await;
        user.say(answer);
    }
}

async fn whole_checks_reach_each_triage_level_by_buttons_and_by_typing(backend: Backend) {
    let (api, bot) = start_on(&backend).await;

    let mut emergency = UserChat::new(&api, 101);
    emergency.say("/start");
    let welcome = emergency.expect("walk you through a short check").await;
    assert!(welcome.text().contains("not medical advice"));
    emergency.press(&welcome, "Start the check").await;
    by_buttons(&mut emergency, &[(Q_RED_FLAGS, "Yes, I have one of these")]).await;
    emergency
        .expect("EMERGENCY: call emergency services now")
        .await;

    let mut doctor = UserChat::new(&api, 102);
    doctor.say("/start check");
    by_buttons(
        &mut doctor,
        &[
            (Q_RED_FLAGS, "No, none of these"),
            (Q_FREQUENCY, "Several times a day"),
            (Q_DURATION, "1 to 4 weeks"),
            (Q_PAIN, "No"),
            (Q_VISION, "Yes"),
            (Q_OTHER, "No"),
            (Q_STRESS, "No"),
        ],
    )
    .await;
    let verdict = doctor.expect("SEE A DOCTOR").await;
    assert!(verdict.text().contains("changes in your vision or hearing"));
    assert!(verdict.text().contains("not medical advice"));
    doctor.expect("Ways to ease stress").await;

    let mut self_care = UserChat::new(&api, 103);
    self_care.say("/check");
    by_typing(
        &mut self_care,
        &[
            (Q_RED_FLAGS, "no"),
            (Q_FREQUENCY, "once in a while"),
            (Q_DURATION, "since yesterday"),
            (Q_PAIN, "nope"),
            (Q_VISION, "no"),
            (Q_OTHER, "no"),
            (Q_STRESS, "yes"),
        ],
    )
    .await;
    self_care.expect("SELF-CARE").await;
    let tips = self_care.expect("Ways to ease stress").await;
    assert!(
        tips.text().contains("You said you have been stressed"),
        "tips are put forward"
    );

    let mut typed_doctor = UserChat::new(&api, 104);
    typed_doctor.say("/check");
    by_typing(
        &mut typed_doctor,
        &[
            (Q_RED_FLAGS, "no"),
            (Q_FREQUENCY, "often"),
            (Q_DURATION, "2 weeks"),
            (Q_PAIN, "no"),
            (Q_VISION, "no"),
            (Q_OTHER, "yes"),
            (Q_DETAILS, "<b>eyelid</b> & cheek"),
            (Q_STRESS, "no"),
        ],
    )
    .await;
    let verdict = typed_doctor.expect("SEE A DOCTOR").await;
    assert!(verdict.text().contains("going on for 2 weeks"));
    assert!(
        verdict
            .text()
            .contains("&lt;b&gt;eyelid&lt;/b&gt; &amp; cheek"),
        "{}",
        verdict.text()
    );
    assert_eq!(verdict.body["parse_mode"], "HTML");
    let finished = serde_json::json!({ "at": "finished", "outcome": "see_doctor" });
    let stored = backend
        .session_when(104, |s| s["position"] == finished)
        .await;
    assert_eq!(stored["position"], finished);

    let calls = api.calls();
    let menu = calls
        .iter()
        .find(|c| c.method == "setmycommands")
        .expect("setMyCommands at start-up");
    let names: Vec<&str> = menu.body["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    for command in [
        "check", "back", "restart", "tips", "about", "forget", "help",
    ] {
        assert!(names.contains(&command), "{command} missing from {names:?}");
    }
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn whole_checks_on_sqlite() {
    let dir = temp_dir();
    whole_checks_reach_each_triage_level_by_buttons_and_by_typing(Backend::sqlite_in(dir.path()))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn whole_checks_on_redis() {
    whole_checks_reach_each_triage_level_by_buttons_and_by_typing(Backend::redis().await).await;
}

async fn back_restart_and_forget(backend: Backend) {
    let (api, bot) = start_on(&backend).await;
    let mut user = UserChat::new(&api, 201);
    user.say("/check");
    by_typing(
        &mut user,
        &[
            (Q_RED_FLAGS, "no"),
            (Q_FREQUENCY, "rarely"),
            (Q_DURATION, "2 days"),
        ],
    )
    .await;
    user.expect(Q_PAIN).await;
    user.say("/back");
    let again = user.expect(Q_DURATION).await;
    assert!(again.text().contains("Your earlier answer: 2 days"));
    user.say("3 weeks");
    by_typing(&mut user, &NO_TO_THE_REST).await;
    let verdict = user.expect("SEE A DOCTOR").await;
    assert!(
        verdict.text().contains("going on for 3 weeks"),
        "changed answer changes the outcome"
    );

    user.say("/restart");
    user.expect("Starting the check again").await;
    user.expect(Q_RED_FLAGS).await;
    let session = backend
        .session_when(201, |s| s["answers"] == serde_json::json!([]))
        .await;
    assert_eq!(session["answers"], serde_json::json!([]));

    user.say("/tips");
    user.expect("mindfulness meditation").await;
    user.say("/about");
    let about = user.expect("Sources").await;
    assert!(about.text().contains("NHS: Stroke"));
    assert!(about.text().contains("deleted 24 hours after your last"));

    user.say("/forget");
    user.expect("I deleted everything I kept").await;
    assert!(
        backend.session(201).await.is_none(),
        "/forget removes the stored session"
    );
    if let Backend::Redis(server) = &backend {
        let keys = server.keys().await;
        assert!(!keys.iter().any(|k| k.ends_with(":chat:201")), "{keys:?}");
    }
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn back_restart_and_forget_on_sqlite() {
    let dir = temp_dir();
    back_restart_and_forget(Backend::sqlite_in(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn back_restart_and_forget_on_redis() {
    back_restart_and_forget(Backend::redis().await).await;
}

async fn stale_buttons_stickers_and_edits_leave_the_session_unchanged(backend: Backend) {
    let (api, bot) = start_on(&backend).await;
    let mut user = UserChat::new(&api, 301);
    user.say("/check");
    let first = user.expect(Q_RED_FLAGS).await;
    user.press(&first, "No, none of these").await;
    user.expect(Q_FREQUENCY).await;
    let before = backend
        .session_when(301, |s| s["position"]["node"] == "frequency")
        .await;

    // The old question's "Yes" button: closed.
    let data = first.button("Yes, I have one of these").unwrap();
    api.press(301, first.message_id.unwrap(), &data);
    let notice = user.expect_call("answercallbackquery").await;
    assert!(
        notice.body["text"]
            .as_str()
            .unwrap()
            .contains("That question is closed")
    );
    user.expect(Q_FREQUENCY).await;
    // A forged button.
    api.press(301, first.message_id.unwrap(), "a:1:2:frequency:daily");
    let notice = user.expect_call("answercallbackquery").await;
    assert!(
        notice.body["text"]
            .as_str()
            .unwrap()
            .contains("That question is closed")
    );
    user.expect(Q_FREQUENCY).await;

    api.send_sticker(301);
    user.expect("I can only read typed answers and button taps")
        .await;
    user.expect(Q_FREQUENCY).await;
    api.edit_text(301, "yes");
    user.expect("I can’t use edited messages").await;
    user.expect(Q_FREQUENCY).await;
    user.say(&"x".repeat(5000));
    user.expect("That message is too long for an answer").await;
    user.expect(Q_FREQUENCY).await;

    let after = backend.session(301).await.unwrap();
    assert_eq!(after["answers"], before["answers"]);
    assert_eq!(after["turn"], before["turn"]);
    assert_eq!(after["position"], before["position"]);
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_input_on_sqlite() {
    let dir = temp_dir();
    stale_buttons_stickers_and_edits_leave_the_session_unchanged(Backend::sqlite_in(dir.path()))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_input_on_redis() {
    stale_buttons_stickers_and_edits_leave_the_session_unchanged(Backend::redis().await).await;
}

async fn a_restarted_bot_continues_every_conversation(backend: Backend) {
    let api = FakeApi::start().await;
    let storage = backend.url();
    let first = BotProcess::start(&api, &storage, &repo_path("dialogues"));
    let mut user = UserChat::new(&api, 401);
    user.say("/check");
    by_typing(
        &mut user,
        &[
            (Q_RED_FLAGS, "no"),
            (Q_FREQUENCY, "daily"),
            (Q_DURATION, "2 weeks"),
        ],
    )
    .await;
    user.expect(Q_PAIN).await;
    let log = first.stop();
    assert!(log.contains("SIGTERM"), "{log}");

    let second = BotProcess::start(&api, &storage, &repo_path("dialogues"));
    user.say("/check");
    user.expect("Picking up where you left off").await;
    by_typing(&mut user, &NO_TO_THE_REST).await;
    let verdict = user.expect("SEE A DOCTOR").await;
    assert!(
        verdict.text().contains("going on for 2 weeks"),
        "answers from before the restart are kept"
    );
    second.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_persistence_on_sqlite() {
    let dir = temp_dir();
    a_restarted_bot_continues_every_conversation(Backend::sqlite_in(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_persistence_on_redis() {
    a_restarted_bot_continues_every_conversation(Backend::redis().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_dialogue_version_restarts_old_checks_with_a_notice() {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let dialogues = dir.path().join("dialogues");
    std::fs::create_dir_all(&dialogues).unwrap();
    let file = dialogues.join("nasal_twitching.toml");
    let original = std::fs::read_to_string(repo_path("dialogues/nasal_twitching.toml")).unwrap();
    std::fs::write(&file, &original).unwrap();
    let storage = sqlite_url(dir.path());
    let backend = Backend::sqlite_in(dir.path());

    let first = BotProcess::start(&api, &storage, &dialogues);
    let mut user = UserChat::new(&api, 501);
    user.say("/check");
    by_typing(&mut user, &[(Q_RED_FLAGS, "no"), (Q_FREQUENCY, "daily")]).await;
    user.expect(Q_DURATION).await;
    first.stop();

    let major_bump: Vec<String> = original
        .lines()
        .map(|line| {
            if line.starts_with("version = ") {
                "version = \"2.0\"".to_string()
            } else {
                line.to_string()
            }
        })
        .collect();
    std::fs::write(&file, major_bump.join("\n")).unwrap();
    let second = BotProcess::start(&api, &storage, &dialogues);
    user.say("3 days");
    user.expect("This check was updated since you started")
        .await;
    user.expect(Q_RED_FLAGS).await;
    let session = backend.session_when(501, |s| s["version"] == "2.0").await;
    assert_eq!(session["version"], "2.0");
    assert_eq!(session["answers"], serde_json::json!([]));
    second.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_and_answers_never_reach_the_log_even_when_the_api_fails() {
    let (api, _dir, bot) = start_with_sqlite().await;
    let mut blocked = UserChat::new(&api, 601);
    let mut user = UserChat::new(&api, 602);
    // Wait for start-up before injecting failures.
    user.say("/help");
    user.expect("Commands").await;

    api.block(601);
    blocked.say("/check");
    let refused = blocked.expect_call("sendmessage").await;
    assert_eq!(refused.chat(), Some(601));
    // teloxide waits 10 s after a 5xx before returning the error: one is enough.
    api.fail_next("sendmessage", 1);
    user.say("/check");
    user.say("/check");
    by_typing(
        &mut user,
        &[
            (Q_RED_FLAGS, "no"),
            (Q_FREQUENCY, "often"),
            (Q_DURATION, "4 days"),
            (Q_PAIN, "no"),
            (Q_VISION, "no"),
            (Q_OTHER, "yes"),
        ],
    )
    .await;
    // Broken answers that still hold what the user wrote (a cut getUpdates
    // page, an echoed outcome): the log keeps only the kind of failure.
    api.inject(&[Fault::MalformedJson], 400);
    by_typing(
        &mut user,
        &[(Q_DETAILS, "zebra-stripes-symptom"), (Q_STRESS, "no")],
    )
    .await;
    user.expect("SEE A DOCTOR").await;
    let log = bot.stop();
    assert!(
        log.contains("update") && log.contains("failed"),
        "the injected failures are logged:\n{log}"
    );
    assert!(log.contains("blocked the bot or is gone"), "{log}");
    assert!(
        !log.contains(TOKEN_SECRET),
        "the token leaked into the log:\n{log}"
    );
    assert!(
        !log.contains("zebra-stripes-symptom"),
        "an answer leaked into the log:\n{log}"
    );
    assert!(
        log.contains("could not be read"),
        "the broken answers were met:\n{log}"
    );
}

#[test]
fn without_a_token_run_says_how_to_get_one() {
    // An empty variable counts as unset.
    let stderr = failed_start(&[], &[("TELOXIDE_TOKEN", "")]);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("@BotFather") && stderr.contains("nasal-twitch-bot chat"),
        "{stderr}"
    );
}

#[test]
fn a_broken_dialogue_stops_start_up_with_every_error() {
    let dialogue = repo_path("tests/fixtures/bad/next_unknown.toml");
    let stderr = failed_start(
        &["run"],
        &[("BOT_DIALOGUES", &dialogue.display().to_string())],
    );
    assert!(stderr.contains("next_unknown.toml:5:9: error:"), "{stderr}");
    assert!(
        stderr.contains("next_unknown.toml:19:8: error:"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN_SECRET));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flooding_chat_is_paused_without_slowing_others() {
    let (api, _dir, bot) = start_with_sqlite().await;
    let mut flooder = UserChat::new(&api, 901);
    let mut other = UserChat::new(&api, 902);
    for _ in 0..45 {
        flooder.say("/help");
    }
    flooder.expect("I will pause for a minute").await;
    other.say("/check");
    other.expect(Q_RED_FLAGS).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let to_flooder: Vec<String> = api
        .calls()
        .iter()
        .filter(|c| c.method == "sendmessage" && c.chat() == Some(901))
        .map(|c| c.text().to_string())
        .collect();
    let helps = to_flooder
        .iter()
        .filter(|t| t.contains("<b>Commands</b>"))
        .count();
    let notices = to_flooder
        .iter()
        .filter(|t| t.contains("I will pause"))
        .count();
    // Replies still queued when the notice comes are dropped for it.
    assert!(helps <= 30, "at most the first 30 answered: {helps}");
    assert_eq!(notices, 1, "one notice");
    // After the notice, where they stand (no check yet here), then silence.
    let notice = to_flooder
        .iter()
        .position(|t| t.contains("I will pause"))
        .unwrap();
    assert_eq!(
        &to_flooder[notice + 1..],
        &["No check is running yet. Send /check to begin.".to_string()],
        "then silence"
    );
    bot.stop();
}

#[test]
fn an_unreachable_api_is_one_error_line_without_the_token() {
    let dir = temp_dir();
    let storage = format!("sqlite://{}", dir.path().join("x.sqlite").display());
    let stderr = failed_start(
        &["run"],
        &[("BOT_STORAGE", &storage), ("RUST_LOG", "trace")],
    );
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with("error: cannot reach the Telegram Bot API"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(TOKEN_SECRET),
        "the token leaked:\n{stderr}"
    );
}

async fn idle_checks_are_purged_after_the_ttl(backend: Backend) {
    let api = FakeApi::start().await;
    let bot = BotProcess::start_with(
        &api,
        &backend.url(),
        &repo_path("dialogues"),
        &[("BOT_SESSION_TTL", "1s")],
    );
    let mut user = UserChat::new(&api, 951);
    user.say("/check");
    user.expect(Q_RED_FLAGS).await;
    user.say("no");
    user.expect(Q_FREQUENCY).await;
    if let Backend::Redis(server) = &backend {
        let ttl = server.ttl_ms(951).await;
        assert!(
            (1..=1000).contains(&ttl),
            "the session TTL is a Redis expiry: {ttl} ms"
        );
    }
    let gone = backend.session_when(951, |s| s.is_null()).await;
    assert!(gone.is_null(), "the idle check was purged: {gone}");
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_checks_are_purged_on_sqlite() {
    let dir = temp_dir();
    idle_checks_are_purged_after_the_ttl(Backend::sqlite_in(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_checks_expire_on_redis() {
    idle_checks_are_purged_after_the_ttl(Backend::redis().await).await;
}

/// Understanding over real HTTP: a stroke sign as the very first message is
/// asked about at once, with buttons, and a yes reaches the emergency advice;
/// an answer not understood is asked again with its buttons; "I don't know"
/// at the stroke screen is asked once more, never taken as no; a typed rate
/// is echoed on the answered question.
#[tokio::test(flavor = "multi_thread")]
async fn signs_typed_first_uncertainty_and_typed_rates_over_telegram() {
    let (api, _dir, bot) = start_with_sqlite().await;
    let mut first = UserChat::new(&api, 701);
    first.say("my face suddenly drooped on one side");
    let asked = first.expect("Is this happening now").await;
    assert!(asked.has_keyboard(), "{}", asked.body);
    first.press(&asked, "Yes, it is happening").await;
    first.expect("EMERGENCY: call emergency services now").await;

    let mut user = UserChat::new(&api, 702);
    user.say("/check");
    user.expect(Q_RED_FLAGS).await;
    user.say("purple");
    user.expect("Sorry, that answer does not fit").await;
    let again = user.expect(Q_RED_FLAGS).await;
    assert!(again.has_keyboard(), "the re-ask shows the buttons again");
    user.say("I don't know");
    let confirm = user
        .expect("it is safest to treat these signs as a yes")
        .await;
    assert!(confirm.button("No, none of these").is_some());
    user.say("no");
    user.expect(Q_FREQUENCY).await;
    user.say("3 times a day");
    let edited = user.expect_call("editmessagetext").await;
    assert!(
        edited
            .text()
            .contains("✓ <b>Several times a day</b> — you said “3 times a day”"),
        "{}",
        edited.text()
    );
    user.expect(Q_DURATION).await;
    bot.stop();
}

/// Everything in the SQLite files (the database, its WAL and shared memory).
fn sqlite_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.join("state")).unwrap() {
        let path = entry.unwrap().path();
        bytes.extend(std::fs::read(&path).unwrap_or_default());
    }
    bytes
}

fn holds(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle.as_bytes())
        .count()
}

/// /forget leaves none of the person's words anywhere in the SQLite files
/// (not in the WAL, not in free pages), and the files are the owner's only.
#[tokio::test(flavor = "multi_thread")]
async fn forget_leaves_no_words_on_disk_and_the_database_is_private() {
    let (api, dir, bot) = start_with_sqlite().await;
    let words = "zqxj purple elephant twitch";
    let mut user = UserChat::new(&api, 801);
    user.say("/check");
    by_typing(
        &mut user,
        &[
            (Q_RED_FLAGS, "no"),
            (Q_FREQUENCY, "daily"),
            (Q_DURATION, "2 weeks"),
            (Q_PAIN, "no"),
            (Q_VISION, "no"),
            (Q_OTHER, "yes"),
            (Q_DETAILS, words),
            (Q_STRESS, "no"),
        ],
    )
    .await;
    user.expect(words).await;
    assert!(
        holds(&sqlite_bytes(dir.path()), words) > 0,
        "the answer is stored while the check is kept"
    );
    user.say("/forget");
    user.expect("I deleted everything").await;
    // The reply is sent and its outbox entry removed: the last write.
    api.wait_for(0, "the reply sent", |c| {
        c.method == "sendmessage" && c.text().contains("I deleted everything")
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let left = holds(&sqlite_bytes(dir.path()), words);
    assert_eq!(
        left, 0,
        "the words are still on disk {left} time(s) after /forget"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("state/bot.sqlite"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o077,
        0,
        "the database is readable by others: {mode:o}"
    );
    bot.stop();
}

/// An expired check's words are gone from the SQLite files too.
#[tokio::test(flavor = "multi_thread")]
async fn expired_checks_leave_no_words_on_disk() {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let backend = Backend::sqlite_in(dir.path());
    let bot = BotProcess::start_with(
        &api,
        &backend.url(),
        &repo_path("dialogues"),
        &[("BOT_SESSION_TTL", "2s")],
    );
    let words = "qqvz lilac giraffe spasm";
    let mut user = UserChat::new(&api, 802);
    user.say("/check");
    by_typing(
        &mut user,
        &[
            (Q_RED_FLAGS, "no"),
            (Q_FREQUENCY, "daily"),
            (Q_DURATION, "2 weeks"),
            (Q_PAIN, "no"),
            (Q_VISION, "no"),
            (Q_OTHER, "yes"),
            (Q_DETAILS, words),
        ],
    )
    .await;
    user.expect(Q_STRESS).await;
    let gone = backend.session_when(802, |s| s.is_null()).await;
    assert!(gone.is_null(), "the idle check was purged: {gone}");
    // The purge and its checkpoint are one step of the sweep; give it a moment.
    let mut left = usize::MAX;
    for _ in 0..50 {
        left = holds(&sqlite_bytes(dir.path()), words);
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        left, 0,
        "the words are still on disk {left} time(s) after expiry"
    );
    bot.stop();
}

/// A stored check that cannot be read (damaged, or written by a newer
/// version) does not lock its person out: they are told, and it starts again.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_check_is_told_and_starts_again() {
    let (api, dir, bot) = start_with_sqlite().await;
    let mut user = UserChat::new(&api, 803);
    user.say("/check");
    by_typing(&mut user, &[(Q_RED_FLAGS, "no")]).await;
    user.expect(Q_FREQUENCY).await;
    let db = rusqlite::Connection::open(dir.path().join("state/bot.sqlite")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let changed = db
        .execute(
            "UPDATE chats SET record = '{\"session\": [not json' WHERE chat_id = 803",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    user.say("daily");
    user.expect("could not be read").await;
    user.expect(Q_RED_FLAGS).await;
    user.say("no");
    user.expect(Q_FREQUENCY).await;
    bot.stop();
}

/// A Redis URL's secrets never reach the log or the error: not a password,
/// not a user name (some services take the token there), not a URL that
/// does not even parse.
#[test]
fn redis_urls_are_never_shown_with_their_secrets() {
    for storage in [
        "redis://user:hunter2pw@127.0.0.1:9/0",
        "redis://hunter2pw@127.0.0.1:9/0",
        "redis://:hunter2pw@[::1",
    ] {
        let stderr = failed_start(&["run"], &[("BOT_STORAGE", storage), ("RUST_LOG", "trace")]);
        assert!(!stderr.contains("hunter2pw"), "{storage}:\n{stderr}");
        assert!(
            stderr.contains("redis"),
            "{storage}: says what failed:\n{stderr}"
        );
    }
}

/// SIGTERM during start-up stops at once: nothing after it is done, and no
/// webhook is set by a process that was asked to stop.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_during_start_up_sets_no_webhook() {
    let api = FakeApi::start().await;
    api.delay_next("getme", Duration::from_secs(15));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let bot = BotProcess::start_with(
        &api,
        "memory",
        &repo_path("dialogues"),
        &[
            ("WEBHOOK_URL", "https://bot.example/hook"),
            ("WEBHOOK_SECRET", "start-up-secret"),
            ("BOT_LISTEN", listen.as_str()),
            ("BOT_METRICS_LISTEN", "off"),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while api.arrivals("getme").is_empty() {
        assert!(Instant::now() < deadline, "the bot never asked getMe");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let asked = Instant::now();
    let log = tokio::task::spawn_blocking(move || bot.stop())
        .await
        .unwrap();
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "stopping waited {took:?} for the slow getMe:\n{log}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        api.arrivals("setwebhook").is_empty() && api.arrivals("setmycommands").is_empty(),
        "start-up went on after SIGTERM:\n{log}"
    );
}

/// A URL that does not parse is never printed: people put secrets in webhook
/// paths and API addresses.
#[test]
fn urls_that_do_not_parse_are_not_shown() {
    for (name, value) in [
        ("WEBHOOK_URL", "https://bot example.org/hook/s3cr3tpath"),
        ("TELOXIDE_API_URL", "http://[s3cr3tpath"),
    ] {
        let stderr = failed_start(
            &["run"],
            &[
                (name, value),
                ("WEBHOOK_SECRET", "abc"),
                ("RUST_LOG", "trace"),
            ],
        );
        assert!(!stderr.contains("s3cr3tpath"), "{name}:\n{stderr}");
        assert!(
            stderr.contains(name),
            "{name}: the error names the setting:\n{stderr}"
        );
    }
}
