//! The webhook's public port, from the outside: what a stranger on the
//! internet can see and do to it (hardening items 15.7 and 15.8). Each test
//! runs the real binary in webhook mode on 127.0.0.1 and talks raw HTTP to it.

use std::time::{Duration, Instant};

use fake_bot_api::{FakeApi, SECRET};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{
    HOOK_PATH, HOOK_SECRET, RedisServer, TOKEN_SECRET, WebhookBot, raw_update, wait,
};

const MIB: usize = 1024 * 1024;

/// The bot in webhook mode on a memory store, with `env` over the settings.
async fn start(env: &[(&str, &str)]) -> WebhookBot {
    let api = FakeApi::start().await;
    WebhookBot::start(&api, "memory", env).await
}

/// A raw connection to the public port.
async fn connect(hook: &WebhookBot) -> TcpStream {
    TcpStream::connect(&hook.addr).await.unwrap()
}

/// The head of a POST to the webhook path.
fn post_head(secret: &str, length: Option<usize>) -> String {
    let length = match length {
        Some(n) => format!("Content-Length: {n}\r\n"),
        None => "Transfer-Encoding: chunked\r\n".to_string(),
    };
    format!(
        "POST {HOOK_PATH} HTTP/1.1\r\nHost: bot.example\r\nContent-Type: application/json\r\n{SECRET}: {secret}\r\n{length}\r\n"
    )
}

/// What the server sent, until it closed the connection, sent a whole
/// response head, or `within` passed.
#[derive(Debug)]
enum Seen {
    /// The status line of the response.
    Answer(String),
    /// Closed (or reset) with no response.
    Closed,
    /// Nothing within the time.
    Silence,
}

async fn read_answer(stream: &mut TcpStream, within: Duration) -> Seen {
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
            if got.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    };
    let timed_out = tokio::time::timeout(within, read).await.is_err();
    let text = String::from_utf8_lossy(&got).into_owned();
    match text.lines().next() {
        Some(line) if line.starts_with("HTTP/") => Seen::Answer(line.to_string()),
        _ if timed_out => Seen::Silence,
        _ => Seen::Closed,
    }
}

/// Whether the server closed (or reset) the connection within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(within, read).await.is_ok()
}

// ---- 15.7: /metrics off the public port; /healthz reads the store at most once a second

#[tokio::test(flavor = "multi_thread")]
async fn metrics_are_served_on_bot_metrics_listen_and_not_on_the_public_port() {
    let hook = start(&[]).await;
    let client = reqwest::Client::new();
    let accepted = client
        .post(hook.url(HOOK_PATH))
        .header(SECRET, HOOK_SECRET)
        .body(raw_update(1, 7_001, "/help"))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);

    let public = client.get(hook.url("/metrics")).send().await.unwrap();
    let status = public.status();
    let body = public.text().await.unwrap();
    assert_eq!(
        status, 404,
        "GET /metrics on the public port answered {status}:\n{body}"
    );
    assert!(!body.contains("bot_updates_total"), "{body}");

    let private = client
        .get(format!("http://{}/metrics", hook.metrics))
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "nothing on BOT_METRICS_LISTEN ({e}):\n{}",
                hook.process.log()
            )
        });
    assert_eq!(private.status(), 200);
    let text = private.text().await.unwrap();
    assert!(text.contains("bot_updates_total 1"), "{text}");
    // The metrics port serves metrics only.
    let hook_there = client
        .post(format!("http://{}{HOOK_PATH}", hook.metrics))
        .header(SECRET, HOOK_SECRET)
        .body(raw_update(2, 7_002, "/help"))
        .send()
        .await
        .unwrap();
    assert_eq!(hook_there.status(), 404);
    let healthz_there = client
        .get(format!("http://{}/healthz", hook.metrics))
        .send()
        .await
        .unwrap();
    assert_eq!(healthz_there.status(), 404);
    let log = hook.stop().await;
    assert!(log.contains("metrics: listening on 127.0.0.1:"), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_can_be_switched_off() {
    let hook = start(&[("BOT_METRICS_LISTEN", "off")]).await;
    let public = reqwest::get(hook.url("/metrics")).await.unwrap();
    assert_eq!(public.status(), 404);
    let nothing = TcpStream::connect(&hook.metrics).await;
    assert!(nothing.is_err(), "nothing listens on the metrics address");
    hook.stop().await;
}

/// PINGs Redis has answered since `CONFIG RESETSTAT`.
async fn pings(redis: &mut redis::aio::MultiplexedConnection) -> u64 {
    let stats: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(redis)
        .await
        .unwrap();
    stats
        .lines()
        .find_map(|l| l.strip_prefix("cmdstat_ping:calls="))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |n| n.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn healthz_hit_100_times_at_once_reads_the_store_at_most_once_a_second() {
    let server = RedisServer::start().await;
    let hook = start(&[("BOT_STORAGE", &server.url())]).await;
    let mut redis = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let client = reqwest::Client::new();
    // Past the second of the start-up check: the first of the 100 asks the store.
    // Timed on purpose: outliving the 1 s cache; asking its age would renew it.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let () = redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query_async(&mut redis)
        .await
        .unwrap();
    let started = Instant::now();
    let answers =
        futures::future::join_all((0..100).map(|_| client.get(hook.url("/healthz")).send())).await;
    let elapsed = started.elapsed();
    let read = pings(&mut redis).await;
    for answer in answers {
        assert_eq!(answer.unwrap().status(), 200);
    }
    // Within `elapsed`, one read a second at most: whole seconds passed, plus one.
    let allowed = elapsed.as_secs() + 1;
    eprintln!(
        "/healthz x100 in {} ms: {read} store read(s) (PING), at most {allowed} allowed",
        elapsed.as_millis()
    );
    assert!(
        read >= 1,
        "/healthz asks the store when its last answer is old"
    );
    assert!(
        read <= allowed,
        "/healthz hit 100 times in {} ms read the store {read} times",
        elapsed.as_millis()
    );
    // It still looks at the store: within a second, /healthz reads it again.
    let ends = Instant::now();
    wait::until(
        Duration::from_millis(1100),
        "a later /healthz to read the store",
        || {
            let (client, mut redis, url) = (client.clone(), redis.clone(), hook.url("/healthz"));
            async move {
                let again = client.get(url).send().await.unwrap();
                assert_eq!(again.status(), 200);
                pings(&mut redis).await > read
            }
        },
    )
    .await;
    eprintln!(
        "/healthz read the store again {} ms after the 100",
        ends.elapsed().as_millis()
    );
    hook.stop().await;
}

// ---- 15.8: secret before body, body cap, slow clients, connection cap, shutdown deadline

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_with_a_10_mib_body_is_refused_before_the_body_is_read() {
    let hook = start(&[]).await;
    let mut stream = connect(&hook).await;
    stream
        .write_all(post_head("not-the-secret", Some(10 * MIB)).as_bytes())
        .await
        .unwrap();
    // 16 KiB of the 10 MiB; the rest is never sent.
    stream.write_all(&[b' '; 16 * 1024]).await.unwrap();
    let seen = read_answer(&mut stream, Duration::from_secs(10)).await;
    eprintln!("wrong secret, 16 KiB of a 10 MiB body sent: {seen:?}");
    assert!(
        matches!(&seen, Seen::Answer(line) if line.starts_with("HTTP/1.1 401")),
        "expected 401 while the body is still being sent, got {seen:?}"
    );
    assert!(
        closed_within(&mut stream, Duration::from_secs(10)).await,
        "the connection is closed rather than the body read"
    );
    hook.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_over_1_mib_with_the_right_secret_gets_413() {
    let hook = start(&[]).await;
    let client = reqwest::Client::new();
    let normal = client
        .post(hook.url(HOOK_PATH))
        .header(SECRET, HOOK_SECRET)
        .body(raw_update(1, 7_101, &"a".repeat(4096)))
        .send()
        .await
        .unwrap();
    assert_eq!(normal.status(), 200, "an update of normal size is taken");

    // Valid JSON, 1.5 MiB, with its length announced.
    let big = raw_update(2, 7_102, &"b".repeat(3 * MIB / 2));
    let announced = client
        .post(hook.url(HOOK_PATH))
        .header(SECRET, HOOK_SECRET)
        .body(big.clone())
        .send()
        .await
        .unwrap();
    eprintln!(
        "a 1.5 MiB update with Content-Length: {}",
        announced.status()
    );
    assert_eq!(announced.status(), 413);

    // The same, chunked: no length to look at, so the cap applies while reading.
    let mut stream = connect(&hook).await;
    stream
        .write_all(post_head(HOOK_SECRET, None).as_bytes())
        .await
        .unwrap();
    let mut sent = 0;
    for chunk in big.as_bytes().chunks(64 * 1024) {
        let framed = [
            format!("{:x}\r\n", chunk.len()).as_bytes(),
            chunk,
            b"\r\n".as_slice(),
        ]
        .concat();
        if stream.write_all(&framed).await.is_err() {
            break;
        }
        sent += chunk.len();
    }
    if sent == big.len() {
        let _ = stream.write_all(b"0\r\n\r\n").await;
    }
    let seen = read_answer(&mut stream, Duration::from_secs(10)).await;
    eprintln!("a 1.5 MiB chunked update ({sent} bytes written): {seen:?}");
    assert!(
        matches!(&seen, Seen::Answer(line) if line.starts_with("HTTP/1.1 413")),
        "expected 413, got {seen:?}"
    );
    hook.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_sends_headers_slowly_is_cut_off_after_the_header_timeout() {
    let hook = start(&[("WEBHOOK_READ_TIMEOUT", "2s")]).await;
    let stream = connect(&hook).await;
    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    // One header byte every 250 ms: each arrives long before a read timeout
    // between bytes would fire, but the head is never finished.
    let trickle = tokio::spawn(async move {
        let _ = writer
            .write_all(format!("POST {HOOK_PATH} HTTP/1.1\r\nX-Slow: ").as_bytes())
            .await;
        while writer.write_all(b"a").await.is_ok() {
            // Timed on purpose: the slow client is the point (well under the 2 s timeout).
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    let mut got = Vec::new();
    let cut = tokio::time::timeout(Duration::from_secs(30), async {
        let mut buf = [0u8; 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .is_ok();
    let after = started.elapsed();
    trickle.abort();
    eprintln!(
        "slow headers: cut off {cut} after {} ms; answer {:?}",
        after.as_millis(),
        String::from_utf8_lossy(&got).lines().next()
    );
    assert!(
        cut,
        "a client sending headers slowly was still connected after 30 s"
    );
    assert!(
        after >= Duration::from_secs(1),
        "cut off by the timeout, not at once"
    );
    hook.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_sends_the_body_slowly_gets_408() {
    let hook = start(&[("WEBHOOK_READ_TIMEOUT", "2s")]).await;
    let stream = connect(&hook).await;
    let (mut reader, mut writer) = stream.into_split();
    let trickle = tokio::spawn(async move {
        let _ = writer
            .write_all(post_head(HOOK_SECRET, Some(100_000)).as_bytes())
            .await;
        while writer.write_all(b"          ").await.is_ok() {
            // Timed on purpose: the slow client is the point (well under the 2 s timeout).
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    let mut got = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        let mut buf = [0u8; 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
            if got.windows(4).any(|w| w == b"\r\n\r\n") {
                return;
            }
        }
    })
    .await;
    trickle.abort();
    let text = String::from_utf8_lossy(&got).into_owned();
    eprintln!("slow body: {:?}", text.lines().next());
    assert!(
        text.starts_with("HTTP/1.1 408"),
        "expected 408, got {text:?}"
    );
    hook.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_over_the_cap_wait_until_one_closes() {
    let hook = start(&[
        ("WEBHOOK_CONNECTION_LIMIT", "2"),
        ("WEBHOOK_MAX_CONNECTIONS", "2"),
        ("WEBHOOK_READ_TIMEOUT", "60s"),
    ])
    .await;
    let get = b"GET /healthz HTTP/1.1\r\nHost: bot.example\r\n\r\n";
    // Two kept-alive connections, each answered once: both are being served.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = connect(&hook).await;
        stream.write_all(get).await.unwrap();
        let seen = read_answer(&mut stream, Duration::from_secs(10)).await;
        assert!(
            matches!(&seen, Seen::Answer(line) if line.starts_with("HTTP/1.1 200")),
            "{seen:?}"
        );
        held.push(stream);
    }
    let mut third = connect(&hook).await;
    third.write_all(get).await.unwrap();
    let while_full = read_answer(&mut third, Duration::from_secs(1)).await;
    eprintln!("a third connection while two are held (limit 2): {while_full:?}");
    assert!(
        matches!(while_full, Seen::Silence),
        "a third connection was served past the cap of 2: {while_full:?}"
    );
    drop(held.pop());
    let after = read_answer(&mut third, Duration::from_secs(10)).await;
    assert!(
        matches!(&after, Seen::Answer(line) if line.starts_with("HTTP/1.1 200")),
        "once one closes, the waiting connection is served: {after:?}"
    );
    drop(held);
    drop(third);
    hook.stop().await;
}

/// A client with the right secret that sent its head and 10 bytes of a
/// 1000-byte body, and then nothing.
async fn stuck_client(hook: &WebhookBot) -> TcpStream {
    let mut stream = connect(hook).await;
    stream
        .write_all(post_head(HOOK_SECRET, Some(1000)).as_bytes())
        .await
        .unwrap();
    stream.write_all(b"{\"update_i").await.unwrap();
    // The server takes connections in the order they come: once a later one
    // is answered, this one was taken in (its request begun) before the signal.
    let later = hook.health().await;
    assert_eq!(
        later,
        Some(200),
        "a connection after the stuck one is served"
    );
    stream
}

#[tokio::test(flavor = "multi_thread")]
async fn after_sigterm_a_stuck_client_holds_the_bot_no_longer_than_the_deadline() {
    let mut hook = start(&[
        ("WEBHOOK_READ_TIMEOUT", "120s"),
        ("WEBHOOK_SHUTDOWN_TIMEOUT", "1s"),
    ])
    .await;
    let mut stuck = stuck_client(&hook).await;
    hook.process.signal("TERM");
    let status = hook.process.exit_within(Duration::from_secs(15)).await;
    let log = hook.process.log();
    eprintln!("SIGTERM with a stuck client (deadline 1 s): exit {status:?}");
    assert!(
        status.is_some(),
        "still running 15 s after SIGTERM with a 1 s shutdown deadline:\n{log}"
    );
    assert!(status.unwrap().success(), "{log}");
    assert!(log.contains("still open"), "{log}");
    assert!(closed_within(&mut stuck, Duration::from_secs(5)).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_signal_during_shutdown_exits_at_once() {
    let mut hook = start(&[
        ("WEBHOOK_READ_TIMEOUT", "120s"),
        ("WEBHOOK_SHUTDOWN_TIMEOUT", "120s"),
    ])
    .await;
    let _stuck = stuck_client(&hook).await;
    hook.process.signal("TERM");
    let heard = wait::poll(Duration::from_secs(10), || {
        std::future::ready(hook.process.log().contains("SIGTERM").then_some(()))
    })
    .await;
    assert!(heard.is_some(), "{}", hook.process.log());
    // The stuck client holds the shutdown (its deadline is 120 s away).
    // Timed on purpose: it shows the bot does not exit within the time.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(hook.process.exited().is_none(), "{}", hook.process.log());
    hook.process.signal("INT");
    let status = hook.process.exit_within(Duration::from_secs(5)).await;
    let log = hook.process.log();
    eprintln!("a second signal (SIGINT) during shutdown: exit {status:?}");
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(130),
        "a second signal exits at once with 130:\n{log}"
    );
    assert!(
        !log.contains(TOKEN_SECRET) && !log.contains(HOOK_PATH),
        "{log}"
    );
}
