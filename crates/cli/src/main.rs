//! `qualys-cs`: the command line of qualys-cs, on the same client and core as the SDKs.

mod args;
mod commands;
mod connect;
mod output;
mod registry_cmd;

use clap::Parser;
use qualys_cs_core::Error;
use std::process::ExitCode;

/// An error of the command line: the SDK's error, or a plain exit with a code (the message is
/// already printed).
#[derive(Debug)]
pub enum CliError {
    /// An SDK error: printed and mapped to its exit code.
    Sdk(Error),
    /// A usage problem the CLI found itself (exit 2).
    Usage(String),
    /// Exit with this code; what needed saying was said.
    Exit(u8),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Sdk(e)
    }
}

/// The documented exit code of an SDK error class.
pub fn exit_code(e: &Error) -> u8 {
    match e.code() {
        "validation" => 3,
        "auth" | "permission" => 4,
        "not_found" => 5,
        "conflict" => 6,
        "rate_limited" | "server" | "transport" | "timeout" | "http" | "decode" | "bad_request" => {
            7
        }
        "config" => 8,
        "not_reported" => 11,
        _ => 1,
    }
}

/// A secret given as a command-line argument (`--password`, `--token`, with or without `=`):
/// it would show in `ps`, in shell history and in CI logs, so it is refused before anything
/// else. Returns the flag.
fn secret_on_the_command_line(argv: &[std::ffi::OsString]) -> Option<&'static str> {
    for a in argv.iter().skip(1) {
        let a = a.to_string_lossy();
        if a == "--" {
            break;
        }
        for flag in ["--password", "--token"] {
            if a == flag || a.starts_with(&format!("{flag}=")) {
                return Some(flag);
            }
        }
    }
    None
}

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(flag) = secret_on_the_command_line(&argv) {
        let (env, stdin) = if flag == "--password" {
            ("QUALYS_PASSWORD", "--password-stdin")
        } else {
            ("QUALYS_TOKEN", "--token-stdin")
        };
        let registry_hint = if argv.iter().any(|a| a == "registry") {
            format!("; {}", registry_cmd::SECRET_HINT)
        } else {
            String::new()
        };
        eprintln!(
            "error: {flag} is not taken on the command line (a secret there shows in `ps`, shell history and CI logs): set {env}, or pipe it to {stdin}{registry_hint}"
        );
        return ExitCode::from(2);
    }
    let cli = args::Cli::parse_from(argv);
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(commands::run(cli));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Exit(code)) => ExitCode::from(code),
        Err(CliError::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::Sdk(e)) => {
            match &e {
                Error::Validation { violations } => {
                    output::problems(violations, &[]);
                    eprintln!(
                        "error: {} problem{}; nothing was sent",
                        violations.len(),
                        if violations.len() == 1 { "" } else { "s" }
                    );
                }
                // Already a whole sentence saying what the server left out.
                Error::NotReported { message, .. } => eprintln!("error: {message}"),
                _ => eprintln!("error: {e}"),
            }
            ExitCode::from(exit_code(&e))
        }
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("QUALYS_CS_LOG").unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new(format!("{level},hyper=warn,reqwest=warn"))
        });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
