//! The command line: `run` (the bot), `check`, `chat` and `graph`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config;
use crate::script::graph::{self, Format};
use crate::script::{self, Dialogue};
use crate::terminal::Conversation;

/// A Telegram bot that walks people with nasal twitching through a short check.
#[derive(Debug, Parser)]
#[command(name = "nasal-twitch-bot", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the Telegram bot (the default).
    Run,
    /// Validate dialogue files and list every problem as file:line:column.
    Check {
        /// Files or folders to check (default: $BOT_DIALOGUES, else `dialogues`).
        paths: Vec<PathBuf>,
        /// Fail on warnings too (e.g. a text without a source).
        #[arg(long)]
        strict: bool,
    },
    /// Run a dialogue in the terminal; answers may be piped, one per line.
    Chat {
        /// Dialogue id, when several are loaded.
        #[arg(long)]
        dialogue: Option<String>,
        /// The language to run it in, e.g. `es` or `ru` (default: English).
        #[arg(long)]
        lang: Option<String>,
    },
    /// Print the dialogue as a graph of questions, answers, rules and outcomes.
    Graph {
        /// Dialogue id, when several are loaded.
        #[arg(long)]
        dialogue: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
}

/// Parses the arguments and runs the command; errors are one line on stderr.
pub fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Run) {
        Command::Run => run_bot(),
        Command::Check { paths, strict } => check(paths, strict),
        Command::Chat { dialogue, lang } => chat(dialogue.as_deref(), lang.as_deref()),
        Command::Graph { dialogue, format } => graph_cmd(dialogue.as_deref(), format),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {}", message.trim_end());
            ExitCode::FAILURE
        }
    }
}

fn run_bot() -> Result<ExitCode, String> {
    let config = config::Config::from_env()?;
    let filters = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_string());
    pretty_env_logger::formatted_timed_builder()
        .parse_filters(&filters)
        .init();
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start: {e}"))?;
    // Spawned, not run on this thread: the polling loop then shares the
    // runtime's worker threads with the chats' workers, and handing an
    // update over needs no wake-up of another thread.
    let bot = runtime.spawn(crate::platforms::run(config));
    runtime
        .block_on(bot)
        .map_err(|e| format!("the bot stopped unexpectedly: {e}"))?
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn check(paths: Vec<PathBuf>, strict: bool) -> Result<ExitCode, String> {
    let paths = if paths.is_empty() {
        vec![config::dialogues_path()]
    } else {
        paths
    };
    let loaded = script::load_paths(&paths, &config::locales_path()).map_err(|e| e.to_string())?;
    for diagnostic in &loaded.diagnostics {
        println!("{diagnostic}");
    }
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = loaded.diagnostics.len() - errors;
    let failed = errors > 0 || (strict && warnings > 0);
    let verdict = if failed { "FAILED" } else { "ok" };
    println!(
        "{verdict}: {} file(s), {} dialogue(s), {errors} error(s), {warnings} warning(s)",
        loaded.files.len(),
        loaded.scripts.len()
    );
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Loads the dialogues from `$BOT_DIALOGUES` (with their languages from
/// `$BOT_LOCALES`) and picks one.
fn load_one(id: Option<&str>) -> Result<Dialogue, String> {
    let scripts = script::load_checked(&[config::dialogues_path()], &config::locales_path())
        .map_err(|e| e.to_string())?;
    script::select(scripts, id).map_err(|e| e.to_string())
}

fn chat(id: Option<&str>, lang: Option<&str>) -> Result<ExitCode, String> {
    let dialogue = load_one(id)?;
    let script = match lang {
        None => dialogue.base(),
        Some(lang) if dialogue.has(lang) => dialogue.get(lang),
        Some(lang) => {
            let have: Vec<&str> = dialogue.languages().map(|s| s.language.as_str()).collect();
            return Err(format!(
                "no language `{lang}` for this dialogue; it has: {}",
                have.join(", ")
            ));
        }
    };
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut stdout = std::io::stdout();
    let mut conversation = Conversation::new(script);
    let say = |out: &mut std::io::Stdout, text: &str| -> Result<(), String> {
        write!(out, "{text}").map_err(|e| e.to_string())?;
        if interactive {
            write!(out, "> ").map_err(|e| e.to_string())?;
        }
        out.flush().map_err(|e| e.to_string())
    };
    say(&mut stdout, &conversation.start())?;
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| format!("cannot read input: {e}"))?;
        if !interactive {
            writeln!(stdout, "> {line}").map_err(|e| e.to_string())?;
        }
        let said = conversation.line(&line);
        say(&mut stdout, &said.text)?;
        if said.quit {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn graph_cmd(id: Option<&str>, format: GraphFormat) -> Result<ExitCode, String> {
    let dialogue = load_one(id)?;
    let script = dialogue.base();
    let format = match format {
        GraphFormat::Mermaid => Format::Mermaid,
        GraphFormat::Dot => Format::Dot,
    };
    print!("{}", graph::render(script, format));
    Ok(ExitCode::SUCCESS)
}
