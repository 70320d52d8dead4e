//! Engine micro-benchmarks: loading and validating the dialogue (start-up),
//! one engine step, and a whole check through the engine.
//! Run with `cargo bench --bench engine`; figures go to BENCHMARKS.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use nasal_twitch_bot::engine::{self, Input, Session};
use nasal_twitch_bot::script::{self, Script};
use nasal_twitch_bot::store::SqliteStore;

const DIALOGUE: &str = include_str!("../dialogues/nasal_twitching.toml");
const ANSWERS: [&str; 7] = ["no", "often", "2 weeks", "no", "yes", "no", "yes"];

fn shipped() -> Script {
    script::load_str(Path::new("nasal_twitching.toml"), DIALOGUE)
        .0
        .expect("shipped dialogue loads")
}

fn whole_check(script: &Script) -> Option<Session> {
    let mut session = engine::step(script, None, Input::Begin, 1).session;
    for answer in ANSWERS {
        session = engine::step(script, session, Input::Text(answer.to_string()), 2).session;
    }
    session
}

fn benches(c: &mut Criterion) {
    c.bench_function("load and validate the dialogue", |b| {
        b.iter(|| script::load_str(Path::new("d.toml"), black_box(DIALOGUE)))
    });
    let dir = tempfile::tempdir().expect("temp dir");
    c.bench_function("start-up: load dialogue and open SQLite", |b| {
        b.iter(|| {
            let script = script::load_str(Path::new("d.toml"), DIALOGUE);
            let store = SqliteStore::open(&dir.path().join("bench.sqlite"));
            black_box((script, store.is_ok()))
        })
    });
    let script = shipped();
    let at_frequency = engine::step(&script, None, Input::Begin, 1)
        .session
        .map(|s| engine::step(&script, Some(s), Input::Text("no".into()), 2).session)
        .expect("first answer");
    c.bench_function("one engine step (typed answer)", |b| {
        b.iter(|| {
            let step = engine::step(
                &script,
                at_frequency.clone(),
                Input::Text("often".into()),
                3,
            );
            black_box(step.replies.len())
        })
    });
    c.bench_function("whole check through the engine", |b| {
        b.iter(|| {
            let session = whole_check(black_box(&script));
            assert!(session.is_some());
        })
    });
    let finished = whole_check(&script).expect("a finished check");
    let json = serde_json::to_string(&finished).expect("serialises");
    println!("stored session JSON: {} bytes", json.len());
}

criterion_group!(engine_benches, benches);
criterion_main!(engine_benches);
