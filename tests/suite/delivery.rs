//! Delivery with the pacing users get (`BOT_THROTTLE=on`, the default):
//! one chat that floods the bot must not hold up anyone else.

use std::time::{Duration, Instant};

use crate::bot::{BotProcess, UserChat, sqlite_url, temp_dir};
use crate::fake_api::FakeApi;
use crate::repo_path;

/// What `/start` answers with.
const GREETING: &str = "Hi! I can walk you through a short check";

/// 100 people send /start at once; returns how long each waited for the
/// greeting, sorted. With `flood`, one person first sends 60 messages.
async fn hundred_starts(flood: bool) -> (Vec<Duration>, Option<Duration>) {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let bot = BotProcess::start_with(
        &api,
        &sqlite_url(dir.path()),
        &repo_path("dialogues"),
        &[("BOT_THROTTLE", "on"), ("RUST_LOG", "info")],
    );
    let flooder = flood.then(|| {
        let flooder = UserChat::new(&api, 70_000);
        for i in 1..=60 {
            flooder.say(&format!("zzz {i}"));
        }
        (flooder, Instant::now())
    });
    if flood {
        // "In a few seconds": the flood is under way before the others come.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let users: Vec<_> = (0..100)
        .map(|u| {
            let api = api.clone();
            tokio::spawn(async move {
                let mut user = UserChat::new(&api, 70_001 + u);
                let sent = Instant::now();
                user.say("/start");
                user.expect(GREETING).await;
                sent.elapsed()
            })
        })
        .collect();
    let mut waits = Vec::new();
    for user in users {
        waits.push(user.await.expect("every one of the 100 is answered"));
    }
    waits.sort();
    let notice = match flooder {
        Some((mut flooder, started)) => {
            flooder.expect("I will pause for a minute").await;
            Some(started.elapsed())
        }
        None => None,
    };
    bot.stop();
    (waits, notice)
}

fn p99(waits: &[Duration]) -> Duration {
    waits[(waits.len() * 99).div_ceil(100) - 1]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flooding_person_does_not_hold_up_a_hundred_others_with_pacing_on() {
    let (quiet, _) = hundred_starts(false).await;
    let (flooded, notice) = hundred_starts(true).await;
    let (quiet_p99, flooded_p99) = (p99(&quiet), p99(&flooded));
    let ratio = flooded_p99.as_secs_f64() / quiet_p99.as_secs_f64();
    let notice = notice.expect("the flooder is told");
    eprintln!(
        "isolation (pacing on): 100 /start p99 {quiet_p99:?} alone, {flooded_p99:?} after a 60-message flood \
         (ratio {ratio:.2}); slowest {:?}; the flooder's notice after {notice:?}",
        flooded.last().unwrap()
    );
    assert!(
        ratio <= 1.5,
        "p99 with a flooder {flooded_p99:?} vs {quiet_p99:?} without"
    );
    assert!(
        notice < Duration::from_secs(10),
        "the notice is not buried behind paced replies: {notice:?}"
    );
}
