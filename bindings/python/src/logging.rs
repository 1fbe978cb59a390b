//! `tracing` events of the Rust crates → Python's `logging`.
//!
//! Targets `qualys_cs_client*` log to the logger `qualys_cs.client`, `qualys_cs_emulator*` to
//! `qualys_cs.emulator`, `qualys_cs_core*` to `qualys_cs.core`. Fields named like a secret
//! (password, token, authorization, secret, cookie) are replaced by `***` (the crates never log
//! secrets; this is a second lock on the door). To keep the cost near zero when nobody listens,
//! the lowest enabled level of those loggers is cached and refreshed at each call from Python.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::IntoPyDict as _;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// The crates whose events are forwarded; `qualys_cs_client` logs to `qualys_cs.client`, ….
const TARGETS: [&str; 3] = ["qualys_cs_client", "qualys_cs_emulator", "qualys_cs_core"];

/// The lowest Python level any of our loggers accepts (WARNING until refreshed).
static GATE: AtomicU32 = AtomicU32::new(30);
static LOGGER_OBJECTS: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();

fn loggers(py: Python<'_>) -> PyResult<&Vec<Py<PyAny>>> {
    LOGGER_OBJECTS.get_or_try_init(py, || {
        let logging = py.import("logging")?;
        TARGETS
            .iter()
            .map(|t| t.replacen("qualys_cs_", "qualys_cs.", 1))
            .map(|n| Ok(logging.call_method1("getLogger", (n,))?.unbind()))
            .collect::<PyResult<Vec<_>>>()
    })
}

/// Re-reads the loggers' effective levels (cheap; called at the start of each operation).
pub fn refresh(py: Python<'_>) {
    let Ok(ls) = loggers(py) else { return };
    let level = |l: &Py<PyAny>| {
        l.bind(py)
            .call_method0("getEffectiveLevel")?
            .extract::<u32>()
    };
    let lowest = ls
        .iter()
        .filter_map(|l| level(l).ok())
        .min()
        .unwrap_or(u32::MAX);
    GATE.store(lowest, Ordering::Relaxed);
}

fn python_level(l: &Level) -> u32 {
    match *l {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

fn logger_index(target: &str) -> Option<usize> {
    TARGETS.iter().position(|t| target.starts_with(t))
}

fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let secret = "password passwd token secret authorization cookie jwt";
    secret.split(' ').any(|s| n.contains(s))
}

#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Fields {
    fn push(&mut self, name: &str, value: std::fmt::Arguments<'_>) {
        let _ = match name {
            "message" => write!(self.message, "{value}"),
            n if is_secret_name(n) => write!(self.rest, " {n}=***"),
            n => write!(self.rest, " {n}={value}"),
        };
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.push(field.name(), format_args!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field.name(), format_args!("{value}"));
    }
}

/// Span fields, kept as text in the span's extensions.
struct SpanFields(String);

/// The layer forwarding events to Python.
pub struct PythonLogLayer;

impl<S> Layer<S> for PythonLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        if logger_index(attrs.metadata().target()).is_none() {
            return;
        }
        let mut f = Fields::default();
        attrs.record(&mut f);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(f.rest));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        let Some(idx) = logger_index(meta.target()) else {
            return;
        };
        let level = python_level(meta.level());
        if level < GATE.load(Ordering::Relaxed) {
            return;
        }
        let mut f = Fields::default();
        event.record(&mut f);
        let mut text = f.message + &f.rest;
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                let ext = span.extensions();
                let fields = ext.get::<SpanFields>().map(|s| s.0.as_str()).unwrap_or("");
                let _ = write!(text, " [{}{}]", span.name(), fields);
            }
        }
        let target = meta.target();
        // Interpreter shutting down: drop the record.
        let _ = Python::try_attach(|py| -> PyResult<()> {
            let logger = loggers(py)?[idx].bind(py);
            if !logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
                return Ok(());
            }
            let kw = [("extra", [("rust_target", target)].into_py_dict(py)?)].into_py_dict(py)?;
            logger.call_method("log", (level, "%s", text), Some(&kw))?;
            Ok(())
        });
    }
}

/// Installs the layer as the process's tracing subscriber (once; a subscriber installed by
/// someone else is left alone).
pub fn install() {
    let subscriber = tracing_subscriber::registry().with(PythonLogLayer.with_filter(
        tracing_subscriber::filter::filter_fn(|m| logger_index(m.target()).is_some()),
    ));
    let _ = tracing::subscriber::set_global_default(subscriber);
}
