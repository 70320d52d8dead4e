//! The fake refuses, over real HTTP, every kind of call that breaks the Bot
//! API specification, as Telegram would, and takes good calls however they
//! are encoded (JSON, form fields, multipart, any case of method name); a
//! strict fake (the default) fails the test whose bot made such a call.

use fake_bot_api::{FakeApi, Options, spec};
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

/// A multipart body of text parts, as teloxide sends `setWebhook`.
fn multipart(parts: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (name, value) in parts {
        body +=
            &format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
    }
    body + "--XyZ--\r\n"
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
            message(json!({ "message_thread_id": true })),
            "Bad Request: message_thread_id must be an Integer, not \"true\"",
            "",
        ),
        (
            "wrong type inside an object",
            "sendMessage",
            message(keyboard("x")).replace("\"Go\"", "[\"Go\"]"),
            "Bad Request: reply_markup.inline_keyboard[0][0].text must be a String",
            "",
        ),
        (
            "missing required field inside an object",
            "setMyCommands",
            json!({ "commands": [{ "command": "start" }] }).to_string(),
            "Bad Request: commands[0].description is required in BotCommand",
            "",
        ),
        (
            "unknown parse_mode",
            "sendMessage",
            message(json!({ "parse_mode": "Textile" })),
            "Bad Request: unsupported parse_mode \"Textile\"",
            "",
        ),
        (
            "text over 4096",
            "sendMessage",
            message(json!({ "text": long })),
            "Bad Request: message is too long",
            "4097 characters",
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
    let mut refused = 0;
    for (what, method, body, starts, says) in &bad {
        refused += 1;
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
    // The same checks on the other encodings, and on the webhook's set-up.
    let url = ("url", "https://bot.example/hook");
    let other: [(&str, &str, &str, String, &str); 4] = [
        (
            "wrong type in a form",
            "sendMessage",
            FORM,
            "chat_id=5&text=Hi&disable_notification=maybe".to_string(),
            "Bad Request: disable_notification must be a Boolean",
        ),
        (
            "secret token with a character Telegram refuses",
            "setWebhook",
            MULTIPART,
            multipart(&[url, ("secret_token", "not secret!")]),
            "Bad Request: secret token contains unallowed characters",
        ),
        (
            "secret token over 256 characters",
            "setWebhook",
            MULTIPART,
            multipart(&[url, ("secret_token", &"s".repeat(257))]),
            "Bad Request: secret_token is 257 characters, 1-256 allowed",
        ),
        (
            "webhook without its url",
            "setWebhook",
            MULTIPART,
            multipart(&[("secret_token", "s3cret")]),
            "Bad Request: parameter \"url\" of setWebhook is required",
        ),
    ];
    for (what, method, content_type, body, starts) in other {
        refused += 1;
        let (status, answer) = call(&api, method, content_type, body).await;
        let description = answer["description"].as_str().unwrap_or_default();
        println!("{what}: {status} {description}");
        assert_eq!(status, 400, "{what}: {answer}");
        assert!(description.starts_with(starts), "{what}: {description}");
    }

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
        ("JSON values read as text, as Telegram reads them", "sendMessage", JSON,
            json!({ "chat_id": "5", "text": 12, "disable_notification": "true",
                "reply_markup": markup }).to_string()),
        ("4096 characters outside the BMP (8192 UTF-16 code units)", "sendMessage", JSON,
            message(json!({ "text": "\u{1F600}".repeat(4096) }))),
        ("a webhook as teloxide sets it", "setWebhook", MULTIPART,
            multipart(&[url, ("secret_token", "Hook_secret-42"), ("drop_pending_updates", "false"),
                ("allowed_updates", r#"["message","callback_query"]"#)])),
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
    assert_eq!(checked, refused + accepted);
    // Taken, so the strict fake does not fail this test for them.
    let violations = api.take_violations();
    assert_eq!(violations.len(), refused, "{violations:#?}");
    assert!(violations[0].starts_with("sendMesage: Not Found"));
    assert!(api.violations().is_empty());
    println!(
        "{checked} calls checked against Bot API {}: {refused} refused, {accepted} accepted",
        spec::version(),
    );
}

/// Sends a button whose data is one byte over the limit; it is refused.
async fn send_65_bytes_of_button_data(api: &FakeApi) {
    let bad = message(keyboard(&"x".repeat(65)));
    let (status, _) = call(api, "sendMessage", JSON, bad).await;
    assert_eq!(status, 400);
}

/// A strict fake fails the test at once when it waits for a call and a
/// call broke the specification, and names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "while waiting for the reply, the fake Bot API refused 1 call(s)")]
async fn a_strict_fake_fails_a_wait_at_the_first_bad_call() {
    let api = FakeApi::start().await;
    send_65_bytes_of_button_data(&api).await;
    api.wait_for(0, "the reply", |_| true).await;
}

/// A strict fake fails the test when its last handle goes away if a call
/// broke the specification, even if the test never waited for anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "sendMessage: Bad Request: BUTTON_DATA_INVALID")]
async fn a_strict_fake_fails_its_test_when_dropped() {
    let api = FakeApi::start().await;
    let copy = api.clone();
    send_65_bytes_of_button_data(&api).await;
    // Only the last handle judges.
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(api)));
    assert!(first.is_ok(), "a handle with a copy left did not judge");
    drop(copy);
}

/// A fake that is not strict (a load run) refuses the call all the same,
/// lists it, and lets its owner carry on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lenient_fake_refuses_but_does_not_fail() {
    let options = Options {
        strict: false,
        ..Options::default()
    };
    let api = FakeApi::start_with(options).await;
    let (status, _) = call(
        &api,
        "sendMessage",
        JSON,
        message(json!({ "colour": "red" })),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(api.violations().len(), 1);
    assert_eq!(api.checked(), 1);
}
