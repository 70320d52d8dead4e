//! Bot API calls made directly over HTTP, with failures sorted by what to do
//! about them. teloxide's request path sleeps a fixed 10 s after any 5xx
//! before it returns the error (`DELAY_ON_SERVER_ERROR` in teloxide-core);
//! the sender does its own retries, so it calls the API here instead.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use teloxide::RequestError;

use teloxide::Bot;

use crate::config::{Config, Secret};
use crate::runtime::Failure;

/// The Bot API client, for the calls made through teloxide (start-up,
/// admin checks); messages go out through the edge's own calls.
#[derive(Clone)]
pub struct TgBot {
    bot: Bot,
}

impl TgBot {
    /// The teloxide client.
    pub fn api(&self) -> &Bot {
        &self.bot
    }
}

/// The Bot API client: the configured server and timeout.
pub fn connect(config: &Config) -> TgBot {
    let token = config.token.as_ref().map_or("", Secret::expose);
    let client = teloxide::net::default_reqwest_settings()
        .timeout(config.http_timeout)
        .build();
    let mut bot = match client {
        Ok(client) => Bot::with_client(token, client),
        Err(e) => {
            log::warn!("custom HTTP client failed ({e}); using teloxide's default");
            Bot::new(token)
        }
    };
    if let Some(url) = config.api_url.clone() {
        bot = bot.set_api_url(url);
    }
    TgBot { bot }
}

/// Telegram's answer envelope.
#[derive(Deserialize)]
struct Envelope {
    ok: bool,
    result: Option<Box<RawValue>>,
    error_code: Option<u16>,
    description: Option<String>,
    parameters: Option<Parameters>,
}

#[derive(Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
}

/// Calls `method` with a JSON body; the `result` on success, unparsed.
pub async fn call(bot: &TgBot, method: &str, body: &Value) -> Result<Box<RawValue>, Failure> {
    send(request(bot, method)?.json(body)).await
}

/// Calls `method` with a file (as multipart form data, which Telegram
/// requires for uploads) and plain `fields`.
pub async fn upload(
    bot: &TgBot,
    method: &str,
    fields: &[(&str, String)],
    file: (&str, &str, Vec<u8>),
) -> Result<Box<RawValue>, Failure> {
    let (field, filename, bytes) = file;
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.clone());
    }
    let part = reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string());
    form = form.part(field.to_string(), part);
    send(request(bot, method)?.multipart(form)).await
}

/// A POST to `method`, not yet sent.
fn request(bot: &TgBot, method: &str) -> Result<reqwest::RequestBuilder, Failure> {
    let api = bot.api();
    let mut url = api.api_url();
    url.path_segments_mut()
        .map_err(|()| Failure::Rejected("the Bot API URL cannot take a path".into()))?
        .push(&format!("bot{}", api.token()))
        .push(method);
    Ok(api.client().post(url))
}

/// Sends a request and reads Telegram's answer into a result or a [`Failure`].
async fn send(request: reqwest::RequestBuilder) -> Result<Box<RawValue>, Failure> {
    let response = request
        .send()
        .await
        .map_err(|e| Failure::Transient(network(&e)))?;
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .map_err(|e| Failure::Transient(network(&e)))?;
    let envelope: Envelope = match serde_json::from_str(&text) {
        Ok(envelope) => envelope,
        Err(e) => {
            return Err(Failure::Transient(format!(
                "HTTP {status} with an answer that could not be read ({})",
                json_failure(&e)
            )));
        }
    };
    if envelope.ok {
        return envelope
            .result
            .ok_or_else(|| Failure::Transient(format!("HTTP {status}: ok without a result")));
    }
    let code = envelope.error_code.unwrap_or(status);
    let description = envelope.description.unwrap_or_default();
    if let Some(seconds) = envelope.parameters.and_then(|p| p.retry_after) {
        return Err(Failure::RetryAfter(Duration::from_secs(seconds)));
    }
    Err(classify(code, &description))
}

/// Sorts a refusal by its code and Telegram's description.
fn classify(code: u16, description: &str) -> Failure {
    let said = |words: &[&str]| words.iter().any(|w| description.contains(w));
    match code {
        429 => Failure::RetryAfter(Duration::from_secs(1)),
        403 => Failure::Gone,
        400 if said(&[
            "chat not found",
            "user is deactivated",
            "bot was kicked",
            "group chat was deactivated",
            "PEER_ID_INVALID",
        ]) =>
        {
            Failure::Gone
        }
        400 if said(&["message is not modified"]) => Failure::NotModified,
        400 if said(&[
            "message to edit not found",
            "message can't be edited",
            "query is too old",
            "query ID is invalid",
        ]) =>
        {
            Failure::Stale
        }
        // 401/404 are a wrong token or address: the operator fixes it, and
        // what waits must not be lost meanwhile.
        400..=499 if code != 401 && code != 404 => {
            Failure::Rejected(format!("{code} {description}"))
        }
        _ => Failure::Transient(format!("{code} {description}")),
    }
}

/// A network failure, without the URL (it holds the token).
fn network(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the answer broke off"
    } else {
        "request failed"
    };
    format!("network: {kind}")
}

/// An error as it may be logged. teloxide's JSON errors carry the raw
/// response, which can hold what users wrote (a truncated `getUpdates` page,
/// an echoed answer), so only the kind of failure is kept.
pub fn loggable(error: &(dyn std::error::Error + 'static)) -> String {
    match error.downcast_ref::<RequestError>() {
        Some(RequestError::InvalidJson { source, .. }) => format!(
            "the Bot API answered with JSON that could not be read ({})",
            json_failure(source)
        ),
        _ => error.to_string(),
    }
}

/// Where and how JSON failed to parse, without serde's message: that quotes
/// the offending value, which may be what a user wrote.
pub fn json_failure(error: &serde_json::Error) -> String {
    format!(
        "{:?} error at line {} column {}",
        error.classify(),
        error.line(),
        error.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_sorted_by_what_to_do() {
        assert_eq!(
            classify(403, "Forbidden: bot was blocked by the user"),
            Failure::Gone
        );
        assert_eq!(classify(400, "Bad Request: chat not found"), Failure::Gone);
        assert_eq!(
            classify(400, "Bad Request: message to edit not found"),
            Failure::Stale
        );
        assert_eq!(
            classify(400, "Bad Request: message is not modified: same content"),
            Failure::NotModified
        );
        assert!(matches!(
            classify(400, "Bad Request: can't parse entities"),
            Failure::Rejected(_)
        ));
        assert!(matches!(
            classify(502, "Bad Gateway"),
            Failure::Transient(_)
        ));
        assert!(matches!(
            classify(401, "Unauthorized"),
            Failure::Transient(_)
        ));
    }
}
