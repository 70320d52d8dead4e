//! What a button carries: enough to tell a live press from a stale one,
//! within Telegram's 64 bytes of callback data.

use std::fmt;

use crate::script::is_id;

/// A pressed button: which check, which turn of it, which question, which option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonToken {
    /// Session id the button was made for.
    pub session: u32,
    /// Session turn the button was made on.
    pub turn: u32,
    /// Question id.
    pub node: String,
    /// Option value.
    pub value: String,
}

impl ButtonToken {
    /// Reads callback data written by its `Display` form; `None` for anything else.
    pub fn decode(data: &str) -> Option<ButtonToken> {
        let mut parts = data.splitn(5, ':');
        if parts.next()? != "a" {
            return None;
        }
        let session = u32::from_str_radix(parts.next()?, 16).ok()?;
        let turn = u32::from_str_radix(parts.next()?, 16).ok()?;
        let node = parts.next()?.to_string();
        let value = parts.next()?.to_string();
        (is_id(&node) && is_id(&value)).then_some(ButtonToken {
            session,
            turn,
            node,
            value,
        })
    }
}

impl fmt::Display for ButtonToken {
    /// `a:<session hex>:<turn hex>:<node>:<value>`: at most 21 bytes plus node and value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a:{:x}:{:x}:{}:{}",
            self.session, self.turn, self.node, self.value
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::MAX_BUTTON_PAYLOAD;

    #[test]
    fn round_trip_within_telegram_limit() {
        let token = ButtonToken {
            session: u32::MAX,
            turn: u32::MAX,
            node: "n".repeat(20),
            value: "v".repeat(MAX_BUTTON_PAYLOAD - 20),
        };
        let data = token.to_string();
        assert!(data.len() <= 64, "{} bytes", data.len());
        assert_eq!(ButtonToken::decode(&data), Some(token));
    }

    #[test]
    fn forged_data_is_refused() {
        for data in [
            "",
            "a",
            "a:zz:1:n:v",
            "a:1:1:n",
            "a:1:1:n:v w",
            "b:1:1:n:v",
            "a:1:1::v",
        ] {
            assert_eq!(ButtonToken::decode(data), None, "{data}");
        }
    }
}
