//! A request's parameters, however the client sent them: teloxide sends JSON
//! (multipart for `setWebhook`), aiogram sends form fields.

use axum::http::HeaderMap;
use serde_json::{Value, json};

/// The parameters of a request: a JSON body as it is; form fields as an
/// object whose values are JSON where they parse as JSON other than a
/// string (numbers, keyboards); anything else (multipart) as text under
/// `_raw`, for a test to read.
pub(crate) fn parameters(headers: &HeaderMap, body: &[u8]) -> Value {
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if form {
        return Value::Object(form_urlencoded::parse(body).map(field).collect());
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| json!({ "_raw": String::from_utf8_lossy(body) }))
}

fn field((key, value): (std::borrow::Cow<str>, std::borrow::Cow<str>)) -> (String, Value) {
    let parsed = serde_json::from_str::<Value>(&value)
        .ok()
        .filter(|v| !v.is_string());
    let value = parsed.unwrap_or_else(|| Value::String(value.into_owned()));
    (key.into_owned(), value)
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};
    use serde_json::json;

    use super::parameters;

    fn typed(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_str(content_type).unwrap());
        headers
    }

    #[test]
    fn json_bodies_are_read_as_they_are() {
        let body = br#"{"chat_id": 5, "text": "12"}"#;
        let read = parameters(&typed("application/json"), body);
        assert_eq!(read, json!({ "chat_id": 5, "text": "12" }));
    }

    #[test]
    fn form_fields_are_json_where_they_parse_as_json() {
        let body = b"chat_id=1000000&text=Hello%2C+you&parse_mode=HTML&reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D";
        let headers = typed("application/x-www-form-urlencoded; charset=utf-8");
        let read = parameters(&headers, body);
        assert_eq!(read["chat_id"], 1_000_000);
        assert_eq!(read["text"], "Hello, you");
        assert_eq!(read["parse_mode"], "HTML");
        assert_eq!(read["reply_markup"], json!({ "inline_keyboard": [] }));
    }

    #[test]
    fn multipart_is_kept_as_text() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"url\"\r\n\r\nhttps://x\r\n--b--";
        let read = parameters(&typed("multipart/form-data; boundary=b"), body);
        assert!(read["_raw"].as_str().unwrap().contains("name=\"url\""));
    }
}
