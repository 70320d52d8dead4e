//! Golden transcripts: a conversation recorded as every Bot API call the bot
//! made to its chats, in order, normalised (names for ids, `#n` for the
//! messages edits refer to, placeholders for check ids and dates) and
//! compared exactly with a file in `tests/golden/`. `UPDATE_GOLDEN=1`
//! rewrites the files instead (see `tests/golden/README.md`).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;

use fake_bot_api::{Call, FakeApi};
use serde_json::Value;

use super::repo_path;

/// The calls every start makes (and polling): never part of a conversation.
pub const STARTUP: [&str; 6] = [
    "getme",
    "getupdates",
    "deletewebhook",
    "setmycommands",
    "setmydescription",
    "setmyshortdescription",
];

/// The command that rewrites the goldens, named in every failure so the fix
/// after a deliberate change is one copy and paste.
pub const UPDATE: &str = "UPDATE_GOLDEN=1 cargo test --test suite golden";

/// One call as a transcript shows it, with a document's multipart fields
/// read out, so unit tests can build calls by hand.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The method, lowercased as the fake logs it.
    pub method: String,
    /// The chat it was for (a press's chat for answers to presses).
    pub chat: Option<i64>,
    /// The parameters; a document's are `chat_id`, `caption`, `parse_mode`
    /// and `document: { filename, content }`.
    pub body: Value,
    /// The id the fake gave a sent message.
    pub message_id: Option<i64>,
}

impl Sent {
    /// A call from the fake's log, multipart bodies read into fields, so a
    /// document names its chat like any other call.
    pub fn of(call: &Call) -> Sent {
        let body = match call.body.get("_raw").and_then(Value::as_str) {
            Some(raw) => multipart(raw),
            None => call.body.clone(),
        };
        let chat = call
            .chat()
            .or_else(|| body.get("chat_id").and_then(Value::as_i64));
        Sent {
            method: call.method.clone(),
            chat,
            body,
            message_id: call.message_id,
        }
    }
}

/// A multipart body's fields: text fields as JSON where they parse as a
/// number, files as `{ filename, content }`.
fn multipart(raw: &str) -> Value {
    let mut fields = serde_json::Map::new();
    let Some(boundary) = raw.lines().next().map(str::trim_end) else {
        return Value::Object(fields);
    };
    for part in raw.split(boundary).skip(1) {
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((headers, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        let quoted = |key: &str| {
            let start = headers.find(&format!("{key}=\""))? + key.len() + 2;
            let len = headers[start..].find('"')?;
            Some(headers[start..start + len].to_string())
        };
        let Some(name) = quoted("name") else {
            continue;
        };
        let value = match quoted("filename") {
            Some(filename) => serde_json::json!({ "filename": filename, "content": content }),
            None => content
                .parse::<i64>()
                .map_or_else(|_| Value::String(content.to_string()), Value::from),
        };
        fields.insert(name, value);
    }
    Value::Object(fields)
}

/// Who is who in a transcript: chats and people by name, and the step each
/// button press was, so no raw id reaches a golden file.
#[derive(Debug, Clone, Default)]
pub struct Names {
    chats: Vec<(i64, String)>,
    people: Vec<(i64, String)>,
    presses: HashMap<String, usize>,
}

impl Names {
    /// Calls to chat `id` are recorded, shown as `name`: ids differ from
    /// test to test, names keep the file the same.
    pub fn chat(&mut self, id: i64, name: &str) {
        self.chats.push((id, name.to_string()));
    }

    /// User `id` (in groups: who typed, pressed, was looked up) is shown as
    /// `name`, for the same reason.
    pub fn person(&mut self, id: i64, name: &str) {
        self.people.push((id, name.to_string()));
    }

    /// Callback query `query` was the press made at step `step`, so an
    /// answer to a press says which press it answers.
    pub fn press(&mut self, query: &str, step: usize) {
        self.presses.insert(query.to_string(), step);
    }

    fn chat_name(&self, id: i64) -> String {
        let named = self.chats.iter().find(|(c, _)| *c == id);
        named.map_or_else(|| format!("chat {id}"), |(_, n)| n.clone())
    }

    fn person_name(&self, id: i64) -> String {
        let named = self
            .people
            .iter()
            .chain(&self.chats)
            .find(|(c, _)| *c == id);
        named.map_or_else(|| format!("user {id}"), |(_, n)| n.clone())
    }

    fn records(&self, chat: Option<i64>) -> bool {
        chat.is_some_and(|c| self.chats.iter().any(|(id, _)| *id == c))
    }
}

/// What the people did, in order, for the transcript's header; a press
/// names the message it was under, resolved to `#n` when rendered.
#[derive(Debug, Clone)]
pub struct Step {
    /// What happened, e.g. `user: "/start"`.
    pub text: String,
    /// The bot's message a button was pressed under.
    pub under: Option<i64>,
}

/// A conversation being recorded: drives it step by step (each step waits
/// for a call the fake logs, never for time) and ends it with a sentinel
/// whose reply cuts the recording.
pub struct Golden {
    api: FakeApi,
    name: String,
    names: Names,
    steps: Vec<Step>,
    seen: usize,
}

impl Golden {
    /// Records into `tests/golden/<name>.txt`, from the fake's first call on.
    pub fn new(api: &FakeApi, name: &str) -> Golden {
        Golden {
            api: api.clone(),
            name: name.to_string(),
            names: Names::default(),
            steps: Vec::new(),
            seen: 0,
        }
    }

    /// Calls to chat `id` are recorded, shown as `name`.
    pub fn chat(mut self, id: i64, name: &str) -> Golden {
        self.names.chat(id, name);
        self
    }

    /// User `id` is shown as `name` (group members), never as an id.
    pub fn person(mut self, id: i64, name: &str) -> Golden {
        self.names.person(id, name);
        self
    }

    /// Notes a step the test made happen some other way (the bot added to a
    /// group, a member joining, the tip schedule run), so the header tells
    /// the whole story.
    pub fn step(&mut self, text: &str) {
        self.steps.push(Step {
            text: text.to_string(),
            under: None,
        });
    }

    /// The person in private chat `chat` types `text` (noted as a step, so
    /// the file reads as the conversation).
    pub fn say(&mut self, chat: i64, text: &str) {
        self.step(&format!("{}: {text:?}", self.names.person_name(chat)));
        self.api.send_text(chat, text);
    }

    /// `user` types `text` in `group` (noted as a step).
    pub fn say_in(&mut self, group: i64, user: i64, text: &str) {
        let (who, at) = (self.names.person_name(user), self.names.chat_name(group));
        self.step(&format!("{who} in {at}: {text:?}"));
        self.api.group_text(group, user, text, None);
    }

    /// Waits for the next call of `method` to `chat` whose text holds
    /// `text`, after the last one waited for: the step is answered.
    pub async fn reply(&mut self, chat: i64, method: &str, text: &str) -> Call {
        let (index, call) = self
            .api
            .wait_for(self.seen, &format!("{method} holding {text:?}"), |c| {
                c.method == method && Sent::of(c).chat == Some(chat) && c.text().contains(text)
            })
            .await;
        self.seen = index + 1;
        call
    }

    /// Waits for the next message to `chat` holding `text`: how most steps
    /// wait to be answered.
    pub async fn message(&mut self, chat: i64, text: &str) -> Call {
        self.reply(chat, "sendmessage", text).await
    }

    /// The person in private chat `chat` presses `label` under `message`
    /// (noted as a step naming the message, so edits and answers line up).
    pub fn press(&mut self, chat: i64, message: &Call, label: &str) {
        self.press_as(chat, chat, message, label);
    }

    /// `user` presses `label` under the bot's `message` in `chat` (their
    /// own private chat, or a group).
    pub fn press_as(&mut self, chat: i64, user: i64, message: &Call, label: &str) {
        let data = message
            .button(label)
            .unwrap_or_else(|| panic!("no button {label:?} in {}", message.body));
        let message_id = message.message_id.expect("a sent message");
        // The fake names a press's query `cq<update id>`.
        let query = format!("cq{}", self.api.next_update_id());
        self.steps.push(Step {
            text: format!("{} presses [{label}]", self.names.person_name(user)),
            under: Some(message_id),
        });
        self.names.press(&query, self.steps.len());
        if chat == user {
            self.api.press(chat, message_id, &data);
        } else {
            self.api.press_in_group(
                chat,
                user,
                message_id,
                &data,
                message.topic().map(|t| t as i32),
            );
        }
    }

    /// Ends a private conversation: the person types `sentinel`; once its
    /// reply (holding `reply`) came, everything up to it is the transcript,
    /// compared with the golden file.
    pub async fn finish(self, chat: i64, sentinel: &str, reply: &str) {
        let name = self.name.clone();
        check(&name, &self.end(chat, sentinel, reply).await);
    }

    /// Ends a private conversation as [`Golden::finish`] does but returns
    /// the transcript, for a test that expects it to differ.
    pub async fn end(mut self, chat: i64, sentinel: &str, reply: &str) -> String {
        self.say(chat, sentinel);
        self.message(chat, reply).await;
        self.transcript()
    }

    /// Ends a group conversation as [`Golden::finish`] does, with `user`
    /// typing `sentinel` in `group`.
    pub async fn finish_in(mut self, group: i64, user: i64, sentinel: &str, reply: &str) {
        self.say_in(group, user, sentinel);
        self.message(group, reply).await;
        check(&self.name, &self.transcript());
    }

    /// The transcript up to the last call waited for (the sentinel's reply).
    fn transcript(&self) -> String {
        let calls = self.api.calls();
        let sent: Vec<Sent> = calls[..self.seen].iter().map(Sent::of).collect();
        render(&self.name, &self.names, &self.steps, &sent)
    }
}

/// Lowercase method names as the Bot API spells them, for reading.
fn method_name(method: &str) -> String {
    let known = [
        "sendMessage",
        "editMessageText",
        "answerCallbackQuery",
        "sendDocument",
        "sendPhoto",
        "getChatMember",
        "getMe",
        "deleteWebhook",
        "setMyCommands",
        "setMyDescription",
        "setMyShortDescription",
    ];
    let found = known.iter().find(|k| k.eq_ignore_ascii_case(method));
    found.map_or_else(|| method.to_string(), |k| k.to_string())
}

/// Month names of every shipped language (`month-N = …` in `locales/`).
fn month_names() -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(repo_path("locales")).expect("locales/") {
        let file = entry.unwrap().path().join("bot.ftl");
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for line in text.lines() {
            if let Some((key, value)) = line.split_once(" = ")
                && key.starts_with("month-")
            {
                names.push(value.trim().to_string());
            }
        }
    }
    names
}

/// `text` with every date (`26 November 2026`, `26 de noviembre de 2026`,
/// `26 ноября 2026`) as `<date>`: what is shown depends on the day the test runs.
fn without_dates(text: &str, months: &[String]) -> String {
    let mut out = text.to_string();
    for month in months {
        let mut from = 0;
        while let Some(found) = out[from..].find(month.as_str()) {
            let at = from + found;
            let before = &out[..at];
            let before = before
                .strip_suffix(" de ")
                .or_else(|| before.strip_suffix(' '));
            let after = &out[at + month.len()..];
            let after = after
                .strip_prefix(" de ")
                .or_else(|| after.strip_prefix(' '));
            let day = before.map(|b| {
                let digits = b.chars().rev().take_while(char::is_ascii_digit).count();
                (b.len() - digits, digits)
            });
            let year = after.filter(|a| {
                a.len() >= 4
                    && a.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                    && !a.as_bytes().get(4).is_some_and(u8::is_ascii_digit)
            });
            match (day, year) {
                (Some((start, 1..=2)), Some(year)) => {
                    let end = out.len() - year.len() + 4;
                    out.replace_range(start..end, "<date>");
                    from = start + "<date>".len();
                }
                _ => from = at + month.len(),
            }
        }
    }
    out
}

/// Callback data with a check's id (`a:<id hex>:<turn>:<question>:<value>`)
/// as `a:{S1}:…`, and a diary entry's (`d:t:<entry>:<tag>`, numbered from
/// the second the diary started) as `d:t:{E1}:…`, each numbered in order of
/// first appearance: ids are drawn afresh per check and per diary. Turns,
/// questions, tags and values are kept.
fn callback(data: &str, ids: &mut Vec<String>) -> String {
    // Checks and entries each numbered among their own kind.
    let mut number = |kind: &str, id: &str| {
        let key = format!("{kind}:{id}");
        if !ids.contains(&key) {
            ids.push(key.clone());
        }
        let same_kind = ids.iter().filter(|c| c.starts_with(&format!("{kind}:")));
        same_kind.take_while(|c| **c != key).count() + 1
    };
    let parts: Vec<&str> = data.splitn(4, ':').collect();
    match parts.as_slice() {
        ["a", id, rest @ ..] => format!("a:{{S{}}}:{}", number("s", id), rest.join(":")),
        ["d", "t", entry, tag] => format!("d:t:{{E{}}}:{tag}", number("d", entry)),
        _ => data.to_string(),
    }
}

/// Normalises what can differ between runs of the same conversation.
struct Normaliser {
    months: Vec<String>,
    checks: Vec<String>,
}

impl Normaliser {
    fn text(&self, text: &str) -> String {
        without_dates(text, &self.months)
    }
}

/// Appends `text` as quoted lines, verbatim (multi-line, HTML as sent).
fn quote(out: &mut String, text: &str) {
    for line in text.split('\n') {
        if line.is_empty() {
            out.push_str("   |\n");
        } else {
            let _ = writeln!(out, "   | {line}");
        }
    }
}

/// An inline keyboard row by row; other markup as JSON.
fn keyboard(out: &mut String, markup: &Value, norm: &mut Normaliser) {
    let Some(rows) = markup.get("inline_keyboard").and_then(Value::as_array) else {
        let _ = writeln!(out, "   reply_markup: {markup}");
        return;
    };
    for row in rows {
        let buttons: Vec<String> = row
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| {
                let label = b["text"].as_str().unwrap_or("");
                if let Some(data) = b.get("callback_data").and_then(Value::as_str) {
                    format!("[{label}] callback {}", callback(data, &mut norm.checks))
                } else if let Some(url) = b.get("url").and_then(Value::as_str) {
                    format!("[{label}] url {url}")
                } else {
                    format!("[{label}] {b}")
                }
            })
            .collect();
        let _ = writeln!(out, "   row: {}", buttons.join(" · "));
    }
}

/// The transcript of `calls` (the whole log up to the cut) for the chats
/// `names` records: a header with the steps, then one entry per call.
pub fn render(name: &str, names: &Names, steps: &[Step], calls: &[Sent]) -> String {
    let mut norm = Normaliser {
        months: month_names(),
        checks: Vec::new(),
    };
    let recorded: Vec<&Sent> = calls
        .iter()
        .filter(|c| !STARTUP.contains(&c.method.as_str()) && names.records(c.chat))
        .collect();
    // Message ids to the entry that sent them (edits keep the id).
    let mut entry_of: HashMap<i64, usize> = HashMap::new();
    for (n, call) in recorded.iter().enumerate() {
        if call.method == "sendmessage"
            && let Some(id) = call.message_id
        {
            entry_of.entry(id).or_insert(n + 1);
        }
    }
    let message = |id: Option<i64>| match id.and_then(|id| entry_of.get(&id)) {
        Some(n) => format!("#{n}"),
        None => "#? (not a message of this transcript)".to_string(),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Golden transcript `{name}`: every Bot API call the bot made to {}, in order,\n\
         # up to the reply to the closing sentinel (see tests/golden/README.md).\n\
         # After a deliberate change: {UPDATE}\n",
        names
            .chats
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(" and ")
    );
    out.push_str("## Steps\n");
    for (n, step) in steps.iter().enumerate() {
        let under = step
            .under
            .map(|id| format!(" under {}", message(Some(id))))
            .unwrap_or_default();
        let _ = writeln!(out, "{}. {}{under}", n + 1, step.text);
    }
    out.push_str("\n## Calls\n");
    for (n, call) in recorded.iter().enumerate() {
        let mut body = call.body.as_object().cloned().unwrap_or_default();
        let chat = call.chat.map(|c| names.chat_name(c)).unwrap_or_default();
        let mut head = format!("#{} {} to {chat}", n + 1, method_name(&call.method));
        body.remove("chat_id");
        if let Some(topic) = body.remove("message_thread_id") {
            let _ = write!(head, ", topic {topic}");
        }
        if let Some(id) = body.remove("message_id") {
            let _ = write!(head, ", message {}", message(id.as_i64()));
        }
        if let Some(query) = body.remove("callback_query_id") {
            let step = query.as_str().and_then(|q| names.presses.get(q));
            match step {
                Some(step) => {
                    let _ = write!(head, ", answering the press of step {step}");
                }
                None => head.push_str(", answering a press not made in this conversation"),
            }
        }
        if let Some(user) = body.remove("user_id") {
            let _ = write!(
                head,
                ", user {}",
                user.as_i64()
                    .map_or_else(|| user.to_string(), |u| names.person_name(u))
            );
        }
        match body.remove("parse_mode") {
            Some(Value::String(mode)) => {
                let _ = write!(head, " ({mode})");
            }
            Some(other) => {
                let _ = write!(head, " (parse_mode {other})");
            }
            None => {}
        }
        out.push_str(&head);
        out.push('\n');
        let document = body.remove("document");
        if let Some(document) = &document {
            let filename = document["filename"].as_str().unwrap_or("?");
            let _ = writeln!(out, "   file: {filename}");
        }
        // A picture's bytes depend on the day it is drawn: its name stands for it.
        if let Some(photo) = body.remove("photo") {
            let filename = photo["filename"].as_str().unwrap_or("?");
            let _ = writeln!(out, "   photo: {filename}");
        }
        if let Some(text) = body.remove("text") {
            let text = text
                .as_str()
                .map_or_else(|| text.to_string(), str::to_string);
            if call.method == "answercallbackquery" {
                let _ = writeln!(out, "   notice: {:?}", norm.text(&text));
            } else {
                quote(&mut out, &norm.text(&text));
            }
        }
        if let Some(caption) = body.remove("caption") {
            out.push_str("   caption:\n");
            quote(&mut out, &norm.text(caption.as_str().unwrap_or("")));
        }
        if let Some(markup) = body.remove("reply_markup") {
            keyboard(&mut out, &markup, &mut norm);
        }
        if let Some(document) = document {
            let content = document["content"].as_str().unwrap_or("");
            match serde_json::from_str::<Value>(content) {
                // Exports hold timestamps: the set of top-level keys is what stays.
                Ok(Value::Object(json)) => {
                    let keys: BTreeSet<&String> = json.keys().collect();
                    let keys: Vec<&str> = keys.into_iter().map(String::as_str).collect();
                    let _ = writeln!(
                        out,
                        "   content: a JSON object with keys {}",
                        keys.join(", ")
                    );
                }
                _ => {
                    out.push_str("   content:\n");
                    quote(&mut out, &norm.text(content));
                }
            }
        }
        // Anything else the call carried, so nothing goes unseen.
        for (key, value) in body {
            let _ = writeln!(out, "   {key}: {value}");
        }
    }
    out
}

/// The start-up calls in `calls` (not `getUpdates`, whose count depends on
/// timing): method, scope, language and the menu or profile text each set.
pub fn render_startup(calls: &[Call]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Golden transcript `startup`: the calls the bot makes when it starts, in order\n\
         # (the menus and profile per language), see tests/golden/README.md.\n\
         # After a deliberate change: {UPDATE}\n"
    );
    let startup = calls
        .iter()
        .filter(|c| STARTUP.contains(&c.method.as_str()) && c.method != "getupdates");
    for (n, call) in startup.enumerate() {
        let mut body = call.body.as_object().cloned().unwrap_or_default();
        let mut head = format!("#{} {}", n + 1, method_name(&call.method));
        if let Some(scope) = body.remove("scope") {
            let kind = scope.get("type").and_then(Value::as_str);
            let scope = kind.map_or_else(|| scope.to_string(), str::to_string);
            let _ = write!(head, ", scope {scope}");
        }
        if let Some(code) = body.remove("language_code") {
            let _ = write!(head, ", language_code {}", code.as_str().unwrap_or("?"));
        }
        out.push_str(&head);
        out.push('\n');
        if let Some(Value::Array(commands)) = body.remove("commands") {
            for command in commands {
                let _ = writeln!(
                    out,
                    "   /{} — {}",
                    command["command"].as_str().unwrap_or("?"),
                    command["description"].as_str().unwrap_or("?")
                );
            }
        }
        for key in ["description", "short_description"] {
            if let Some(text) = body.remove(key) {
                quote(&mut out, text.as_str().unwrap_or(""));
            }
        }
        for (key, value) in body {
            let _ = writeln!(out, "   {key}: {value}");
        }
    }
    out
}

/// The golden file of `name`, for [`check`] and for tests that alter a
/// recorded transcript to show the comparison fails.
pub fn path(name: &str) -> PathBuf {
    repo_path(&format!("tests/golden/{name}.txt"))
}

/// Compares `actual` with the golden file of `name` (or rewrites it with
/// `UPDATE_GOLDEN=1`); panics with a line diff when they differ. The run's
/// transcript is also left in the target folder for a closer look.
pub fn check(name: &str, actual: &str) {
    let file = path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v != "0" && !v.is_empty()) {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, actual).unwrap();
        eprintln!("rewrote {}", file.display());
        return;
    }
    let run = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("golden/{name}.txt"));
    let _ = std::fs::create_dir_all(run.parent().unwrap());
    let _ = std::fs::write(&run, actual);
    let expected = std::fs::read_to_string(&file).unwrap_or_else(|_| {
        panic!(
            "no golden file {} (this run's transcript is in {}); to write it: {UPDATE}",
            file.display(),
            run.display()
        )
    });
    if let Err(diff) = compare(&expected, actual) {
        panic!(
            "golden transcript {} differs from this run (- file, + run; the run's whole \
             transcript is in {}):\n{diff}\nIf the change is deliberate: {UPDATE}",
            file.display(),
            run.display()
        );
    }
}

/// Lines of context shown around a difference.
const CONTEXT: usize = 3;

/// Differing lines shown at most (the rest are counted).
const SHOWN: usize = 40;

/// `Ok` when `actual` is exactly `expected`; otherwise a readable line diff
/// of the first differences, with context.
pub fn compare(expected: &str, actual: &str) -> Result<(), String> {
    if expected == actual {
        return Ok(());
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    if a == b {
        return Err("the files differ only in line endings or a final newline".to_string());
    }
    // Lines are matched with their `#n` numbers masked, so one message
    // too many shows as that message, not as every later number shifting.
    let (ma, mb): (Vec<String>, Vec<String>) = (
        a.iter().map(|l| masked(l)).collect(),
        b.iter().map(|l| masked(l)).collect(),
    );
    let (ma, mb): (Vec<&str>, Vec<&str>) = (
        ma.iter().map(String::as_str).collect(),
        mb.iter().map(String::as_str).collect(),
    );
    let mut ops = line_diff(&ma, &mb);
    let renumbered = |op: &Op| matches!(op, Op::Same(x, y) if a[*x] != b[*y]);
    let shifted = ops.iter().filter(|op| renumbered(op)).count();
    let only_numbers = ops.iter().all(|op| matches!(op, Op::Same(..)));
    if only_numbers {
        // Nothing else differs: the numbers are the difference, shown in full.
        ops = ops
            .into_iter()
            .flat_map(|op| match op {
                Op::Same(x, y) if a[x] != b[y] => vec![Op::Gone(x, y), Op::New(x, y)],
                op => vec![op],
            })
            .collect();
    }
    // Hunks: each change with its context, overlapping ones merged.
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if matches!(op, Op::Same(..)) {
            continue;
        }
        let (from, to) = (i.saturating_sub(CONTEXT), (i + CONTEXT).min(ops.len() - 1));
        match hunks.last_mut() {
            Some(last) if from <= last.1 + 1 => last.1 = to,
            _ => hunks.push((from, to)),
        }
    }
    let changes = ops.iter().filter(|op| !matches!(op, Op::Same(..))).count();
    let mut out = String::new();
    let mut shown = 0;
    for (from, to) in hunks {
        if shown >= SHOWN {
            let _ = writeln!(out, "… {} more differing line(s)", changes - shown);
            break;
        }
        let (line_a, line_b) = ops[from].lines();
        let _ = writeln!(out, "@@ file line {line_a}, run line {line_b} @@");
        for op in &ops[from..=to] {
            match op {
                // Context as in this run, numbered like the `+` lines.
                Op::Same(_, y) => {
                    let _ = writeln!(out, "  {}", b[*y]);
                }
                Op::Gone(x, _) => {
                    shown += 1;
                    let _ = writeln!(out, "- {}", a[*x]);
                }
                Op::New(_, y) => {
                    shown += 1;
                    let _ = writeln!(out, "+ {}", b[*y]);
                }
            }
        }
    }
    if !only_numbers && shifted > 0 {
        let _ = writeln!(
            out,
            "({shifted} more line(s) differ only in their #numbers, shifted by the change above)"
        );
    }
    Err(out)
}

/// `line` with every `#<digits>` as `#n`.
fn masked(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '#' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('n');
        }
    }
    out
}

/// One line of a diff: in both, only in the file, only in the run (with
/// the line indexes in each, for the `@@` headers).
#[derive(Debug, Clone, Copy)]
enum Op {
    Same(usize, usize),
    Gone(usize, usize),
    New(usize, usize),
}

impl Op {
    /// 1-based line numbers in the file and the run where this op stands.
    fn lines(self) -> (usize, usize) {
        match self {
            Op::Same(x, y) | Op::Gone(x, y) | Op::New(x, y) => (x + 1, y + 1),
        }
    }
}

/// A shortest line diff by longest common subsequence (transcripts are a
/// few hundred lines).
fn line_diff(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same(i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(Op::Gone(i, j));
            i += 1;
        } else {
            ops.push(Op::New(i, j));
            j += 1;
        }
    }
    ops
}
