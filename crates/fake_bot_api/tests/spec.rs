//! The fake refuses, over real HTTP, every kind of call that breaks the Bot
//! API specification, as Telegram would, and takes good calls however they
//! are encoded (JSON, form fields, multipart, any case of method name).

use fake_bot_api::{FakeApi, spec};
use serde_json::{Value, json};

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data; boundary=XyZ";

/// Sends `body` to `method` as `content_type`; returns the status and the
/// answer's JSON.
async fn call(api: &FakeApi, method: &str, content_type: &str, body: String) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .post(format!("{}bot1:test/{method}", api.url))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

/// A message to chat 5 with `fields` added.
fn message(fields: Value) -> String {
    let mut body = json!({ "chat_id": 5, "text": "Hello" });
    body.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    body.to_string()
}

fn keyboard(callback_data: &str) -> Value {
    json!({ "reply_markup": { "inline_keyboard": [[{ "text": "Go", "callback_data": callback_data }]] } })
}

fn html(text: &str) -> String {
    message(json!({ "text": text, "parse_mode": "HTML" }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_bad_call_is_refused_as_telegram_would() {
    let api = FakeApi::start().await;
    let long = "a".repeat(4097);
    let commands = |command: &str, description: &str| {
        json!({ "commands": [{ "command": command, "description": description }] }).to_string()
    };
    // (what, method, body, the description's start, what it also says)
    let bad: Vec<(&str, &str, String, &str, &str)> = vec![
        (
            "unknown method",
            "sendMesage",
            message(json!({})),
            "Not Found",
            "",
        ),
        (
            "unknown parameter",
            "sendMessage",
            message(json!({ "colour": "red" })),
            "Bad Request: unknown parameter \"colour\"",
            "",
        ),
        (
            "missing required parameter",
            "answerCallbackQuery",
            json!({ "text": "ok" }).to_string(),
            "Bad Request: parameter \"callback_query_id\" of answerCallbackQuery is required",
            "",
        ),
        (
            "wrong type",
            "sendMessage",
            message(json!({ "chat_id": true })),
            "Bad Request: chat_id must be Integer or String",
            "",
        ),
        (
            "wrong type inside an object",
            "sendMessage",
            message(keyboard("x")).replace("\"Go\"", "7"),
            "Bad Request: reply_markup.inline_keyboard[0][0].text must be a String",
            "",
        ),
        (
            "text over 4096",
            "sendMessage",
            message(json!({ "text": long })),
            "Bad Request: message is too long",
            "4097 UTF-16 code units",
        ),
        (
            "text over 4096 after entities parsing",
            "sendMessage",
            html(&format!("<b>{}</b>", "é".repeat(4097))),
            "Bad Request: message is too long",
            "",
        ),
        (
            "empty text",
            "sendMessage",
            html("<b> </b>"),
            "Bad Request: message text is empty",
            "",
        ),
        (
            "caption over 1024",
            "sendDocument",
            json!({ "chat_id": 5, "document": "file-id", "caption": "c".repeat(1025) }).to_string(),
            "Bad Request: message caption is too long",
            "",
        ),
        (
            "callback_data over 64 bytes",
            "sendMessage",
            message(keyboard(&"é".repeat(33))),
            "Bad Request: BUTTON_DATA_INVALID",
            "66 bytes",
        ),
        (
            "empty callback_data",
            "sendMessage",
            message(keyboard("")),
            "Bad Request: BUTTON_DATA_INVALID",
            "",
        ),
        (
            "command name",
            "setMyCommands",
            commands("Start", "Begin"),
            "Bad Request: BOT_COMMAND_INVALID",
            "",
        ),
        (
            "command description over 256",
            "setMyCommands",
            commands("start", &"d".repeat(257)),
            "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
            "",
        ),
        (
            "tag Telegram does not allow",
            "sendMessage",
            html("<div>x</div>"),
            "Bad Request: can't parse entities: Unsupported start tag \"div\"",
            "",
        ),
        (
            "unbalanced tags",
            "sendMessage",
            html("<b>bold <i>both</b></i>"),
            "Bad Request: can't parse entities: Unmatched end tag",
            "",
        ),
        (
            "unclosed tag",
            "sendMessage",
            html("<b>bold"),
            "Bad Request: can't parse entities: Can't find end tag",
            "",
        ),
        (
            "unescaped <",
            "sendMessage",
            html("1 < 2"),
            "Bad Request: can't parse entities: Unsupported start tag \"\"",
            "",
        ),
        (
            "unescaped >",
            "sendMessage",
            html("2 > 1"),
            "Bad Request: can't parse entities: Unescaped \">\"",
            "",
        ),
        (
            "unescaped &",
            "sendMessage",
            html("fish & chips"),
            "Bad Request: can't parse entities: Unescaped \"&\"",
            "",
        ),
        (
            "named entity Telegram lacks",
            "sendMessage",
            html("a&nbsp;b"),
            "Bad Request: can't parse entities: Unsupported HTML entity",
            "",
        ),
    ];
    for (what, method, body, starts, says) in &bad {
        let (status, answer) = call(&api, method, JSON, body.clone()).await;
        let description = answer["description"].as_str().unwrap_or_default();
        println!("{what}: {status} {description}");
        let want_status = if *method == "sendMesage" { 404 } else { 400 };
        assert_eq!(status, want_status, "{what}: {answer}");
        assert_eq!(answer["ok"], false, "{what}: {answer}");
        assert_eq!(answer["error_code"], want_status, "{what}: {answer}");
        assert!(description.starts_with(starts), "{what}: {description}");
        assert!(description.contains(says), "{what}: {description}");
    }
    let form_bad = "chat_id=5&text=Hi&disable_notification=maybe".to_string();
    let (status, answer) = call(&api, "sendMessage", FORM, form_bad).await;
    println!("wrong type in a form: {status} {}", answer["description"]);
    assert_eq!(status, 400, "{answer}");

    // Good calls, however they come.
    let markup = r#"{"inline_keyboard":[[{"text":"Go","callback_data":"a:1"}]]}"#;
    let good = [
        ("JSON, PascalCase method", "SendMessage", JSON,
            message(json!({ "text": "<b>Hi</b> &amp; <a href=\"https://x.org/?a=1&amp;b=2\">you</a> &#128075;",
                "parse_mode": "HTML", "reply_markup": keyboard("a:1")["reply_markup"].clone(),
                "link_preview_options": { "is_disabled": true } }))),
        ("form fields, markup as JSON text", "sendMessage", FORM,
            format!("chat_id=5&text=12&parse_mode=HTML&disable_notification=true&reply_markup={}",
                form_urlencoded::byte_serialize(markup.as_bytes()).collect::<String>())),
        ("multipart with a file", "sendDocument", MULTIPART,
            "--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n5\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.html\"\r\n\
             Content-Type: text/html\r\n\r\n<p>x</p>\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\n<b>Recap</b>\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"parse_mode\"\r\n\r\nHTML\r\n--XyZ--\r\n".to_string()),
        ("scoped commands", "setMyCommands", JSON,
            json!({ "commands": [{ "command": "start", "description": "Begin" }],
                "scope": { "type": "all_chat_administrators" }, "language_code": "es" }).to_string()),
        ("no parameters", "getMe", JSON, String::new()),
    ];
    let accepted = good.len();
    for (what, method, content_type, body) in good {
        let (status, answer) = call(&api, method, content_type, body).await;
        assert_eq!(
            (status, &answer["ok"]),
            (200, &json!(true)),
            "{what}: {answer}"
        );
    }

    let checked = api.checked();
    assert_eq!(checked, bad.len() + 1 + accepted);
    assert_eq!(api.violations().len(), bad.len() + 1);
    println!(
        "{checked} calls checked against Bot API {}: {} refused, {} accepted",
        spec::version(),
        bad.len() + 1,
        accepted
    );
}
