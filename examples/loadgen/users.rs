//! The simulated users: each goes through whole checks by a plan, answering
//! each question as soon as the bot sends it. They hear the fake Bot API as
//! it works (a [`Listener`]), time every reply, and write down what the
//! first user of each plan was sent.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fake_bot_api::{Call, FakeApi, Listener, update_chat};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// Question texts (a unique piece of each) of the shipped dialogue, which
/// the peers in `bench/peers/` repeat word for word.
const QUESTIONS: [&str; 7] = [
    "First, a safety question",
    "How often does the twitching",
    "How long has it been going on?",
    "pain or discomfort?",
    "vision or your hearing?",
    "Any other unusual symptoms?",
    "under stress or feeling anxious",
];

/// The verdict each plan must end with, by plan number.
pub const VERDICTS: [&str; 3] = ["EMERGENCY", "SEE A DOCTOR", "SELF-CARE"];

/// The first chat id; users are numbered from here.
pub const FIRST_CHAT: i64 = 1_000_000;

/// The `--flooder`'s chat.
const FLOOD_CHAT: i64 = FIRST_CHAT - 1;

/// One answer: a button label to press, or text to type.
#[derive(Clone, Copy)]
enum Answer {
    Press(&'static str),
    Type(&'static str),
}

/// The answers of plan `i % 3`; it must end with `VERDICTS[i % 3]`.
fn plan(i: usize) -> Vec<Answer> {
    use Answer::{Press, Type};
    match i % 3 {
        0 => vec![Press("Yes, I have one of these")],
        // No vision change: the path is the same in dialogue 1.2 (before the
        // sudden-sight question) and later, so `bench/compare` compares like
        // with like.
        1 => vec![
            Press("No, none of these"),
            Type("often"),
            Type("2 weeks"),
            Press("No"),
            Type("no"),
            Press("No"),
            Type("no"),
        ],
        _ => vec![
            Type("no"),
            Press("Once in a while"),
            Press("1 to 3 days"),
            Type("no"),
            Press("No"),
            Type("no"),
            Press("Yes"),
        ],
    }
}

struct User {
    plan: Vec<Answer>,
    verdict: &'static str,
    next: usize,
    /// The user's update waiting for the bot's reply.
    waiting_on: i64,
    /// When that update was first handed to the bot.
    handed_out: Option<Instant>,
    /// When the user sent it (it may wait in the fake's queue first).
    sent: Instant,
    /// Checks still to start after this one.
    rounds_left: usize,
    done: bool,
}

/// What the users did and saw.
#[derive(Default)]
pub struct World {
    users: HashMap<i64, User>,
    /// From an update first handed out to the bot's reply, in µs.
    pub latencies_us: Vec<u64>,
    /// The same replies, timed from when the user sent the update.
    pub since_sent_us: Vec<u64>,
    /// Checks that reached an outcome (users × rounds when all went well).
    pub checks: usize,
    /// Users done with all their rounds.
    pub finished: usize,
    /// Checks that ended with another verdict than planned, or users the
    /// bot asked more than their plan answers.
    pub wrong: usize,
    /// Bot API calls by method (`getupdates`: pages that held updates).
    pub calls: BTreeMap<String, u64>,
    /// When the bot last called (sent, edited, answered, got a page).
    last_call: Option<Instant>,
    /// What the first user of each plan was sent, in order.
    transcripts: BTreeMap<i64, Vec<Value>>,
    /// Updates handed out by `getUpdates`, counting each time one is
    /// handed out again (it stays until confirmed).
    pub handed_out: u64,
    /// `--flooder`: when the flood was sent, and when its notice came.
    flood_sent: Option<Instant>,
    pub flood_noticed: Option<Duration>,
}

impl World {
    /// The user of `chat` types `text`; from now on they wait for its reply.
    fn text(&mut self, api: &FakeApi, chat: i64, text: &str) {
        let sent = Instant::now();
        let id = api.send_text(chat, text);
        self.waiting(chat, id, sent);
    }

    /// The user of `chat` presses a button with `data` under `message_id`.
    fn press(&mut self, api: &FakeApi, chat: i64, message_id: i64, data: &str) {
        let sent = Instant::now();
        let id = api.press(chat, message_id, data);
        self.waiting(chat, id, sent);
    }

    fn waiting(&mut self, chat: i64, update: i64, sent: Instant) {
        if let Some(user) = self.users.get_mut(&chat) {
            user.waiting_on = update;
            user.sent = sent;
        }
    }

    /// Counts a Bot API call and, for the recorded users, writes it down.
    fn count(&mut self, call: &Call) {
        *self.calls.entry(call.method.clone()).or_default() += 1;
        self.last_call = Some(Instant::now());
        if let Some(log) = call.chat().and_then(|c| self.transcripts.get_mut(&c)) {
            let mut entry = json!({ "method": call.method });
            if let Some(text) = call.body.get("text") {
                entry["text"] = text.clone();
            }
            if call.body.get("reply_markup").is_some() {
                entry["reply_markup"] = json!(call.labels());
            }
            log.push(entry);
        }
    }

    /// The bot sent `call` (a message): its user reacts.
    fn said(&mut self, api: &FakeApi, call: &Call) {
        let Some(chat) = call.chat() else {
            return;
        };
        let Some(user) = self.users.get_mut(&chat) else {
            return;
        };
        if user.done {
            return;
        }
        let text = call.text();
        let is_question = QUESTIONS.iter().any(|q| text.contains(q));
        let is_verdict = VERDICTS.iter().any(|v| text.contains(v));
        if !is_question && !is_verdict {
            return;
        }
        if let Some(at) = user.handed_out.take() {
            self.latencies_us.push(at.elapsed().as_micros() as u64);
            self.since_sent_us
                .push(user.sent.elapsed().as_micros() as u64);
        }
        if is_verdict {
            self.checks += 1;
            if !text.contains(user.verdict) {
                self.wrong += 1;
            }
            if user.rounds_left == 0 {
                user.done = true;
                self.finished += 1;
            } else {
                user.rounds_left -= 1;
                user.next = 0;
                self.text(api, chat, "/start check");
            }
            return;
        }
        let Some(&answer) = user.plan.get(user.next) else {
            user.done = true;
            self.wrong += 1;
            self.finished += 1;
            return;
        };
        user.next += 1;
        match answer {
            Answer::Type(words) => self.text(api, chat, words),
            Answer::Press(label) => match call.button(label) {
                Some(data) => self.press(api, chat, call.message_id.unwrap_or(0), &data),
                None => self.text(api, chat, label),
            },
        }
    }

    /// Marks the users of `batch` as waiting from now.
    fn hand_out(&mut self, batch: &[Value]) {
        let now = Instant::now();
        for update in batch {
            let user = update_chat(update).and_then(|c| self.users.get_mut(&c));
            // An update handed out again (not yet confirmed) keeps its first time.
            if let Some(user) = user.filter(|u| update["update_id"] == u.waiting_on) {
                user.handed_out.get_or_insert(now);
            }
        }
    }

    /// Users done with all their rounds, and users in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.finished, self.users.len())
    }

    /// When the bot last called.
    pub fn last_call(&self) -> Option<Instant> {
        self.last_call
    }

    /// What the first user of each plan was sent, by the verdict they reached.
    pub fn transcripts(&self) -> BTreeMap<&'static str, &Vec<Value>> {
        let plan_of = |chat: &i64| VERDICTS[(chat - FIRST_CHAT) as usize % 3];
        let recorded = self.transcripts.iter();
        recorded
            .map(|(chat, calls)| (plan_of(chat), calls))
            .collect()
    }
}

/// The users of one run, as the fake's listener.
pub struct Users {
    pub world: Mutex<World>,
    /// The bot asked for updates (or set its webhook): it is up.
    pub ready: Notify,
    /// Every user is done.
    pub all_done: Notify,
    /// Updates come by `getUpdates` (a page counts as a call).
    polling: bool,
}

impl Users {
    /// Users of a run by `getUpdates` (`polling`) or by webhook.
    pub fn new(polling: bool) -> Users {
        Users {
            world: Mutex::new(World::default()),
            ready: Notify::new(),
            all_done: Notify::new(),
            polling,
        }
    }

    /// One person sends `messages` messages at once, and is timed until told
    /// to slow down.
    pub fn flood(&self, api: &FakeApi, messages: usize) {
        let mut world = self.world.lock().unwrap();
        for i in 1..=messages {
            world.text(api, FLOOD_CHAT, &format!("zzz {i}"));
        }
        world.flood_sent = Some(Instant::now());
    }

    /// `count` users start their first of `rounds` checks; with `record`,
    /// what the first user of each plan is sent is written down.
    pub fn start(&self, api: &FakeApi, count: usize, rounds: usize, record: bool) {
        let mut world = self.world.lock().unwrap();
        world.calls.clear(); // start-up calls (and the flood) are not part of a check
        for i in 0..count {
            let chat = FIRST_CHAT + i as i64;
            let user = User {
                plan: plan(i),
                verdict: VERDICTS[i % 3],
                next: 0,
                waiting_on: 0,
                handed_out: None,
                sent: Instant::now(),
                rounds_left: rounds - 1,
                done: false,
            };
            world.users.insert(chat, user);
            if record && i < 3 {
                world.transcripts.insert(chat, Vec::new());
            }
            world.text(api, chat, "/start check");
        }
    }
}

impl Listener for Users {
    fn arrived(&self, method: &str) {
        if method == "getupdates" || method == "setwebhook" {
            self.ready.notify_one();
        }
    }

    fn handed_out(&self, updates: &[Value]) {
        let mut world = self.world.lock().unwrap();
        world.hand_out(updates);
        if self.polling {
            *world.calls.entry("getupdates".into()).or_default() += 1;
            world.last_call = Some(Instant::now());
            world.handed_out += updates.len() as u64;
        }
    }

    fn called(&self, api: &FakeApi, call: &Call) {
        let mut world = self.world.lock().unwrap();
        world.count(call);
        if call.chat() == Some(FLOOD_CHAT)
            && world.flood_noticed.is_none()
            && call.text().contains("I will pause")
        {
            world.flood_noticed = world.flood_sent.map(|at| at.elapsed());
        }
        if call.method == "sendmessage" {
            let before = world.finished;
            world.said(api, call);
            if world.finished != before && world.finished == world.users.len() {
                self.all_done.notify_one();
            }
        }
    }
}
