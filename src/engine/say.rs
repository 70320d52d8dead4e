//! How the engine words lengths of time and dates, in the dialogue's
//! language (its catalog holds the words and plural forms).

use super::duration::{civil_from_days, day_of};
use crate::language::Catalog;

/// A number of days the way a person would say it ("2 weeks", "5 дней").
pub fn days(catalog: &Catalog, days: u32) -> String {
    let (id, count) = match days {
        0 => return catalog.text("duration-less-than-a-day"),
        d if d >= 365 && d % 365 == 0 => ("duration-years", d / 365),
        d if d >= 30 && d % 30 == 0 => ("duration-months", d / 30),
        d if d >= 7 && d % 7 == 0 => ("duration-weeks", d / 7),
        d => ("duration-days", d),
    };
    catalog.get(id, &[("count", count.into())])
}

/// The date `ms` (since the epoch) falls on, in words (UTC).
pub fn date(catalog: &Catalog, ms: u64) -> String {
    let (year, month, day) = civil_from_days(day_of(ms));
    let month = catalog.text(&format!("month-{month}"));
    catalog.get(
        "date",
        &[
            ("day", day.into()),
            ("month", month.into()),
            // A year is a name, not a count: no "2,026".
            ("year", year.to_string().into()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_lengths_and_dates() {
        let en = Catalog::english();
        assert_eq!(days(en, 0), "less than a day");
        assert_eq!(days(en, 1), "1 day");
        assert_eq!(days(en, 3), "3 days");
        assert_eq!(days(en, 14), "2 weeks");
        assert_eq!(days(en, 60), "2 months");
        assert_eq!(days(en, 365), "1 year");
        assert_eq!(date(en, 1_795_694_400_000), "26 November 2026");
    }
}
