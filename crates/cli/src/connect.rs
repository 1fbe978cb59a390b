//! Building a client from the global options (or an embedded emulator), and resolving the
//! registry a command names.

use crate::args::{Global, RegistryArg};
use qualys_cs_client::{Client, ClientBuilder, ListOptions, Platform};
use qualys_cs_core::{Error, RegistryId, Violation};
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_USER, Emulator, EmulatorHandle, WireProfile};
use std::io::BufRead;
use std::path::PathBuf;

/// A connected client; keeps the embedded emulator alive while it is used.
pub struct Conn {
    /// The client.
    pub client: Client,
    /// The embedded emulator, when `--emulator`.
    pub emulator: Option<EmulatorHandle>,
}

/// The data dir of the embedded emulator.
pub fn emulator_dir(g: &Global) -> PathBuf {
    if let Some(d) = &g.emulator_dir {
        return d.clone();
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("qualys-cs").join("emulator")
}

/// The first line of standard input, for `flag` (`--password-stdin`, `--token-stdin`).
fn read_secret_stdin(flag: &str, what: &str) -> Result<String, Error> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::config(flag, format!("cannot read standard input: {e}")))?;
    let p = line.trim_end_matches(['\r', '\n']).to_owned();
    if p.is_empty() {
        return Err(Error::config(
            flag,
            format!(
                "standard input held no {what}; pipe it in, e.g. `printf %s \"$SECRET\" | qualys-cs {flag} ...`"
            ),
        ));
    }
    Ok(p)
}

/// The wire profile of the embedded emulator: `--emulator-wire`, else
/// `$QUALYS_CS_EMULATOR_WIRE`, else full.
pub fn emulator_wire(g: &Global) -> Result<WireProfile, Error> {
    if let Some(w) = g.emulator_wire {
        return Ok(w);
    }
    match std::env::var("QUALYS_CS_EMULATOR_WIRE") {
        Ok(v) if !v.trim().is_empty() => v
            .parse()
            .map_err(|e| Error::config("QUALYS_CS_EMULATOR_WIRE", format!("{e}"))),
        _ => Ok(WireProfile::default()),
    }
}

/// Connects as the global options say.
pub async fn connect(g: &Global) -> Result<Conn, Error> {
    if g.emulator {
        let dir = emulator_dir(g);
        std::fs::create_dir_all(&dir).map_err(|e| {
            Error::config(
                "--emulator-dir",
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
        let emu = Emulator::builder()
            .data_dir(&dir)
            .wire(emulator_wire(g)?)
            .realtime_clock(true)
            .start()
            .await
            .map_err(|e| {
                Error::config(
                    "--emulator",
                    format!("the embedded emulator did not start: {e}"),
                )
            })?;
        let mut b = Client::builder()
            .gateway_url(emu.url())
            .credentials(DEMO_USER, DEMO_PASSWORD);
        if let Some(t) = g.timeout {
            b = b.request_timeout(t);
        }
        return Ok(Conn {
            client: b.build()?,
            emulator: Some(emu),
        });
    }
    let mut b = ClientBuilder::new();
    if let Some(p) = &g.platform {
        let p: Platform = p.parse().map_err(|_| {
            Error::config(
                "--platform",
                format!(
                    "unknown platform {p:?}; use one of {}",
                    Platform::known_list()
                ),
            )
        })?;
        b = b.platform(p);
    }
    if let Some(u) = &g.gateway_url {
        b = b.gateway_url(u.clone());
    }
    let password = if g.password_stdin {
        Some(read_secret_stdin("--password-stdin", "password")?)
    } else {
        std::env::var("QUALYS_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
    };
    let token = if g.token_stdin {
        Some(read_secret_stdin("--token-stdin", "token")?)
    } else {
        std::env::var("QUALYS_TOKEN").ok().filter(|t| !t.is_empty())
    };
    match (&g.username, password, &token) {
        (Some(u), Some(p), _) => b = b.credentials(u.clone(), p),
        (_, _, Some(t)) => b = b.token(t.clone()),
        (Some(_), None, None) => {
            return Err(Error::config(
                "QUALYS_PASSWORD",
                "a username was given without a password: set QUALYS_PASSWORD or pipe it to --password-stdin",
            ));
        }
        (None, _, None) => {
            return Err(Error::config(
                "QUALYS_USERNAME",
                "no credentials: set QUALYS_USERNAME and QUALYS_PASSWORD (or --password-stdin), or QUALYS_TOKEN (or --token-stdin); or try --emulator",
            ));
        }
    }
    if let Some(t) = g.timeout {
        b = b.request_timeout(t);
    }
    Ok(Conn {
        client: b.build()?,
        emulator: None,
    })
}

/// The registry a command names, or the only one there is. A UUID is taken as is; anything
/// else goes through [`Client::find_registry`] (URI, then name where the server reports
/// names), whose `not_found` says which fields the server offered and lists near matches.
pub async fn registry(client: &Client, arg: &RegistryArg) -> Result<RegistryId, Error> {
    match arg.registry.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() => {
            if let Ok(id) = RegistryId::parse(r) {
                return Ok(id);
            }
            let found = client.find_registry(r).await?;
            RegistryId::parse(&found.registry_uuid)
        }
        _ => {
            let page = client
                .list_registries(&ListOptions::new().page_size(10))
                .await?;
            match page.data.as_slice() {
                [one] if page.count <= 1 => RegistryId::parse(&one.registry_uuid),
                [] => Err(Error::validation(vec![Violation::new(
                    "--registry",
                    "registry_required",
                    "no registry is visible to this user; add one in Qualys first",
                )])),
                many => Err(Error::validation(vec![Violation::new(
                    "--registry",
                    "registry_required",
                    format!(
                        "{} registries exist ({}{}); choose one with --registry NAME|URI|ID or QUALYS_CS_REGISTRY",
                        page.count,
                        many.iter()
                            .map(|r| r
                                .registry_name
                                .clone()
                                .or_else(|| r.registry_uri.clone())
                                .unwrap_or_else(|| r.registry_uuid.clone()))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if page.count as usize > many.len() {
                            ", ..."
                        } else {
                            ""
                        }
                    ),
                )])),
            }
        }
    }
}
