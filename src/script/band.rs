//! How often something happens, as a rate, and the bands of rates a
//! `frequency` question maps onto its options (`per_day = ">= 1 and < 48"`).
//!
//! Rates are kept as a count over a number of minutes and compared by
//! cross-multiplying, so "7 a week" and "1 a day" are exactly equal and a
//! file's bands can be checked to meet without gaps or overlaps.

use std::cmp::Ordering;

/// The units a band or a typed rate may be written in, with their minutes.
pub const UNITS: &[(&str, f64)] = &[
    ("per_minute", 1.0),
    ("per_hour", 60.0),
    ("per_day", 1_440.0),
    ("per_week", 10_080.0),
    ("per_month", 43_200.0),
    ("per_year", 525_600.0),
];

/// The largest number a band may name: far above any real rate, and small
/// enough that comparing rates by cross-multiplying stays exact.
pub const MAX_BOUND: f64 = 1_000_000.0;

/// A number of times per a number of minutes; zero minutes is "all the time".
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    /// How many times.
    pub times: f64,
    /// In how many minutes (0 for continuous).
    pub minutes: f64,
}

impl Rate {
    /// `times` in `minutes`.
    pub fn new(times: f64, minutes: f64) -> Rate {
        Rate { times, minutes }
    }

    /// Happening all the time: above every finite rate.
    pub fn continuous() -> Rate {
        Rate {
            times: 1.0,
            minutes: 0.0,
        }
    }
}

impl PartialEq for Rate {
    fn eq(&self, other: &Rate) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Rate {}

impl PartialOrd for Rate {
    fn partial_cmp(&self, other: &Rate) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rate {
    fn cmp(&self, other: &Rate) -> Ordering {
        // a/b against c/d as a*d against c*b; both minutes are >= 0.
        let left = self.times * other.minutes;
        let right = other.times * self.minutes;
        left.partial_cmp(&right).unwrap_or(Ordering::Equal)
    }
}

/// One end of a band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// The rate at the edge.
    pub rate: Rate,
    /// Whether the edge itself is inside the band.
    pub inclusive: bool,
}

/// A range of rates an option stands for; open ends reach 0 and "all the time".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    /// Lowest rate in the band; `None` from zero.
    pub lower: Option<Bound>,
    /// Highest rate in the band; `None` up to "all the time" inclusive.
    pub upper: Option<Bound>,
    /// The band as written, with its unit, for messages.
    pub text: String,
}

impl Band {
    /// Parses `">= 1 and < 48"` in the unit of `key` (e.g. `per_day`).
    /// The error says what is wrong and where in `text` (a byte offset).
    pub fn parse(key: &str, text: &str) -> Result<Band, (usize, String)> {
        let minutes = UNITS
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, minutes)| *minutes)
            .ok_or((0, format!("unknown band unit `{key}`")))?;
        let mut band = Band {
            lower: None,
            upper: None,
            text: format!("{} {}", text.trim(), key.replace('_', " ")),
        };
        let mut offset = 0;
        for part in text.split(" and ") {
            let at = offset + (part.len() - part.trim_start().len());
            offset += part.len() + " and ".len();
            let part = part.trim();
            let (op, number) = ["<=", ">=", "<", ">"]
                .iter()
                .find_map(|op| part.strip_prefix(op).map(|rest| (*op, rest.trim())))
                .ok_or((
                    at,
                    format!(
                        "a band is one or two bounds such as `>= 1` or `>= 1 and < 10`; `{part}` is not"
                    ),
                ))?;
            let value: f64 = number
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite() && *n >= 0.0)
                .ok_or((at, format!("`{number}` is not a number of times")))?;
            if value > MAX_BOUND {
                return Err((at, format!("a band's bound is at most {MAX_BOUND}")));
            }
            let bound = Bound {
                rate: Rate::new(value, minutes),
                inclusive: op.ends_with('='),
            };
            let slot = if op.starts_with('>') {
                &mut band.lower
            } else {
                &mut band.upper
            };
            if slot.replace(bound).is_some() {
                return Err((
                    at,
                    format!("this band has two bounds on the same side: `{text}`"),
                ));
            }
        }
        if let (Some(lower), Some(upper)) = (band.lower, band.upper)
            && (lower.rate > upper.rate
                || (lower.rate == upper.rate && !(lower.inclusive && upper.inclusive)))
        {
            return Err((0, format!("the band `{text}` holds no rate at all")));
        }
        Ok(band)
    }

    /// Whether `rate` falls in the band.
    pub fn contains(&self, rate: Rate) -> bool {
        let above = self.lower.is_none_or(|b| match rate.cmp(&b.rate) {
            Ordering::Greater => true,
            Ordering::Equal => b.inclusive,
            Ordering::Less => false,
        });
        let below = self.upper.is_none_or(|b| match rate.cmp(&b.rate) {
            Ordering::Less => true,
            Ordering::Equal => b.inclusive,
            Ordering::Greater => false,
        });
        above && below
    }
}

/// A problem with a set of bands: which band (by index) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// The band the problem is reported at.
    pub band: usize,
    /// What is wrong, in words.
    pub message: String,
}

/// Checks that `bands` cover every rate from zero to "all the time" once:
/// every gap and every overlap is returned.
pub fn coverage(bands: &[Band]) -> Vec<Gap> {
    let mut order: Vec<usize> = (0..bands.len()).collect();
    let lower = |i: usize| bands[i].lower;
    order.sort_by(|&a, &b| match (lower(a), lower(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x
            .rate
            .cmp(&y.rate)
            .then_with(|| y.inclusive.cmp(&x.inclusive)),
    });
    let mut problems = Vec::new();
    // What the bands so far cover: up to this edge, or everything (`None`).
    // Nothing yet: up to zero, exclusive.
    let mut reached: Option<Bound> = Some(Bound {
        rate: Rate::new(0.0, 1.0),
        inclusive: false,
    });
    let mut previous: Option<usize> = None;
    for &i in &order {
        let band = &bands[i];
        let start = band.lower.unwrap_or(Bound {
            rate: Rate::new(0.0, 1.0),
            inclusive: true,
        });
        match reached {
            None => problems.push(Gap {
                band: i,
                message: format!(
                    "band `{}` overlaps band `{}`, which already reaches “all the time”",
                    band.text,
                    previous.map_or("", |p| bands[p].text.as_str())
                ),
            }),
            Some(edge) => {
                let meets = match start.rate.cmp(&edge.rate) {
                    Ordering::Less => Err(true),
                    Ordering::Greater => Err(false),
                    Ordering::Equal if start.inclusive == edge.inclusive => Err(start.inclusive),
                    Ordering::Equal => Ok(()),
                };
                match (meets, previous) {
                    (Ok(()), _) => {}
                    (Err(true), Some(p)) => problems.push(Gap {
                        band: i,
                        message: format!(
                            "band `{}` overlaps band `{}`: a rate would fit both",
                            band.text, bands[p].text
                        ),
                    }),
                    (Err(_), Some(p)) => problems.push(Gap {
                        band: i,
                        message: format!(
                            "no band covers the rates between `{}` and `{}`",
                            bands[p].text, band.text
                        ),
                    }),
                    (Err(_), None) => problems.push(Gap {
                        band: i,
                        message: format!(
                            "no band covers the lowest rates: band `{}` does not start at zero",
                            band.text
                        ),
                    }),
                }
            }
        }
        reached = band.upper.map(|upper| Bound {
            rate: upper.rate,
            inclusive: upper.inclusive,
        });
        previous = Some(i);
    }
    if let (Some(_), Some(last)) = (reached, previous) {
        problems.push(Gap {
            band: last,
            message: format!(
                "no band covers the highest rates: the band `{}` ends, but nothing reaches “all the time”",
                bands[last].text
            ),
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(key: &str, text: &str) -> Band {
        Band::parse(key, text).unwrap()
    }

    fn shipped() -> Vec<Band> {
        vec![
            band("per_day", ">= 48"),
            band("per_day", ">= 1 and < 48"),
            band("per_week", ">= 1 and < 7"),
            band("per_week", "< 1"),
        ]
    }

    #[test]
    fn units_compare_exactly() {
        assert_eq!(Rate::new(7.0, 10_080.0), Rate::new(1.0, 1_440.0));
        assert!(Rate::continuous() > Rate::new(1_000_000.0, 1.0));
        assert!(Rate::new(2.0, 10_080.0) < Rate::new(1.0, 1_440.0));
    }

    #[test]
    fn bands_hold_their_rates() {
        let daily = band("per_day", ">= 1 and < 48");
        assert!(daily.contains(Rate::new(1.0, 1_440.0)));
        assert!(daily.contains(Rate::new(1.0, 60.0)));
        assert!(!daily.contains(Rate::new(2.0, 60.0)));
        assert!(!daily.contains(Rate::new(6.0, 10_080.0)));
        assert!(band("per_day", ">= 48").contains(Rate::continuous()));
    }

    #[test]
    fn shipped_bands_cover_every_rate_once() {
        assert_eq!(coverage(&shipped()), vec![]);
    }

    #[test]
    fn gaps_and_overlaps_are_named() {
        let mut gap = shipped();
        gap[2] = band("per_week", ">= 2 and < 7");
        let found = coverage(&gap);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("no band covers"), "{found:?}");
        let mut overlap = shipped();
        overlap[1] = band("per_day", ">= 1 and <= 48");
        let found = coverage(&overlap);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("overlaps"), "{found:?}");
        let top = coverage(&shipped()[1..]);
        assert!(top[0].message.contains("highest"), "{top:?}");
        let bottom = coverage(&shipped()[..3]);
        assert!(bottom[0].message.contains("lowest"), "{bottom:?}");
    }

    #[test]
    fn malformed_bands_are_refused() {
        assert!(Band::parse("per_day", "about 3").is_err());
        assert!(Band::parse("per_day", ">= x").is_err());
        assert!(Band::parse("per_day", ">= 5 and < 2").is_err());
        assert!(Band::parse("per_day", ">= 1 and > 2").is_err());
        assert!(Band::parse("per_fortnight", ">= 1").is_err());
        assert!(Band::parse("per_hour", "< 1.5e308").is_err());
    }
}
