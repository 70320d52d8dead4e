//! One chat that floods the bot must not hold up anyone else: with the
//! pacing users get (`BOT_THROTTLE=on`, the default), and without it.

use std::time::{Duration, Instant};

use fake_bot_api::FakeApi;

use crate::support::stable::{self, INTRO, Q_RED_FLAGS};
use crate::support::{
    Backend, BotProcess, UserChat, sqlite_url, start_with_sqlite, temp_dir, wait,
};

/// 100 people send /start at once; returns how long each waited for the
/// greeting, sorted. With `flood`, one person first sends 60 messages.
async fn hundred_starts(flood: bool) -> (Vec<Duration>, Option<Duration>) {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let bot = BotProcess::start_with(
        &api,
        &sqlite_url(dir.path()),
        &stable::dir(),
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
        // "In a few seconds": the flood is under way (taken, and answered
        // already) before the others come.
        wait::until(Duration::from_secs(60), "the flood under way", || {
            let answered = api.calls().iter().any(|c| c.chat() == Some(70_000));
            std::future::ready(answered && api.unconfirmed() == 0)
        })
        .await;
    }
    let users: Vec<_> = (0..100)
        .map(|u| {
            let api = api.clone();
            tokio::spawn(async move {
                let mut user = UserChat::new(&api, 70_001 + u);
                let sent = Instant::now();
                user.say("/start");
                user.expect(INTRO).await;
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

/// One chat flooding (45 commands at once) is told once and then paused;
/// another chat is answered meanwhile.
#[tokio::test(flavor = "multi_thread")]
async fn a_flooding_chat_is_paused_without_slowing_others() {
    let (api, dir, bot) = start_with_sqlite(&stable::dir()).await;
    let mut flooder = UserChat::new(&api, 901);
    let mut other = UserChat::new(&api, 902);
    for _ in 0..45 {
        flooder.say("/help");
    }
    flooder.expect("I will pause for a minute").await;
    other.say("/check");
    other.expect(Q_RED_FLAGS).await;
    // Every update taken and nothing left for the flooder: all they get.
    Backend::sqlite_in(dir.path()).settled(&api, 901).await;
    let to_flooder: Vec<String> = api
        .calls()
        .iter()
        .filter(|c| c.method == "sendmessage" && c.chat() == Some(901))
        .map(|c| c.text().to_string())
        .collect();
    let helps = to_flooder
        .iter()
        .filter(|t| t.contains("<b>Commands</b>"))
        .count();
    let notices = to_flooder
        .iter()
        .filter(|t| t.contains("I will pause"))
        .count();
    // Replies still queued when the notice comes are dropped for it.
    assert!(helps <= 30, "at most the first 30 answered: {helps}");
    assert_eq!(notices, 1, "one notice");
    // After the notice, where they stand (no check yet here), then silence.
    let notice = to_flooder
        .iter()
        .position(|t| t.contains("I will pause"))
        .unwrap();
    assert_eq!(
        &to_flooder[notice + 1..],
        &["No check is running yet. Send /check to begin.".to_string()],
        "then silence"
    );
    bot.stop();
}
