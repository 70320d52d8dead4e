//! A request's parameters, however the client sent them: teloxide sends JSON
//! (multipart for `setWebhook`), aiogram sends form fields.

use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::spec::Arg;

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

/// The parameters of a request as they arrived, for checking against the
/// specification: a JSON body's values as JSON, form fields and multipart
/// text parts as text, multipart file parts as files. An empty body has
/// none; a body that is none of these is refused with its reason.
pub(crate) fn arguments(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, Arg)>, String> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let kind = content_type.split(';').next().unwrap_or("").trim();
    if kind.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        let fields = form_urlencoded::parse(body);
        return Ok(fields
            .map(|(k, v)| (k.into_owned(), Arg::Text(v.into_owned())))
            .collect());
    }
    if kind.eq_ignore_ascii_case("multipart/form-data") {
        let boundary = content_type.split(';').find_map(|p| {
            let value = p.trim().strip_prefix("boundary=")?;
            Some(value.trim_matches('"').to_string())
        });
        let boundary = boundary.ok_or("multipart/form-data without a boundary")?;
        return Ok(multipart(body, &boundary));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(fields)) => {
            Ok(fields.into_iter().map(|(k, v)| (k, Arg::Json(v))).collect())
        }
        Ok(_) => Err("the JSON body is not an object".to_string()),
        Err(e) => Err(format!("can't parse JSON: {e}")),
    }
}

/// The files uploaded in a multipart body: each part's name and bytes.
pub(crate) fn uploads(headers: &HeaderMap, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = content_type.split(';').find_map(|p| {
        let value = p.trim().strip_prefix("boundary=")?;
        Some(value.trim_matches('"').to_string())
    });
    match boundary {
        Some(boundary) if content_type.starts_with("multipart/form-data") => parts(body, &boundary)
            .into_iter()
            .filter(|part| part.file)
            .map(|part| (part.name, part.content))
            .collect(),
        _ => Vec::new(),
    }
}

/// The parts of a multipart body: text parts as text, parts with a file name
/// as files.
fn multipart(body: &[u8], boundary: &str) -> Vec<(String, Arg)> {
    parts(body, boundary)
        .into_iter()
        .map(|part| {
            let arg = if part.file {
                Arg::File
            } else {
                Arg::Text(String::from_utf8_lossy(&part.content).into_owned())
            };
            (part.name, arg)
        })
        .collect()
}

/// One part of a multipart body.
struct Part {
    name: String,
    /// Whether it carries a file name (an upload).
    file: bool,
    content: Vec<u8>,
}

fn parts(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    for part in split(body, delimiter.as_bytes()).skip(1) {
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(end) = find(part, b"\r\n\r\n") else {
            continue; // the closing "--"
        };
        let headers = String::from_utf8_lossy(&part[..end]);
        let content = &part[end + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let quoted = |key: &str| {
            let start = headers.find(&format!("{key}=\""))? + key.len() + 2;
            let len = headers[start..].find('"')?;
            Some(headers[start..start + len].to_string())
        };
        let Some(name) = quoted(" name").or_else(|| quoted(";name")) else {
            continue;
        };
        parts.push(Part {
            name,
            file: quoted("filename").is_some(),
            content: content.to_vec(),
        });
    }
    parts
}

/// `body` cut at each occurrence of `delimiter`.
fn split<'a>(body: &'a [u8], delimiter: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
    let mut rest = Some(body);
    std::iter::from_fn(move || {
        let now = rest?;
        match find(now, delimiter) {
            Some(at) => {
                rest = Some(&now[at + delimiter.len()..]);
                Some(&now[..at])
            }
            None => {
                rest = None;
                Some(now)
            }
        }
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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

    use super::{arguments, parameters};
    use crate::spec::Arg;

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
    fn arguments_keep_json_values_form_text_and_multipart_files() {
        let json = br#"{"chat_id": 5, "reply_markup": {"inline_keyboard": []}}"#;
        let read = arguments(&typed("application/json"), json).unwrap();
        assert!(matches!(&read[0], (k, Arg::Json(v)) if k == "chat_id" && *v == 5));
        let form = b"chat_id=12&text=Hi";
        let read = arguments(&typed("application/x-www-form-urlencoded"), form).unwrap();
        assert!(matches!(&read[0], (k, Arg::Text(v)) if k == "chat_id" && v == "12"));
        let body = b"--b\r\nContent-Disposition: form-data; name=\"url\"\r\n\r\nhttps://x\r\n--b\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.html\"\r\n\r\n<p>\r\n--b--\r\n";
        let read = arguments(&typed("multipart/form-data; boundary=b"), body).unwrap();
        assert!(matches!(&read[0], (k, Arg::Text(v)) if k == "url" && v == "https://x"));
        assert!(matches!(&read[1], (k, Arg::File) if k == "document"));
        assert_eq!(read.len(), 2);
        assert!(
            arguments(&typed("application/json"), b"")
                .unwrap()
                .is_empty()
        );
        assert!(arguments(&typed("application/json"), b"[1]").is_err());
    }

    #[test]
    fn multipart_is_kept_as_text() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"url\"\r\n\r\nhttps://x\r\n--b--";
        let read = parameters(&typed("multipart/form-data; boundary=b"), body);
        assert!(read["_raw"].as_str().unwrap().contains("name=\"url\""));
    }
}
