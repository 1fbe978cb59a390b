//! Command-line arguments (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};
use qualys_cs_emulator::WireProfile;
use std::path::PathBuf;

/// Qualys Container Security registry scan schedules, from a terminal or a CI job.
///
/// Credentials come from QUALYS_USERNAME with QUALYS_PASSWORD (or --password-stdin), or
/// QUALYS_TOKEN (or --token-stdin) — never from an argument; the gateway from --platform / QUALYS_PLATFORM or --gateway-url /
/// QUALYS_GATEWAY_URL. Try everything offline with --emulator.
#[derive(Debug, Parser)]
#[command(name = "qualys-cs", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Exit codes, documented in `--help`.
pub const EXIT_CODES: &str = "Exit codes:
  0  success
  1  unexpected failure
  2  wrong command-line usage
  3  invalid input (validation): nothing was sent
  4  authentication or permission refused
  5  not found
  6  conflict (e.g. the schedule is running)
  7  the service failed, timed out, or rate-limited us after retries
  8  configuration error (credentials, gateway, platform)
  9  plan --detailed-exitcode: the plan has changes
  10 apply finished with failed items
  11 the server does not report what the command needs (e.g. a schedule's interval and
     weekday in Qualys's 2021 API shape): the answer printed is incomplete";

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Qualys platform (US1..US4, EU1..EU3, IN1, CA1, AE1, UK1, AU1, KSA1, GOV1).
    #[arg(long, global = true, env = "QUALYS_PLATFORM", hide_env_values = true)]
    pub platform: Option<String>,
    /// Gateway base URL (private clouds, the emulator).
    #[arg(long, global = true, env = "QUALYS_GATEWAY_URL")]
    pub gateway_url: Option<String>,
    /// Qualys username.
    #[arg(long, global = true, env = "QUALYS_USERNAME")]
    pub username: Option<String>,
    /// Read the password from the first line of standard input (else QUALYS_PASSWORD).
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// Read a ready JWT from the first line of standard input, instead of username and
    /// password (else QUALYS_TOKEN). Secrets are never taken as arguments.
    #[arg(long, global = true, conflicts_with = "password_stdin")]
    pub token_stdin: bool,
    /// Output format.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Request timeout, e.g. 30s or 2m.
    #[arg(long, global = true, value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// More logging on stderr (-v info, -vv debug). Secrets are never logged.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Run against an embedded emulator with a persistent data dir (zero set-up).
    #[arg(long, global = true)]
    pub emulator: bool,
    /// Data dir of the embedded emulator (default: $QUALYS_CS_EMULATOR_DIR, else
    /// ~/.local/share/qualys-cs/emulator).
    #[arg(long, global = true, env = "QUALYS_CS_EMULATOR_DIR")]
    pub emulator_dir: Option<PathBuf>,
    /// Wire profile of the embedded emulator: full (today's documentation) or oas2021
    /// (Qualys's 2021 OpenAPI shape: fewer fields). Default: $QUALYS_CS_EMULATOR_WIRE, else
    /// full.
    #[arg(long, global = true, value_name = "PROFILE", requires = "emulator", value_parser = parse_wire)]
    pub emulator_wire: Option<WireProfile>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned tables for people.
    Table,
    /// Stable JSON for scripts.
    Json,
    /// YAML.
    Yaml,
}

/// Commands.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Command {
    /// Create, list, inspect, change and remove scan schedules.
    #[command(subcommand)]
    Schedule(ScheduleCmd),
    /// Registries and their repositories.
    #[command(subcommand)]
    Registry(RegistryCmd),
    /// Show what `apply` would change for a desired-state file.
    Plan(PlanArgs),
    /// Make the schedules match a desired-state file.
    Apply(ApplyArgs),
    /// Check a request body or a desired-state file without sending anything.
    Validate(ValidateArgs),
    /// Run the local emulator.
    #[command(subcommand)]
    Emulator(EmulatorCmd),
    /// Check credentials and connectivity.
    #[command(subcommand)]
    Auth(AuthCmd),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `schedule` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScheduleCmd {
    /// Create a schedule.
    Create(CreateArgs),
    /// List schedules (every page).
    List(ListArgs),
    /// Show one schedule.
    Get(IdArgs),
    /// Change an automatic schedule's timing, force scan or latest-N-tags.
    Update(UpdateArgs),
    /// Delete schedules by id, or in bulk by filter.
    Delete(BulkArgs),
    /// Cancel schedules by id, or in bulk by filter.
    Cancel(BulkArgs),
    /// Wait until a schedule reaches a terminal (or a given) status.
    Wait(WaitArgs),
    /// Show when a schedule (existing, or described by flags) runs next.
    NextRuns(PreviewArgs),
    /// Say in one sentence when a schedule runs and what it scans.
    Explain(PreviewArgs),
}

/// Which registry: name, URI or UUID.
#[derive(Debug, Args, Clone)]
pub struct RegistryArg {
    /// Registry name, URI or UUID (default: the only registry, when there is one).
    #[arg(long, short = 'r', env = "QUALYS_CS_REGISTRY")]
    pub registry: Option<String>,
}

/// When a schedule runs, and what it scans.
#[derive(Debug, Args, Clone, Default)]
pub struct SpecArgs {
    /// Run once, now.
    #[arg(long, group = "kind")]
    pub on_demand: bool,
    /// Run every N days, e.g. 10d or 10.
    #[arg(long, group = "kind", value_name = "DAYS")]
    pub every: Option<String>,
    /// Run weekly on this day (MONDAY..SUNDAY).
    #[arg(long, group = "kind", value_name = "DAY")]
    pub weekly: Option<String>,
    /// Run daily at HH:MM (UTC unless --tz).
    #[arg(long, group = "kind", value_name = "HH:MM")]
    pub daily: Option<String>,
    /// Time of a weekly run, HH:MM (UTC unless --tz; default 00:00).
    #[arg(long, value_name = "HH:MM", requires = "weekly")]
    pub at: Option<String>,
    /// IANA time zone of --daily / --weekly --at, e.g. Europe/Paris (converted to UTC).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Repository to scan, repeatable; `repo:tag1,tag2` scans those tags only.
    #[arg(long = "repo", value_name = "REPO[:TAGS]")]
    pub repos: Vec<String>,
    /// Tag to scan in every --repo given without tags, repeatable.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only images created within this many days, e.g. 7d.
    #[arg(long, value_name = "DAYS")]
    pub created_within: Option<String>,
    /// Only the latest N tags (by creation date).
    #[arg(long, value_name = "N")]
    pub latest: Option<u32>,
    /// Rescan every image, not only new ones.
    #[arg(long)]
    pub force_scan: bool,
    /// Registry type (V2, V2_PRIVATE, DockerHub, AWS, Azure, GCP, GOOGLE_ARTIFACT_REGISTRY).
    #[arg(long, value_name = "TYPE")]
    pub registry_type: Option<String>,
}

/// `schedule create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub registry: RegistryArg,
    /// Schedule name.
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Print the request that would be sent, send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `schedule list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub registry: RegistryArg,
    /// Qualys query, e.g. 'name:"nightly"' or 'status:Completed'.
    #[arg(long)]
    pub filter: Option<String>,
    /// Sort, `field:asc|desc`.
    #[arg(long)]
    pub sort: Option<String>,
    /// One page only (from 1) instead of every page.
    #[arg(long)]
    pub page: Option<u32>,
    /// Page size.
    #[arg(long, default_value_t = 50)]
    pub page_size: u32,
}

/// A schedule id.
#[derive(Debug, Args)]
pub struct IdArgs {
    #[command(flatten)]
    pub registry: RegistryArg,
    /// Schedule id (UUID).
    pub id: String,
}

/// `schedule update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub registry: RegistryArg,
    /// Schedule id (UUID).
    pub id: String,
    /// Run every N days.
    #[arg(long, group = "kind", value_name = "DAYS")]
    pub every: Option<String>,
    /// Run weekly on this day.
    #[arg(long, group = "kind", value_name = "DAY")]
    pub weekly: Option<String>,
    /// Run daily at HH:MM.
    #[arg(long, group = "kind", value_name = "HH:MM")]
    pub daily: Option<String>,
    /// Time of a weekly run.
    #[arg(long, value_name = "HH:MM")]
    pub at: Option<String>,
    /// IANA time zone of the times given.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Turn force scan on or off.
    #[arg(long, value_name = "BOOL")]
    pub force_scan: Option<bool>,
    /// Only the latest N tags (0 removes the limit).
    #[arg(long, value_name = "N")]
    pub latest: Option<u32>,
    /// Print the request that would be sent, send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `schedule delete` / `cancel`.
#[derive(Debug, Args)]
pub struct BulkArgs {
    #[command(flatten)]
    pub registry: RegistryArg,
    /// Schedule ids.
    pub ids: Vec<String>,
    /// Act in bulk on the schedules matching this query (e.g. 'scheduleUuid:*' for all).
    #[arg(long, conflicts_with = "ids")]
    pub filter: Option<String>,
    /// Do not ask for confirmation of a bulk filter.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `schedule wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    #[command(flatten)]
    pub registry: RegistryArg,
    /// Schedule id (UUID).
    pub id: String,
    /// Wait for this status (repeatable); default: any terminal status.
    #[arg(long = "status")]
    pub statuses: Vec<String>,
    /// Give up after this long.
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Time between polls.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub interval: std::time::Duration,
}

/// `schedule next-runs` / `explain`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    #[command(flatten)]
    pub registry: RegistryArg,
    /// An existing schedule's id; else describe one with the flags.
    pub id: Option<String>,
    #[command(flatten)]
    pub spec: SpecArgs,
    /// How many runs.
    #[arg(long, default_value_t = 5)]
    pub count: usize,
    /// Also show the runs in this IANA zone.
    #[arg(long = "show-tz", value_name = "ZONE")]
    pub show_tz: Option<String>,
    /// Creation instant (RFC 3339) for schedules described by flags (default: now).
    #[arg(long)]
    pub created: Option<String>,
    /// Runs after this instant (RFC 3339; default: now).
    #[arg(long)]
    pub after: Option<String>,
}

/// `registry` subcommands.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum RegistryCmd {
    /// List registries.
    List,
    /// Show a registry (name, URI or UUID).
    Get {
        /// Registry name, URI or UUID.
        registry: String,
    },
    /// List a registry's repositories.
    Repos {
        /// Registry name, URI or UUID.
        registry: String,
    },
    /// Registries as code: create, update, validate, delete, connectors.
    #[command(flatten)]
    Write(crate::registry_cmd::RegistryWriteCmd),
}

/// `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Desired-state file (YAML or JSON).
    #[arg(long, short = 'f')]
    pub file: PathBuf,
    /// Also delete schedules the file does not list.
    #[arg(long)]
    pub prune: bool,
    /// Exit 9 when the plan has changes, 0 when it has none.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Ask the service (`POST /registry/validate`) about every registry the plan would
    /// create or update; nothing is created.
    #[arg(long)]
    pub remote_validate: bool,
    /// Plan an update of every managed registry's credential (after a rotation the file
    /// did not declare with `rotatedAt`).
    #[arg(long)]
    pub update_credentials: bool,
}

/// `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Desired-state file (YAML or JSON).
    #[arg(long, short = 'f')]
    pub file: PathBuf,
    /// Also delete schedules the file does not list.
    #[arg(long)]
    pub prune: bool,
    /// Show what would be sent; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Items worked on at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Send the credential of every managed registry (after a rotation the file did not
    /// declare with `rotatedAt`).
    #[arg(long)]
    pub update_credentials: bool,
}

/// `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// A request body (JSON) or a desired-state file (YAML/JSON); `-` reads stdin.
    #[arg(long, short = 'f')]
    pub file: PathBuf,
}

/// `emulator` subcommands.
#[derive(Debug, Subcommand)]
pub enum EmulatorCmd {
    /// Serve the emulator until interrupted.
    Serve {
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Port (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Keep state in memory only.
        #[arg(long)]
        in_memory: bool,
        /// Wire profile: full (today's documentation) or oas2021 (Qualys's 2021 OpenAPI
        /// shape: fewer fields, bare-string answers, no registry names, a gateway that
        /// refuses nulls with 422).
        #[arg(long, value_name = "PROFILE", env = "QUALYS_CS_EMULATOR_WIRE", default_value = "full", value_parser = parse_wire)]
        wire: WireProfile,
    },
}

/// `auth` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuthCmd {
    /// Log in and make one read call.
    Check,
}

/// Parses `30s`, `5m`, `2h`, `1d`, `250ms` or a number of seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration; use e.g. 30s, 5m, 2h"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" | "" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        _ => {
            return Err(format!(
                "{s:?}: unknown unit {unit:?}; use ms, s, m, h or d"
            ));
        }
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("{s:?} is not a positive duration"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// Parses a wire profile name (`full` or `oas2021`, any case).
pub fn parse_wire(s: &str) -> Result<WireProfile, String> {
    s.parse::<WireProfile>().map_err(|e| e.to_string())
}

/// Parses `10d` or `10` as a number of days.
pub fn parse_days(s: &str, flag: &str) -> Result<u16, String> {
    let t = s.trim().trim_end_matches(['d', 'D']);
    t.parse::<u16>()
        .map_err(|_| format!("{flag} takes a number of days such as 7d or 14; got {s:?}"))
}
