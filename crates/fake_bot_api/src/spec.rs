//! Every call checked against the Bot API specification, as Telegram would
//! check it: the vendored `tests/botapi/api.json` (see its `README.md`),
//! embedded at compile time, says which methods exist, their parameters,
//! which are required and of which type, down through nested objects
//! (a keyboard's buttons, a command scope); a few limits Telegram enforces
//! are read from the descriptions there, and what no data says is code here.
//!
//! From the data:
//! - the method, in any case (teloxide sends `SendMessage`; Telegram
//!   lowercases it); an unknown one is answered 404
//!   `Not Found: method not found`, as Telegram answers it;
//! - each parameter: unknown, missing while required, or of the wrong type
//!   (Integer, Float, Boolean, String, InputFile, `Array of ...`, or an
//!   object type whose fields are checked the same way, recursively; a type
//!   with subtypes, like `BotCommandScope`, takes the subtype its `type`
//!   field names). Parameters are read as Telegram reads them: as text,
//!   whether a form field, a multipart part or a value of a JSON body (a
//!   number or a boolean as it is written, an object or array as JSON), and
//!   the text must parse as the type. Inside an object an Integer may be a
//!   number or a string of digits and a String a string or a number;
//!   Booleans and Floats must be JSON booleans and numbers;
//! - lengths a description gives as `N-M characters` or `N-M bytes`: text
//!   1-4096, captions 0-1024, `callback_data` 1-64 bytes, a command 1-32
//!   and its description 1-256, an answer to a press 0-200 and so on.
//!   Bytes are UTF-8 bytes; characters are Unicode scalar values (Telegram
//!   takes 4096 emoji outside the BMP, 8192 UTF-16 code units). Text
//!   measured "after entities parsing" is the text with its HTML parsed
//!   (tags removed, entities decoded; see [`html`]) and leading and
//!   trailing white space trimmed. With `Markdown` or `MarkdownV2`, which
//!   are not parsed, the raw text is measured.
//!
//! As code: a command's name is `[a-z0-9_]{1,32}`; a webhook's secret token
//! holds only `A-Z a-z 0-9 _ -`; a `parse_mode` is `HTML`, `Markdown`,
//! `MarkdownV2` or `none`, in any case; with `HTML` the text must parse as
//! Telegram's HTML ([`html`]).
//!
//! Stricter than Telegram, on purpose, since each is a bug in a bot:
//! Telegram ignores parameters and object fields it does not know, and
//! reads any text as a Boolean (what is not `true`, `yes` or `1` is false);
//! the fake refuses an unknown name and wants a Boolean to be one of
//! `true false yes no 1 0`.
//!
//! A refusal is HTTP 400 with Telegram's envelope and, where Telegram has
//! one, its wording (`Bad Request: message is too long`,
//! `Bad Request: BUTTON_DATA_INVALID`, `Bad Request: can't parse entities:
//! ...`), followed by what exactly was wrong.

pub mod html;

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;

/// The vendored specification, as published.
const API_JSON: &str = include_str!("../../../tests/botapi/api.json");

static SPEC: LazyLock<Spec> = LazyLock::new(|| Spec::parse(API_JSON));

/// The Bot API version the vendored specification describes (`10.1`).
pub fn version() -> &'static str {
    &SPEC.version
}

/// How many methods the vendored specification has.
pub fn methods() -> usize {
    SPEC.methods.len()
}

/// One parameter of a request, as it arrived.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A value of a JSON body.
    Json(Value),
    /// A form field or a multipart text part: text, whatever it holds.
    Text(String),
    /// A multipart part with a file name: an uploaded file.
    File,
}

/// Why Telegram would refuse a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status (and `error_code`): 400, or 404 for an unknown method.
    pub status: u16,
    /// The `description`, `Bad Request: ...` (or `Not Found`).
    pub description: String,
}

/// Checks one call of `method` with `args` against the specification:
/// `Ok` if Telegram would take it, else why it would refuse it.
pub fn check(method: &str, args: &[(String, Arg)]) -> Result<(), Refusal> {
    let spec = &*SPEC;
    let Some(m) = spec.methods.get(&method.to_ascii_lowercase()) else {
        return Err(Refusal {
            status: 404,
            description: "Not Found: method not found".to_string(),
        });
    };
    let bad = |why: String| Refusal {
        status: 400,
        description: format!("Bad Request: {why}"),
    };
    for (name, _) in args {
        if !m.fields.iter().any(|f| f.name == *name) {
            return Err(bad(format!(
                "unknown parameter \"{name}\" (not a parameter of {})",
                m.name
            )));
        }
    }
    for field in m.fields.iter().filter(|f| f.required) {
        if !args.iter().any(|(name, _)| *name == field.name) {
            return Err(bad(match (m.name.as_str(), field.name.as_str()) {
                ("sendMessage", "text") => "message text is empty".to_string(),
                (_, name) => format!("parameter \"{name}\" of {} is required", m.name),
            }));
        }
    }
    let text_of = |name: &str| {
        args.iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, arg)| match arg {
                Arg::Text(s) | Arg::Json(Value::String(s)) => Some(s.as_str()),
                _ => None,
            })
    };
    for (name, arg) in args {
        let field = m.fields.iter().find(|f| f.name == *name).expect("known");
        let mode = field
            .parsed
            .then(|| text_of(&mode_field(field, m.fields.iter())))
            .flatten();
        let checked = spec.argument(&m.name, field, arg, mode);
        checked.map_err(|fail| bad(fail.into_message()))?;
    }
    Ok(())
}

/// The parameter or field holding the parse mode of `field`:
/// `<field>_parse_mode` where there is one (`explanation_parse_mode`), else
/// `parse_mode` (a message's `text`, a `caption`).
fn mode_field<'a>(field: &Field, mut siblings: impl Iterator<Item = &'a Field>) -> String {
    let own = format!("{}_parse_mode", field.name);
    if siblings.any(|f| f.name == own) {
        own
    } else {
        "parse_mode".to_string()
    }
}

/// The specification, read for checking.
struct Spec {
    version: String,
    /// Methods by lowercased name.
    methods: HashMap<String, Method>,
    /// Types by name.
    types: HashMap<String, Type>,
}

struct Method {
    name: String,
    fields: Vec<Field>,
}

struct Type {
    fields: Vec<Field>,
    /// The types that are this one (`BotCommandScope`'s seven scopes).
    subtypes: Vec<String>,
}

struct Field {
    name: String,
    /// The types it may have, any of them (`Integer`, `String`).
    types: Vec<String>,
    required: bool,
    /// Its length limits, from its description.
    limit: Option<Limit>,
    /// Whether its length is measured after entities parsing.
    parsed: bool,
    /// The only value it may have (a subtype's `type`, "must be chat").
    constant: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Limit {
    min: usize,
    max: usize,
    bytes: bool,
}

impl Spec {
    fn parse(json: &str) -> Spec {
        let data: Value = serde_json::from_str(json).expect("tests/botapi/api.json is JSON");
        let version = data["version"].as_str().unwrap_or("unknown");
        let version = version.trim_start_matches("Bot API ").to_string();
        let section = |key: &str| data[key].as_object().cloned().unwrap_or_default();
        let methods = section("methods")
            .into_iter()
            .map(|(name, m)| {
                let mut fields = fields(&m);
                fields.iter_mut().for_each(|f| f.constant = None);
                let method = Method {
                    fields,
                    name: name.clone(),
                };
                (name.to_ascii_lowercase(), method)
            })
            .collect();
        let types = section("types")
            .into_iter()
            .map(|(name, t)| {
                let subtypes = t["subtypes"].as_array().into_iter().flatten();
                let subtypes = subtypes.filter_map(Value::as_str).map(str::to_string);
                let mut fields = fields(&t);
                if t.get("subtype_of").is_none() {
                    // Only a subtype's field names its kind ("must be chat").
                    fields.iter_mut().for_each(|f| f.constant = None);
                }
                let subtypes = subtypes.collect();
                (name, Type { fields, subtypes })
            })
            .collect();
        Spec {
            version,
            methods,
            types,
        }
    }

    /// One parameter of a call of `method`, as it arrived.
    fn argument(&self, method: &str, field: &Field, arg: &Arg, mode: Option<&str>) -> Checked {
        let path = field.name.as_str();
        match arg {
            Arg::File if field.types.iter().any(|t| t == "InputFile") => Ok(()),
            Arg::File => Err(Fail::Shape(format!(
                "{path} must be {}, not a file",
                field.kinds()
            ))),
            Arg::Text(text) | Arg::Json(Value::String(text)) => {
                self.as_text(method, field, text, mode, path)
            }
            // Telegram reads a JSON body's values as it reads form fields:
            // a number or a boolean as the text it is written as.
            Arg::Json(value @ (Value::Object(_) | Value::Array(_))) => {
                self.field(method, field, value, mode, path)
            }
            Arg::Json(scalar) => self.as_text(method, field, &scalar.to_string(), mode, path),
        }
    }

    /// A parameter that arrived as text, read as the type of `field`.
    fn as_text(
        &self,
        method: &str,
        field: &Field,
        text: &str,
        mode: Option<&str>,
        path: &str,
    ) -> Checked {
        self.any_of(field, path, |t| self.text(text, t, path))?;
        string(method, field, text, mode, path)
    }

    /// A JSON value of `field` of `owner` (a method or a type), at `path`.
    fn field(
        &self,
        owner: &str,
        field: &Field,
        value: &Value,
        mode: Option<&str>,
        path: &str,
    ) -> Checked {
        self.any_of(field, path, |t| self.value(value, t, path))?;
        match value {
            Value::String(text) => string(owner, field, text, mode, path),
            Value::Number(n) if field.types.iter().any(|t| t == "String") => {
                string(owner, field, &n.to_string(), mode, path)
            }
            _ => Ok(()),
        }
    }

    /// `checked` for each type `field` may have: fine if one takes it.
    fn any_of(&self, field: &Field, path: &str, checked: impl Fn(&str) -> Checked) -> Checked {
        let mut shapes = Vec::new();
        for t in &field.types {
            match checked(t) {
                Ok(()) => return Ok(()),
                Err(Fail::Content(why)) => return Err(Fail::Content(why)),
                Err(Fail::Shape(why)) => shapes.push(why),
            }
        }
        if shapes.len() == 1 {
            return Err(Fail::Shape(shapes.remove(0)));
        }
        Err(Fail::Shape(format!("{path} must be {}", field.kinds())))
    }

    /// A form field or multipart part (text) read as type `t`.
    fn text(&self, text: &str, t: &str, path: &str) -> Checked {
        let wrong = || Fail::Shape(format!("{path} must be {}, not {text:?}", a(t)));
        match t {
            "String" => Ok(()),
            "Integer" => text.parse::<i64>().map(drop).map_err(|_| wrong()),
            "Float" => text.parse::<f64>().map(drop).map_err(|_| wrong()),
            // Telegram takes any text as a Boolean (what is not "true",
            // "yes" or "1" is false); the fake wants one of its words.
            "Boolean" => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "false" | "no" | "0" => Ok(()),
                _ => Err(wrong()),
            },
            "InputFile" => Err(Fail::Shape(format!("{path} must be an uploaded file"))),
            _ => match serde_json::from_str::<Value>(text) {
                Ok(value) => self.value(&value, t, path),
                Err(_) => Err(Fail::Shape(format!(
                    "{path} must be {} as JSON, not {text:?}",
                    a(t)
                ))),
            },
        }
    }

    /// A JSON value of type `t` (`Integer`, `Array of String`, `BotCommand`).
    fn value(&self, value: &Value, t: &str, path: &str) -> Checked {
        let wrong = || Fail::Shape(format!("{path} must be {}, not {value}", a(t)));
        if let Some(item) = t.strip_prefix("Array of ") {
            let items = value.as_array().ok_or_else(wrong)?;
            for (i, v) in items.iter().enumerate() {
                let path = format!("{path}[{i}]");
                // An item of another type: the array is of another type
                // (`Array of InputMediaAudio or Array of InputMediaDocument`).
                self.value(v, item, &path)?;
            }
            return Ok(());
        }
        // Inside an object Telegram takes a number or a string of digits
        // for an Integer, and a number for a String; nothing else converts.
        let fits = match t {
            "Integer" => {
                value.is_i64()
                    || value.is_u64()
                    || value.as_str().is_some_and(|s| s.parse::<i64>().is_ok())
            }
            "Float" => value.is_number(),
            "Boolean" => value.is_boolean(),
            "String" => value.is_string() || value.is_number(),
            "InputFile" => false,
            _ => return self.object(value, t, path),
        };
        if fits { Ok(()) } else { Err(wrong()) }
    }

    /// A JSON object of type `name`: its fields as the specification lists
    /// them, or for a type with subtypes, one of those.
    fn object(&self, value: &Value, name: &str, path: &str) -> Checked {
        let Some(t) = self.types.get(name) else {
            return Ok(()); // a type the specification does not describe
        };
        if !t.subtypes.is_empty() {
            let mut fails = Vec::new();
            for subtype in &t.subtypes {
                match self.object(value, subtype, path) {
                    Ok(()) => return Ok(()),
                    Err(fail) => fails.push(fail),
                }
            }
            let content = fails.into_iter().find(Fail::is_content);
            return Err(content.unwrap_or_else(|| {
                Fail::Shape(format!(
                    "{path} must be one of the kinds of {name}, not {value}"
                ))
            }));
        }
        let object = value
            .as_object()
            .ok_or_else(|| Fail::Shape(format!("{path} must be {}, not {value}", a(name))))?;
        if t.fields.is_empty() {
            return Ok(());
        }
        for field in &t.fields {
            let Some(constant) = &field.constant else {
                continue;
            };
            if object.get(&field.name).and_then(Value::as_str) != Some(constant) {
                return Err(Fail::Shape(format!(
                    "{path}.{} must be \"{constant}\" in a {name}",
                    field.name
                )));
            }
        }
        for key in object.keys() {
            if !t.fields.iter().any(|f| f.name == *key) {
                return Err(Fail::Shape(format!(
                    "{path} has a field \"{key}\" that {name} does not have"
                )));
            }
        }
        for field in t.fields.iter().filter(|f| f.required) {
            if !object.contains_key(&field.name) {
                return Err(Fail::Shape(format!(
                    "{path}.{} is required in {name}",
                    field.name
                )));
            }
        }
        for (key, v) in object {
            let field = t.fields.iter().find(|f| f.name == *key).expect("known");
            let mode = field
                .parsed
                .then(|| object.get(&mode_field(field, t.fields.iter())))
                .flatten()
                .and_then(Value::as_str);
            let path = format!("{path}.{key}");
            self.field(name, field, v, mode, &path)
                .map_err(Fail::inside)?;
        }
        Ok(())
    }
}

/// `t` with its article, for messages: "an Integer", "a String".
fn a(t: &str) -> String {
    let vowel = t.starts_with(['A', 'E', 'I', 'O', 'U']);
    format!("{} {t}", if vowel { "an" } else { "a" })
}

/// The checks on a string field of `owner` (a method or a type): its
/// length, its HTML, and the rules only code knows.
fn string(owner: &str, field: &Field, text: &str, mode: Option<&str>, path: &str) -> Checked {
    let content = |why: String| Err(Fail::Content(why));
    let html = mode.is_some_and(|m| m.eq_ignore_ascii_case("HTML"));
    if field.name.ends_with("parse_mode")
        && !text.is_empty()
        && !["HTML", "Markdown", "MarkdownV2", "none"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(text))
    {
        return content(format!("unsupported parse_mode \"{text}\" in {path}"));
    }
    let plain = if field.parsed && html {
        match html::plain(text) {
            Ok(plain) => Some(plain),
            Err(why) => return content(format!("can't parse entities: {why} (in {path})")),
        }
    } else {
        None
    };
    match (owner, field.name.as_str()) {
        ("BotCommand", "command") => {
            let fine = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
            if text.is_empty() || text.len() > 32 || !text.chars().all(fine) {
                return content(format!(
                    "BOT_COMMAND_INVALID ({path} is {text:?}: a command is 1-32 of a-z, 0-9 and _)"
                ));
            }
        }
        ("setWebhook", "secret_token") => {
            let fine = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
            if !text.chars().all(fine) {
                return content("secret token contains unallowed characters".to_string());
            }
        }
        _ => {}
    }
    let Some(limit) = field.limit else {
        return Ok(());
    };
    let (length, unit) = match &plain {
        Some(plain) => (plain.trim().chars().count(), "characters"),
        None if field.parsed => (text.trim().chars().count(), "characters"),
        None if limit.bytes => (text.len(), "bytes"),
        None => (text.chars().count(), "characters"),
    };
    if (limit.min..=limit.max).contains(&length) {
        return Ok(());
    }
    let what = format!(
        "{path} is {length} {unit}, {}-{} allowed",
        limit.min, limit.max
    );
    let telegram = match field.name.as_str() {
        "text" if field.parsed && length == 0 => "message text is empty",
        "text" if field.parsed => "message is too long",
        "caption" if field.parsed => "message caption is too long",
        "callback_data" => "BUTTON_DATA_INVALID",
        "description" if owner == "BotCommand" => "BOT_COMMAND_DESCRIPTION_INVALID",
        _ => return content(what),
    };
    content(format!("{telegram} ({what})"))
}

/// Why a value does not fit.
#[derive(Debug)]
enum Fail {
    /// It is not of the type at all (another type may still take it).
    Shape(String),
    /// It is of the type but something in it is wrong.
    Content(String),
}

type Checked = Result<(), Fail>;

impl Fail {
    fn is_content(&self) -> bool {
        matches!(self, Fail::Content(_))
    }

    /// A failure of a field is a failure of the object's content: it is
    /// of the type, but wrong.
    fn inside(self) -> Fail {
        Fail::Content(self.into_message())
    }

    fn into_message(self) -> String {
        match self {
            Fail::Shape(why) | Fail::Content(why) => why,
        }
    }
}

impl Field {
    /// Its types for a message: "Integer or String".
    fn kinds(&self) -> String {
        self.types.join(" or ")
    }
}

/// The fields (or parameters) of a method or type in the specification.
fn fields(item: &Value) -> Vec<Field> {
    let fields = item["fields"].as_array().into_iter().flatten();
    fields
        .map(|f| {
            let description = f["description"].as_str().unwrap_or("");
            let types = f["types"].as_array().into_iter().flatten();
            Field {
                name: f["name"].as_str().unwrap_or("").to_string(),
                types: types
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                required: f["required"].as_bool().unwrap_or(false),
                limit: limit(description),
                parsed: description.contains("after entities parsing")
                    || description.contains("after entity parsing"),
                constant: constant(description),
            }
        })
        .collect()
}

/// The length limit a description gives: "1-4096 characters", "1-64 bytes".
fn limit(description: &str) -> Option<Limit> {
    let words: Vec<&str> = description.split_whitespace().collect();
    words.windows(2).find_map(|pair| {
        let unit = pair[1].trim_end_matches(|c: char| !c.is_ascii_alphabetic());
        let bytes = match unit {
            "characters" => false,
            "bytes" => true,
            _ => return None,
        };
        let (min, max) = pair[0].split_once('-')?;
        Some(Limit {
            min: min.parse().ok()?,
            max: max.parse().ok()?,
            bytes,
        })
    })
}

/// The one value a subtype's discriminating field may have: "Scope type,
/// must be chat", "Type of the reaction, always \"emoji\"".
fn constant(description: &str) -> Option<String> {
    let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    let end = description.trim_end_matches('.');
    if let Some((_, last)) = end.rsplit_once(", must be ") {
        return word(last).then(|| last.to_string());
    }
    let (_, rest) = description.split_once("always \"")?;
    let (value, _) = rest.split_once('"')?;
    word(value).then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Arg, Limit, check, constant, limit, version};

    fn json(body: serde_json::Value) -> Vec<(String, Arg)> {
        let fields = body.as_object().unwrap().clone();
        fields.into_iter().map(|(k, v)| (k, Arg::Json(v))).collect()
    }

    fn refusal(method: &str, body: serde_json::Value) -> String {
        check(method, &json(body)).unwrap_err().description
    }

    #[test]
    fn the_spec_is_read() {
        assert!(version().starts_with("10."), "{}", version());
        assert!(super::methods() > 150);
    }

    #[test]
    fn limits_and_constants_are_read_from_descriptions() {
        let text = "Text of the message to be sent, 1-4096 characters after entities parsing";
        let want = Limit {
            min: 1,
            max: 4096,
            bytes: false,
        };
        assert_eq!(limit(text), Some(want));
        let data = "Optional. Data to be sent in a callback query, 1-64 bytes";
        assert_eq!(limit(data).map(|l| (l.max, l.bytes)), Some((64, true)));
        assert_eq!(limit("Values between 1-100 are accepted."), None);
        assert_eq!(
            constant("Scope type, must be chat").as_deref(),
            Some("chat")
        );
        let always = "Type of the reaction, always \"emoji\"";
        assert_eq!(constant(always).as_deref(), Some("emoji"));
        assert_eq!(
            constant("The bot must be an administrator in the chat"),
            None
        );
    }

    #[test]
    fn good_calls_pass() {
        let keyboard = json!({ "inline_keyboard": [[{ "text": "Yes", "callback_data": "a:y" }]] });
        let body = json!({ "chat_id": 5, "text": "<b>Hi</b> &amp; bye", "parse_mode": "HTML",
            "reply_markup": keyboard, "link_preview_options": { "is_disabled": true } });
        assert_eq!(check("SendMessage", &json(body)), Ok(()));
        let scope = json!({ "type": "chat", "chat_id": -100 });
        let commands = json!([{ "command": "start", "description": "Begin" }]);
        let body = json!({ "commands": commands, "scope": scope, "language_code": "es" });
        assert_eq!(check("setMyCommands", &json(body)), Ok(()));
        assert_eq!(check("getMe", &[]), Ok(()));
    }

    #[test]
    fn nested_objects_are_checked_field_by_field() {
        let scope = json!({ "type": "chat" });
        let commands = json!([{ "command": "start", "description": "Begin" }]);
        let why = refusal(
            "setMyCommands",
            json!({ "commands": commands, "scope": scope }),
        );
        assert!(why.contains("scope"), "{why}");
        let scope = json!({ "type": "all_private_chats", "chat_id": 5 });
        let why = refusal(
            "setMyCommands",
            json!({ "commands": commands, "scope": scope }),
        );
        assert!(why.contains("scope"), "{why}");
        let button = json!({ "text": "Yes", "callback_data": "a", "colour": "red" });
        let markup = json!({ "inline_keyboard": [[button]] });
        let why = refusal(
            "sendMessage",
            json!({ "chat_id": 1, "text": "x", "reply_markup": markup }),
        );
        assert!(why.contains("reply_markup.inline_keyboard[0][0]"), "{why}");
        assert!(why.contains("colour"), "{why}");
    }

    #[test]
    fn form_text_must_parse_as_the_type() {
        let text = |pairs: &[(&str, &str)]| -> Vec<(String, Arg)> {
            let pairs = pairs.iter();
            pairs
                .map(|(k, v)| (k.to_string(), Arg::Text(v.to_string())))
                .collect()
        };
        let good = text(&[
            ("chat_id", "12"),
            ("text", "12"),
            ("disable_notification", "true"),
            (
                "reply_markup",
                r#"{"inline_keyboard":[[{"text":"a","callback_data":"b"}]]}"#,
            ),
        ]);
        assert_eq!(check("sendMessage", &good), Ok(()));
        let bad = text(&[
            ("chat_id", "12"),
            ("text", "x"),
            ("disable_notification", "maybe"),
        ]);
        let why = check("sendMessage", &bad).unwrap_err().description;
        assert!(why.contains("disable_notification"), "{why}");
    }

    #[test]
    fn whitespace_only_text_is_empty() {
        let why = refusal("sendMessage", json!({ "chat_id": 1, "text": " \n" }));
        assert!(
            why.starts_with("Bad Request: message text is empty"),
            "{why}"
        );
    }
}
