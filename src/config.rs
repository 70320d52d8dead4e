//! Settings from the environment (and `.env`), gathered into one typed value.
//! Secrets never show up in `Debug` output or errors.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Where dialogues come from when nothing else is said.
pub const DEFAULT_DIALOGUES: &str = "dialogues";
/// Where sessions are kept when nothing else is said.
pub const DEFAULT_STORAGE: &str = "sqlite://data/bot.sqlite";
/// teloxide's own request timeout, kept as the default.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(17);
/// How long joins are gathered into one welcome when nothing else is said.
pub const DEFAULT_WELCOME_DELAY: Duration = Duration::from_secs(5);
/// How long an idle check is kept when nothing else is said.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Updates a chat may send in a minute before the bot pauses for it: far
/// above what a person answering questions sends.
pub const DEFAULT_FLOOD_LIMIT: u32 = 30;
/// How long a reply that keeps failing to send (network, 5xx) is tried
/// again when nothing else is said: an outage of hours loses no reply.
pub const DEFAULT_SEND_RETRY_WINDOW: Duration = Duration::from_secs(6 * 60 * 60);

/// Where the bot's own words per language are when nothing else is said.
pub const DEFAULT_LOCALES: &str = "locales";

/// The folder of language catalogs (`<lang>/bot.ftl`): `BOT_LOCALES`, else
/// `locales` beside the dialogues folder (so `dialogues` gives `locales`).
pub fn locales_path() -> PathBuf {
    var("BOT_LOCALES").map_or_else(
        || {
            let dialogues = dialogues_path();
            let beside = dialogues
                .canonicalize()
                .ok()
                .and_then(|d| Some(d.parent()?.join(DEFAULT_LOCALES)));
            beside
                .filter(|l| l.is_dir())
                .unwrap_or_else(|| PathBuf::from(DEFAULT_LOCALES))
        },
        PathBuf::from,
    )
}

/// The folder (or file) dialogues load from: `BOT_DIALOGUES`, else `dialogues`.
pub fn dialogues_path() -> PathBuf {
    var("BOT_DIALOGUES").map_or_else(|| PathBuf::from(DEFAULT_DIALOGUES), PathBuf::from)
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A secret string whose `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret so it cannot be printed by accident.
    pub fn new(secret: impl Into<String>) -> Secret {
        Secret(secret.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where sessions are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// In memory; lost on restart.
    Memory,
    /// A SQLite file, created with its folder on first start.
    Sqlite(PathBuf),
    /// A Redis server (`redis://host:port/db`), shared by replicas.
    Redis(Secret),
}

impl Storage {
    /// Reads `memory`, `sqlite://PATH` or `redis://host:port/db`.
    pub fn parse(text: &str) -> Result<Storage, String> {
        let text = text.trim();
        if text == "memory" {
            return Ok(Storage::Memory);
        }
        if text.starts_with("redis://") || text.starts_with("rediss://") {
            return Ok(Storage::Redis(Secret::new(text)));
        }
        match text.strip_prefix("sqlite://") {
            Some(path) if !path.is_empty() => Ok(Storage::Sqlite(PathBuf::from(path))),
            _ => Err(format!(
                "BOT_STORAGE is not understood: use `sqlite://PATH` (e.g. {DEFAULT_STORAGE}), `redis://host:port/db` or `memory`"
            )),
        }
    }
}

/// Everything `run` needs, read once at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TELOXIDE_TOKEN`, from @BotFather: Telegram is served when it is set.
    pub token: Option<Secret>,
    /// Matrix is served when `MATRIX_HOMESERVER` is set.
    pub matrix: Option<Matrix>,
    /// `TELOXIDE_API_URL`: another Bot API server (a local one, or a test fake).
    pub api_url: Option<url::Url>,
    /// `BOT_DIALOGUES`.
    pub dialogues: PathBuf,
    /// The folder of language catalogs (`<lang>/bot.ftl`).
    pub locales: PathBuf,
    /// `BOT_DIALOGUE`: which dialogue to run when the folder has several.
    pub dialogue: Option<String>,
    /// `BOT_STORAGE`.
    pub storage: Storage,
    /// `BOT_SESSION_TTL`: idle checks older than this are deleted.
    pub session_ttl: Duration,
    /// `BOT_FOLLOW_UP_AFTER`: when set, an accepted follow-up comes after this
    /// long instead of the days the person chose (for trials and tests).
    pub follow_up_after: Option<Duration>,
    /// `BOT_WELCOME_DELAY`: joins within this window get one combined welcome.
    pub welcome_delay: Duration,
    /// `BOT_HTTP_TIMEOUT`: how long one Bot API request may take (long polls add their wait).
    pub http_timeout: Duration,
    /// `BOT_REDIS_PREFIX`: the start of every Redis key (default `nasal-twitch-bot`).
    pub redis_prefix: String,
    /// Webhook mode, when `WEBHOOK_URL` is set.
    pub webhook: Option<Webhook>,
    /// `BOT_THROTTLE` (`on` by default): pace messages to Telegram's rate
    /// limits. Only benchmarks and tests against a fake server switch it off.
    pub throttle: bool,
    /// `BOT_SEND_RETRY_WINDOW` (default 6h): how long a reply that keeps
    /// failing to send is tried again before it is given up.
    pub send_retry_window: Duration,
    /// `BOT_FLOOD_LIMIT` (default 30): updates a chat may send in a minute
    /// before the bot pauses for it.
    pub flood_limit: u32,
}

/// The bot's Matrix account.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// `MATRIX_HOMESERVER`: the homeserver's client-server API, e.g. `https://matrix.example.org`.
    pub homeserver: url::Url,
    /// `MATRIX_USER`: the bot's user id (`@bot:example.org`) or its local part.
    pub user: String,
    /// `MATRIX_PASSWORD`: logs in once; the session is kept in `store`.
    pub password: Option<Secret>,
    /// `MATRIX_ACCESS_TOKEN`: an existing session's token, instead of a password.
    pub access_token: Option<Secret>,
    /// `MATRIX_DEVICE_NAME` (default `nasal-twitch-bot`): the device's name people see.
    pub device_name: String,
    /// `MATRIX_STORE` (default `data/matrix`): the session, the SDK's state
    /// and crypto stores (the device's keys, which must survive restarts)
    /// and the sync position.
    pub store: PathBuf,
}

impl Matrix {
    /// Reads the `MATRIX_*` variables; `None` when `MATRIX_HOMESERVER` is unset.
    fn from_env() -> Result<Option<Matrix>, String> {
        let Some(homeserver) = var("MATRIX_HOMESERVER") else {
            return Ok(None);
        };
        let homeserver = url::Url::parse(homeserver.trim())
            .map_err(|e| format!("MATRIX_HOMESERVER is not a URL ({e}); its value is not shown"))?;
        let user = var("MATRIX_USER")
            .ok_or("MATRIX_HOMESERVER is set but MATRIX_USER is not: name the bot's account")?;
        let password = var("MATRIX_PASSWORD").map(|p| Secret::new(p.trim()));
        let access_token = var("MATRIX_ACCESS_TOKEN").map(|p| Secret::new(p.trim()));
        if password.is_none() && access_token.is_none() {
            return Err(
                "MATRIX_HOMESERVER is set but neither MATRIX_PASSWORD nor MATRIX_ACCESS_TOKEN is"
                    .to_string(),
            );
        }
        Ok(Some(Matrix {
            homeserver,
            user: user.trim().to_string(),
            password,
            access_token,
            device_name: var("MATRIX_DEVICE_NAME")
                .unwrap_or_else(|| "nasal-twitch-bot".to_string()),
            store: var("MATRIX_STORE").map_or_else(|| PathBuf::from("data/matrix"), PathBuf::from),
        }))
    }
}

/// Webhook mode: Telegram POSTs updates to `url`; the bot listens on `listen`.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// `WEBHOOK_URL`: the public HTTPS address Telegram calls; its path is served.
    pub url: url::Url,
    /// `WEBHOOK_SECRET`: Telegram sends it in `X-Telegram-Bot-Api-Secret-Token`.
    pub secret: Secret,
    /// `BOT_LISTEN` (default `0.0.0.0:8443`).
    pub listen: std::net::SocketAddr,
    /// `WEBHOOK_MAX_CONNECTIONS` (1-100, default 40).
    pub max_connections: u8,
    /// `WEBHOOK_DROP_PENDING` (`true`/`false`, default false).
    pub drop_pending_updates: bool,
    /// `BOT_METRICS_LISTEN` (default `127.0.0.1:9464`, loopback; `off`: none):
    /// where `GET /metrics` is served, never on the public port.
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// `WEBHOOK_READ_TIMEOUT` (default 10s): how long a client may take to
    /// send a request's headers (also how long an idle connection is kept),
    /// and then its body.
    pub read_timeout: Duration,
    /// `WEBHOOK_CONNECTION_LIMIT` (default 128, at least
    /// `WEBHOOK_MAX_CONNECTIONS`): connections served at once; more wait.
    pub connection_limit: usize,
    /// `WEBHOOK_SHUTDOWN_TIMEOUT` (default 5s): after SIGTERM/SIGINT, how long
    /// requests in flight may take before their connections are closed.
    pub shutdown_timeout: Duration,
}

/// Where `/metrics` is served when nothing else is said: loopback only, on
/// the port Prometheus exporters usually take.
pub const DEFAULT_METRICS_LISTEN: &str = "127.0.0.1:9464";
/// How long a webhook client may take to send headers, or a body.
pub const DEFAULT_WEBHOOK_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections the webhook server serves at once (Telegram opens at most 100).
pub const DEFAULT_WEBHOOK_CONNECTION_LIMIT: usize = 128;
/// How long requests in flight may take once a stop was asked for.
pub const DEFAULT_WEBHOOK_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// Reads `BOT_METRICS_LISTEN`: unset is [`DEFAULT_METRICS_LISTEN`], `off` is none.
fn metrics_listen(text: Option<&str>) -> Result<Option<std::net::SocketAddr>, String> {
    match text.map(str::trim) {
        Some("off") => Ok(None),
        text => {
            let text = text.unwrap_or(DEFAULT_METRICS_LISTEN);
            text.parse().map(Some).map_err(|e| {
                format!("BOT_METRICS_LISTEN `{text}` is not an address like {DEFAULT_METRICS_LISTEN} (or `off`): {e}")
            })
        }
    }
}

impl Webhook {
    fn from_env() -> Result<Option<Webhook>, String> {
        let Some(text) = var("WEBHOOK_URL") else {
            return Ok(None);
        };
        let url = url::Url::parse(&text)
            // Not the value: people put secrets in webhook paths.
            .map_err(|e| format!("WEBHOOK_URL is not a URL ({e}); its value is not shown"))?;
        let secret = var("WEBHOOK_SECRET").ok_or_else(|| {
            "WEBHOOK_SECRET is required with WEBHOOK_URL: 1-256 characters of A-Z, a-z, 0-9, _ and -".to_string()
        })?;
        let valid = (1..=256).contains(&secret.len())
            && secret
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(
                "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -".to_string(),
            );
        }
        let listen_text = var("BOT_LISTEN").unwrap_or_else(|| "0.0.0.0:8443".to_string());
        let listen = listen_text.parse().map_err(|e| {
            format!("BOT_LISTEN `{listen_text}` is not an address like 0.0.0.0:8443: {e}")
        })?;
        let max_connections = match var("WEBHOOK_MAX_CONNECTIONS") {
            None => 40,
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| format!("WEBHOOK_MAX_CONNECTIONS `{n}` should be 1 to 100"))?,
        };
        let drop_pending_updates = match var("WEBHOOK_DROP_PENDING").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(format!(
                    "WEBHOOK_DROP_PENDING `{other}` should be true or false"
                ));
            }
        };
        let metrics_listen = metrics_listen(var("BOT_METRICS_LISTEN").as_deref())?;
        let read_timeout = match var("WEBHOOK_READ_TIMEOUT") {
            None => DEFAULT_WEBHOOK_READ_TIMEOUT,
            Some(text) => parse_duration(&text)
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    format!(
                        "WEBHOOK_READ_TIMEOUT `{text}` is not understood: use e.g. `10s`, `1500ms`"
                    )
                })?,
        };
        let connection_limit = match var("WEBHOOK_CONNECTION_LIMIT") {
            None => DEFAULT_WEBHOOK_CONNECTION_LIMIT,
            Some(n) => n
                .trim()
                .parse()
                .ok()
                .filter(|&n| n >= usize::from(max_connections) && n <= 100_000)
                .ok_or_else(|| {
                    format!(
                        "WEBHOOK_CONNECTION_LIMIT `{n}` should be a number from WEBHOOK_MAX_CONNECTIONS ({max_connections}) to 100000"
                    )
                })?,
        };
        let shutdown_timeout = match var("WEBHOOK_SHUTDOWN_TIMEOUT") {
            None => DEFAULT_WEBHOOK_SHUTDOWN_TIMEOUT,
            Some(text) => parse_duration(&text).ok_or_else(|| {
                format!(
                    "WEBHOOK_SHUTDOWN_TIMEOUT `{text}` is not understood: use e.g. `5s`, `500ms`"
                )
            })?,
        };
        Ok(Some(Webhook {
            url,
            secret: Secret::new(secret),
            listen,
            max_connections,
            drop_pending_updates,
            metrics_listen,
            read_timeout,
            connection_limit,
            shutdown_timeout,
        }))
    }
}

/// The line printed when no token is set.
pub const NO_TOKEN: &str = "TELOXIDE_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot), then put TELOXIDE_TOKEN=<token> in the environment or in a .env file (see .env.example); for Matrix set MATRIX_HOMESERVER, MATRIX_USER and MATRIX_PASSWORD instead; `nasal-twitch-bot chat` runs the check in the terminal without a token";

impl Config {
    /// Reads the environment; each problem is one clear line.
    pub fn from_env() -> Result<Config, String> {
        let token = var("TELOXIDE_TOKEN").map(|t| Secret::new(t.trim()));
        let matrix = Matrix::from_env()?;
        if token.is_none() && matrix.is_none() {
            return Err(NO_TOKEN.to_string());
        }
        let api_url = match var("TELOXIDE_API_URL") {
            None => None,
            Some(text) => Some(url::Url::parse(&text).map_err(|e| {
                format!("TELOXIDE_API_URL is not a URL ({e}); its value is not shown")
            })?),
        };
        let storage =
            Storage::parse(&var("BOT_STORAGE").unwrap_or_else(|| DEFAULT_STORAGE.to_string()))?;
        let session_ttl = match var("BOT_SESSION_TTL") {
            None => DEFAULT_SESSION_TTL,
            Some(text) => parse_duration(&text).filter(|d| !d.is_zero()).ok_or_else(|| {
                format!("BOT_SESSION_TTL `{text}` is not understood: use e.g. `24h`, `90m`, `2d` or seconds")
            })?,
        };
        let follow_up_after = match var("BOT_FOLLOW_UP_AFTER") {
            None => None,
            Some(text) => Some(parse_duration(&text).filter(|d| !d.is_zero()).ok_or_else(
                || {
                    format!(
                        "BOT_FOLLOW_UP_AFTER `{text}` is not understood: use e.g. `10s`, `5m`, `3d`"
                    )
                },
            )?),
        };
        let welcome_delay = match var("BOT_WELCOME_DELAY") {
            None => DEFAULT_WELCOME_DELAY,
            Some(text) => parse_duration(&text).ok_or_else(|| {
                format!("BOT_WELCOME_DELAY `{text}` is not understood: use e.g. `5s`, `500ms`")
            })?,
        };
        let http_timeout = match var("BOT_HTTP_TIMEOUT") {
            None => DEFAULT_HTTP_TIMEOUT,
            Some(text) => parse_duration(&text)
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    format!("BOT_HTTP_TIMEOUT `{text}` is not understood: use e.g. `17s`, `1500ms`")
                })?,
        };
        let throttle = match var("BOT_THROTTLE").as_deref().map(str::trim) {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => return Err(format!("BOT_THROTTLE `{other}` should be `on` or `off`")),
        };
        let send_retry_window = match var("BOT_SEND_RETRY_WINDOW") {
            None => DEFAULT_SEND_RETRY_WINDOW,
            Some(text) => parse_duration(&text).ok_or_else(|| {
                format!("BOT_SEND_RETRY_WINDOW `{text}` is not understood: use e.g. `6h`, `30m`")
            })?,
        };
        let flood_limit = match var("BOT_FLOOD_LIMIT") {
            None => DEFAULT_FLOOD_LIMIT,
            Some(text) => text.trim().parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                format!("BOT_FLOOD_LIMIT `{text}` should be a whole number of updates a minute, at least 1")
            })?,
        };
        Ok(Config {
            token,
            matrix,
            api_url,
            dialogues: dialogues_path(),
            locales: locales_path(),
            dialogue: var("BOT_DIALOGUE"),
            storage,
            session_ttl,
            follow_up_after,
            welcome_delay,
            http_timeout,
            redis_prefix: var("BOT_REDIS_PREFIX").unwrap_or_else(|| "nasal-twitch-bot".to_string()),
            webhook: Webhook::from_env()?,
            throttle,
            send_retry_window,
            flood_limit,
        })
    }
}

/// Reads `90` (seconds), `500ms`, `90s`, `15m`, `24h` or `2d`.
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "ms" => return Some(Duration::from_millis(n)),
        "" | "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    Some(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_and_storage_parse() {
        assert_eq!(parse_duration("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("2d"), Some(Duration::from_secs(172_800)));
        assert_eq!(parse_duration("300ms"), Some(Duration::from_millis(300)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(Storage::parse("memory"), Ok(Storage::Memory));
        assert_eq!(
            Storage::parse("sqlite://data/x.sqlite"),
            Ok(Storage::Sqlite("data/x.sqlite".into()))
        );
        assert!(matches!(
            Storage::parse("redis://x:6379/0"),
            Ok(Storage::Redis(_))
        ));
        assert!(Storage::parse("postgres://x").is_err());
    }

    #[test]
    fn metrics_listen_is_loopback_unless_told() {
        let default = metrics_listen(None).unwrap().unwrap();
        assert!(default.ip().is_loopback(), "{default}");
        assert_eq!(default.port(), 9464);
        assert_eq!(metrics_listen(Some("off")), Ok(None));
        assert_eq!(
            metrics_listen(Some("0.0.0.0:9100")),
            Ok(Some("0.0.0.0:9100".parse().unwrap()))
        );
        assert!(metrics_listen(Some("localhost")).is_err());
    }

    #[test]
    fn debug_hides_the_token() {
        let secret = Secret("123456:ABCdef".to_string());
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        let config = Config {
            token: Some(Secret::new("123456:ABCdef-very-secret")),
            matrix: Some(Matrix {
                homeserver: url::Url::parse("http://127.0.0.1:8008").unwrap(),
                user: "@bot:localhost".to_string(),
                password: Some(Secret::new("matrix-very-secret")),
                access_token: None,
                device_name: "bot".to_string(),
                store: PathBuf::from("data/matrix"),
            }),
            api_url: None,
            dialogues: PathBuf::from("dialogues"),
            locales: PathBuf::from(DEFAULT_LOCALES),
            dialogue: None,
            storage: Storage::Memory,
            session_ttl: DEFAULT_SESSION_TTL,
            follow_up_after: None,
            welcome_delay: DEFAULT_WELCOME_DELAY,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            redis_prefix: "p".to_string(),
            webhook: None,
            throttle: true,
            send_retry_window: DEFAULT_SEND_RETRY_WINDOW,
            flood_limit: DEFAULT_FLOOD_LIMIT,
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(!shown.contains("matrix-very-secret"), "{shown}");
        assert!(shown.contains("Secret(***)"), "{shown}");
    }
}
