//! How long one diary chart takes to draw and encode: a 90-day range with
//! about 60 active days and 3 tags, the size a "show my diary" reply draws.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use nasal_twitch_bot::diary::chart::{ChartText, Day, draw};

/// 2024-12-01, in days since 1970-01-01.
const START: i64 = 20_058;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn text() -> ChartText {
    ChartText {
        title: "Twitching episodes per day".into(),
        y_axis: "Episodes".into(),
        tags: vec!["Stress".into(), "Poor sleep".into(), "Caffeine".into()],
        // Not a real calendar, but as costly as one: the label text varies.
        day_label: Box::new(|day| {
            format!(
                "{} {}",
                day.rem_euclid(28) + 1,
                MONTHS[(day.rem_euclid(336) / 28) as usize]
            )
        }),
    }
}

fn days() -> Vec<Day> {
    (0..90)
        .filter(|i| i % 3 != 2)
        .map(|i| Day {
            day: START + i,
            episodes: 1 + (i * 7 % 9) as u32,
            tags: (0..3)
                .filter(|t| (i + t * 2) % 5 < 2)
                .map(|t| t as usize)
                .collect(),
        })
        .collect()
}

fn bench_draw(c: &mut Criterion) {
    let (text, days) = (text(), days());
    assert_eq!(days.len(), 60);
    c.bench_function("diary_chart_90_days_60_active_3_tags", |b| {
        b.iter(|| {
            draw(
                black_box(START),
                black_box(START + 89),
                black_box(&days),
                &text,
            )
        })
    });
}

criterion_group!(benches, bench_draw);
criterion_main!(benches);
