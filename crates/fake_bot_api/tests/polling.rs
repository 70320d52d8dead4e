//! `getUpdates` over real HTTP: updates queued from many tasks at once are
//! each handed out exactly once, in id order, as a bot confirming pages
//! (the next offset past each page) receives them.

use std::collections::BTreeSet;

use fake_bot_api::FakeApi;
use serde_json::{Value, json};

/// Polls like a bot until `want` updates came; returns their ids in order.
async fn poll(api: &FakeApi, want: usize) -> Vec<i64> {
    let client = reqwest::Client::new();
    let url = format!("{}bot1:test/getUpdates", api.url);
    let (mut offset, mut got) = (0, Vec::new());
    while got.len() < want {
        let body = json!({ "offset": offset, "timeout": 1 }).to_string();
        let answer = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let page: Value = serde_json::from_str(&answer.text().await.unwrap()).unwrap();
        for update in page["result"].as_array().unwrap() {
            let id = update["update_id"].as_i64().unwrap();
            got.push(id);
            offset = id + 1;
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn updates_queued_at_once_are_each_handed_out_once() {
    const TASKS: i64 = 8;
    const EACH: i64 = 300;
    let api = FakeApi::start().await;
    let poller = tokio::spawn({
        let api = api.clone();
        async move { poll(&api, (TASKS * EACH) as usize).await }
    });
    let senders: Vec<_> = (0..TASKS)
        .map(|task| {
            let api = api.clone();
            tokio::spawn(async move {
                for n in 0..EACH {
                    api.send_text(100 + task, &format!("message {n}"));
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    let got = tokio::time::timeout(std::time::Duration::from_secs(30), poller)
        .await
        .expect("every update handed out")
        .unwrap();
    let unique: BTreeSet<i64> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "an update handed out twice");
    assert_eq!(unique, (1..=TASKS * EACH).collect(), "an update lost");
    assert!(got.windows(2).all(|w| w[0] < w[1]), "out of id order");
}
