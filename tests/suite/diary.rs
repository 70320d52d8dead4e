//! The twitch diary end to end: the real bot over the fake Bot API with a
//! real SQLite file and the pacing users get. Switched on from the offer, logged by button, `/log`
//! and words in English, Spanish and Russian; `/summary` sends the chart as
//! a photo (decoded here: one bar per day with entries) and embeds it in
//! `summary.html`; the stored entries are exactly what was logged; and
//! `/forget` leaves none of the diary's words in the database or its WAL.

use serde_json::Value;

use crate::support::shipped::{
    self, Q_DURATION, Q_FREQUENCY, Q_OTHER, Q_PAIN, Q_RED_FLAGS, Q_STRESS, Q_VISION,
};
use fake_bot_api::FakeApi;

use crate::support::{
    Backend, BotProcess, UserChat, holds, repo_path, sqlite_bytes, sqlite_file, sqlite_url,
    temp_dir,
};

const USER: i64 = 9_101;

/// The width, height and number of bars of a chart: bars are counted as
/// runs of the bar colour along the pixel row just above the lowest one
/// any bar reaches (the x axis).
fn bars(png: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let frame = reader.next_frame(&mut pixels).expect("its pixels");
    let (width, height) = (frame.width, frame.height);
    let channels = frame.line_size / width as usize;
    let bar = nasal_twitch_bot::diary::chart::BAR;
    let is_bar = |x: u32, y: u32| {
        let at = y as usize * frame.line_size + x as usize * channels;
        (pixels[at], pixels[at + 1], pixels[at + 2]) == bar
    };
    let lowest = (0..height)
        .rev()
        .find(|&y| (0..width).any(|x| is_bar(x, y)));
    let Some(lowest) = lowest else {
        return (width, height, 0);
    };
    let row = lowest.saturating_sub(1);
    let runs = (0..width)
        .filter(|&x| is_bar(x, row) && (x == 0 || !is_bar(x - 1, row)))
        .count();
    (width, height, runs)
}

/// The diary row of `chat` in the SQLite file, as JSON.
fn stored(dir: &std::path::Path, chat: i64) -> Option<Value> {
    let db = rusqlite::Connection::open(sqlite_file(dir)).unwrap();
    db.query_row("SELECT log FROM diaries WHERE chat_id = ?1", [chat], |r| {
        r.get::<_, String>(0)
    })
    .ok()
    .map(|json| serde_json::from_str(&json).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_diary_by_button_command_and_words_in_three_languages_then_summary_and_forget() {
    // The pacing users get (the harness switches it off by default).
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let bot = BotProcess::start_with(
        &api,
        &sqlite_url(dir.path()),
        &shipped::dir(),
        &[("BOT_THROTTLE", "on")],
    );
    let mut user = UserChat::new(&api, USER);
    user.say("/check");
    user.answer_by_typing(&[
        (Q_RED_FLAGS, "no"),
        (Q_FREQUENCY, "once a week"),
        (Q_DURATION, "2 days"),
        (Q_PAIN, "no"),
        (Q_VISION, "no"),
        (Q_OTHER, "no"),
        (Q_STRESS, "no"),
    ])
    .await;
    user.expect("SELF-CARE").await;
    let offer = user.expect("keep a twitch diary").await;
    user.press(&offer, "Start a diary").await;
    let started = user.expect("Your diary is on").await;
    user.press(&started, "Twitching now").await;
    let logged = user.expect("✓ Logged: 1 episode,").await;
    user.press(&logged, "Stress or worry").await;
    let edited = user.expect_call("editmessagetext").await;
    assert_eq!(edited.body["message_id"].as_i64(), logged.message_id);
    assert!(
        edited.button("✓ Stress or worry").is_some(),
        "{}",
        edited.body
    );

    for (say, answer) in [
        (
            "/log 2 times yesterday, zqx violet note",
            "✓ Logged: 2 episodes,",
        ),
        ("twitched 3 times this morning", "✓ Logged: 3 episodes,"),
        ("/language es", "en español"),
        (
            "me ha temblado 2 veces esta mañana",
            "✓ Apuntado: 2 episodios,",
        ),
        ("/language ru", "по-русски"),
        ("дёргалось 4 раза сегодня", "✓ Записано: 4 эпизода,"),
        ("/language en", "in English"),
    ] {
        user.say(say);
        user.expect(answer).await;
    }

    // Stored exactly as logged, oldest first: yesterday's, then today's in order.
    let log = stored(dir.path(), USER).expect("a diary row");
    let entries = log["entries"].as_array().unwrap();
    let counts: Vec<i64> = entries
        .iter()
        .map(|e| e["count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [2, 1, 3, 2, 4]);
    assert_eq!(entries[0]["note"], "2 times yesterday, zqx violet note");
    assert_eq!(entries[1]["tags"], serde_json::json!(["stress"]));
    assert_eq!(entries[2]["note"], "twitched 3 times this morning");
    let day = |e: &Value| e["at_ms"].as_u64().unwrap() / 86_400_000;
    assert_eq!(day(&entries[0]) + 1, day(&entries[1]), "yesterday");

    user.say("/summary");
    user.expect("Summary for your doctor").await;
    let photo = user.expect_call("sendphoto").await;
    let png = photo.upload("photo").expect("the chart is uploaded");
    let kept = repo_path("target/tmp/diary/summary-chart.png");
    std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
    std::fs::write(&kept, png).unwrap();
    println!("the chart /summary sent: {}", kept.display());
    let (width, height, drawn) = bars(png);
    assert_eq!((width, height), (800, 450));
    assert_eq!(
        drawn, 2,
        "one bar per day with entries: yesterday and today"
    );
    let raw = photo.body["_raw"].as_str().unwrap_or("");
    assert!(
        raw.contains("12 episodes on 2 days"),
        "the caption says what the chart shows"
    );
    let page = user.expect_call("senddocument").await;
    let html = String::from_utf8_lossy(page.upload("document").unwrap()).into_owned();
    assert!(html.contains("<h2>Twitch diary</h2>"), "{html}");
    assert!(
        html.contains("src=\"data:image/png;base64,iVBOR"),
        "embedded"
    );

    let note = "zqx violet note";
    assert!(holds(&sqlite_bytes(dir.path()), note) > 0, "kept while on");
    user.say("/forget");
    user.expect("I deleted everything").await;
    Backend::sqlite_in(dir.path()).settled(&api, USER).await;
    assert_eq!(stored(dir.path(), USER), None);
    let left = holds(&sqlite_bytes(dir.path()), note);
    assert_eq!(
        left, 0,
        "the note is still on disk {left} time(s) after /forget"
    );
    let left = holds(&sqlite_bytes(dir.path()), "twitched 3 times");
    assert_eq!(left, 0, "a typed log is still on disk {left} time(s)");
    bot.stop();
}
