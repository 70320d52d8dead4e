//! The bot under load as a process: what it costs, and stopping it.

use std::process::{Child, Command};
use std::time::Duration;

/// CPU seconds (user + system) of a process so far.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        let field = fields.get(i).and_then(|t| t.parse::<f64>().ok());
        field.unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident memory of a process, in KiB.
pub fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// SIGTERM (a profiler wrapping the bot writes its data), then SIGKILL if
/// it is still running after 10 s.
pub async fn stop(bot: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &bot.id().to_string()])
        .status();
    for _ in 0..100 {
        if bot.try_wait().ok().flatten().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = bot.kill();
    let _ = bot.wait();
}

/// A free port on 127.0.0.1 for the bot's webhook server.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
