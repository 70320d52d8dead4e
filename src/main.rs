//! The `nasal-twitch-bot` binary: a thin shell over the library's CLI.

fn main() -> std::process::ExitCode {
    nasal_twitch_bot::cli::main()
}
