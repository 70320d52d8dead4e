//! Languages: the bot's own words per language (Fluent catalogs) and how a
//! person's language is chosen. Below the dialogue and the engine, which
//! both take their words from here.

pub mod catalog;
pub mod letters;
pub mod lexicon;

pub use catalog::Catalog;

/// The language every dialogue is written in first, and the last resort.
pub const BASE: &str = "en";

/// The codes to try for a language tag, most specific first: Telegram's
/// `pt-br` gives `pt-BR`, then `pt`.
pub fn candidates(tag: &str) -> Vec<String> {
    let parts: Vec<&str> = tag
        .split(['-', '_'])
        .filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect();
    let Some(first) = parts.first() else {
        return Vec::new();
    };
    let language = first.to_ascii_lowercase();
    let mut found = Vec::new();
    if let Some(region) = parts.get(1) {
        found.push(format!("{language}-{}", region.to_ascii_uppercase()));
    }
    found.push(language);
    found
}

/// The first of `available` that `tag` names, if any (`pt-br` picks `pt-BR`,
/// else `pt`).
pub fn pick<'a>(
    available: impl IntoIterator<Item = &'a str> + Clone,
    tag: &str,
) -> Option<&'a str> {
    candidates(tag)
        .into_iter()
        .find_map(|code| available.clone().into_iter().find(|a| *a == code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised_then_shortened() {
        assert_eq!(candidates("pt-br"), ["pt-BR", "pt"]);
        assert_eq!(candidates("ES"), ["es"]);
        assert_eq!(candidates("ru_RU"), ["ru-RU", "ru"]);
        assert!(candidates("").is_empty());
        let have = ["en", "es", "pt-BR", "pt"];
        assert_eq!(pick(have, "pt-br"), Some("pt-BR"));
        assert_eq!(pick(have, "pt-PT"), Some("pt"));
        assert_eq!(pick(have, "es-MX"), Some("es"));
        assert_eq!(pick(have, "de"), None);
    }
}
