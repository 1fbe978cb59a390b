//! `qualys-cs-emulator`: runs the emulator until Ctrl-C / SIGTERM. The FIRST line on stdout is
//! `listening on http://HOST:PORT`, so a harness can start it on port 0 and read its address.
//! Logs go to stderr (`RUST_LOG` filters them; default `info`).

use clap::Parser;
use qualys_cs_emulator::{ConfigFile, DEMO_REGISTRY_ID, DEMO_USER, Emulator, WireProfile};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "qualys-cs-emulator",
    version,
    about = "Local emulator of the Qualys Container Security registry-schedule API",
    after_help = concat!(
        "Demo user: ", "demo_user", " / ", "demo-password",
        "; demo registry: ", "d3e0c0de-5eed-4a11-9e57-0000000000d0",
        ".\nControl routes: /_emulator/{reset,clock,clock/advance,faults,requests,schedules,settings}; OpenAPI at /openapi.json."
    )
)]
struct Args {
    /// Address to bind (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to bind (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Keep schedules in SQLite in this directory (default: $XDG_DATA_HOME/qualys-cs-emulator
    /// or ~/.local/share/qualys-cs-emulator).
    #[arg(long, conflicts_with = "in_memory")]
    data_dir: Option<PathBuf>,
    /// Keep schedules in memory only.
    #[arg(long)]
    in_memory: bool,
    /// Config file (JSON, or TOML by the .toml extension): registries, users, job settings.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Extra user NAME:PASSWORD (repeatable). Append :noperm for a user without the CS
    /// permission (403 on every CS route).
    #[arg(long = "user", value_name = "NAME:PASSWORD")]
    users: Vec<String>,
    /// Remove the demo user.
    #[arg(long)]
    no_demo_user: bool,
    /// Token lifetime in seconds (default 14400 = 4 h).
    #[arg(long)]
    token_ttl_secs: Option<u64>,
    /// Rate limit as N/SECS (default 1000/60).
    #[arg(long, value_name = "N/SECS")]
    rate_limit: Option<String>,
    /// Real-time clock: jobs move as real time passes (plus advances).
    #[arg(long)]
    realtime: bool,
    /// Clock seconds per job step (default 1).
    #[arg(long)]
    job_step_secs: Option<f64>,
    /// Make every job end Failed.
    #[arg(long)]
    fail_jobs: bool,
    /// TLS certificate chain (PEM); serves https://localhost:PORT.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Answer shape: `full` (today's documentation) or `oas2021` (Qualys's 2021 OpenAPI file,
    /// with a schema-validating gateway: 422 for a body that does not match). Overrides the
    /// config file's `wire`.
    #[arg(long, env = "QUALYS_CS_EMULATOR_WIRE", value_name = "full|oas2021")]
    wire: Option<WireProfile>,
    /// Token the control routes (/_emulator/*) require: `Authorization: Bearer TOKEN` or
    /// `X-Emulator-Control-Token: TOKEN`. Required to listen beyond loopback.
    #[arg(
        long,
        env = "QUALYS_CS_EMULATOR_CONTROL_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    control_token: Option<String>,
    /// Seconds a client has to send a request's line and headers (default 10); also how long
    /// an idle keep-alive connection stays open.
    #[arg(long, value_name = "SECS")]
    header_read_timeout_secs: Option<f64>,
    /// Seconds a client has to send a request body (default 30; then 408).
    #[arg(long, value_name = "SECS")]
    body_read_timeout_secs: Option<f64>,
    /// Print an example config file (JSON) and exit.
    #[arg(long)]
    print_example_config: bool,
}

fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("qualys-cs-emulator");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(h).join(".local/share/qualys-cs-emulator");
    }
    PathBuf::from("qualys-cs-emulator-data")
}

fn parse_rate(s: &str) -> Result<(u64, Duration), String> {
    let bad = || format!("--rate-limit must be N/SECS, e.g. 1000/60; got {s:?}");
    let (n, secs) = s.split_once('/').ok_or_else(bad)?;
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    let secs: u64 = secs.trim().parse().map_err(|_| bad())?;
    if secs == 0 {
        return Err(bad());
    }
    Ok((n, Duration::from_secs(secs)))
}

async fn run(args: Args) -> Result<(), String> {
    if args.print_example_config {
        println!("{}", ConfigFile::example_json());
        return Ok(());
    }
    let mut b = Emulator::builder().host(&args.host).port(args.port);
    b = if args.in_memory {
        b.in_memory()
    } else {
        b.data_dir(args.data_dir.clone().unwrap_or_else(default_data_dir))
    };
    if let Some(c) = &args.config {
        b = b.config_file(c);
    }
    for u in &args.users {
        let (name, rest) = u.split_once(':').ok_or_else(|| {
            format!(
                "--user must be NAME:PASSWORD; got a value without ':' for {:?}",
                u.split(':').next().unwrap_or("")
            )
        })?;
        if name.is_empty() {
            return Err("--user needs a non-empty NAME before ':'".into());
        }
        b = match rest.strip_suffix(":noperm") {
            Some(pw) => b.user_without_permission(name, pw),
            None => b.user(name, rest),
        };
    }
    if args.no_demo_user {
        b = b.no_demo_user();
    }
    if let Some(t) = args.token_ttl_secs {
        b = b.token_ttl(Duration::from_secs(t));
    }
    if let Some(r) = &args.rate_limit {
        let (n, w) = parse_rate(r)?;
        b = b.rate_limit(n, w);
    }
    if let Some(s) = args.job_step_secs {
        if !(s.is_finite() && s > 0.0) {
            return Err(format!("--job-step-secs must be above 0; got {s}"));
        }
        b = b.job_step(Duration::from_secs_f64(s));
    }
    if args.fail_jobs {
        b = b.fail_jobs(true);
    }
    b = b.realtime_clock(args.realtime);
    if let Some(w) = args.wire {
        b = b.wire(w);
    }
    if let Some(t) = &args.control_token {
        b = b.control_token(t);
    }
    for (flag, v) in [
        ("--header-read-timeout-secs", args.header_read_timeout_secs),
        ("--body-read-timeout-secs", args.body_read_timeout_secs),
    ] {
        if let Some(s) = v
            && !(s.is_finite() && s > 0.0 && s <= 86_400.0)
        {
            return Err(format!("{flag} must be above 0 and at most 86400; got {s}"));
        }
    }
    if let Some(s) = args.header_read_timeout_secs {
        b = b.header_read_timeout(Duration::from_secs_f64(s));
    }
    if let Some(s) = args.body_read_timeout_secs {
        b = b.body_read_timeout(Duration::from_secs_f64(s));
    }
    if let (Some(c), Some(k)) = (&args.tls_cert, &args.tls_key) {
        let cert = std::fs::read_to_string(c)
            .map_err(|e| format!("cannot read --tls-cert {}: {e}", c.display()))?;
        let key = std::fs::read_to_string(k)
            .map_err(|e| format!("cannot read --tls-key {}: {e}", k.display()))?;
        b = b.tls(cert, key);
    }
    let handle = b.start().await.map_err(|e| e.to_string())?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", handle.url());
        let _ = out.flush();
    }
    tracing::info!("wire profile {}", handle.wire());
    tracing::info!(
        "demo user {DEMO_USER} / {}; demo registry {DEMO_REGISTRY_ID}",
        if args.no_demo_user {
            "(removed)"
        } else {
            "(password in the README)"
        }
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    handle.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
