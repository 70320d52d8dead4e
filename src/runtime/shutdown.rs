//! Stopping: SIGTERM or SIGINT asks every part to finish what is in
//! flight (a watch channel turning `true`), start-up steps give way to a
//! stop, and a second signal exits at once. Platform-free: any edge's
//! start-up and intake listen to the same channel.

/// Runs one start-up step unless a stop comes first (before or during it);
/// `None` when stopped.
pub async fn unless_stopped<T>(
    stopped: &mut tokio::sync::watch::Receiver<bool>,
    step: impl std::future::Future<Output = T>,
) -> Option<T> {
    if *stopped.borrow() {
        return None;
    }
    tokio::select! {
        out = step => Some(out),
        _ = stopped.changed() => None,
    }
}

/// Turns SIGTERM or SIGINT into `true` on the returned channel; a second
/// one exits at once (128 + its number), whatever is still under way: what
/// is unfinished stays in the store for the next start.
pub fn stop_signals() -> std::io::Result<tokio::sync::watch::Receiver<bool>> {
    use tokio::signal::unix::{SignalKind, signal};
    let (mut term, mut int) = (
        signal(SignalKind::terminate())?,
        signal(SignalKind::interrupt())?,
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => log::info!("SIGTERM: finishing in-flight updates, then stopping"),
            _ = int.recv() => log::info!("SIGINT: finishing in-flight updates, then stopping"),
        }
        let _ = stop.send(true);
        let code = tokio::select! {
            _ = term.recv() => 128 + 15,
            _ = int.recv() => 128 + 2,
        };
        log::warn!("a second stop signal: exiting now");
        std::process::exit(code);
    });
    Ok(stopped)
}
