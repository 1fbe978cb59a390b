//! The tokio runtime behind every call: created on first use, rebuilt in a child process after
//! `os.fork()` (a forked child has the parent's memory but none of its threads), and plugged
//! into pyo3-async-runtimes so that `AsyncClient` futures run on it too.

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as GenericRuntime};
use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Runtime;

/// The runtime and the process it was built in.
static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

fn build() -> Runtime {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get().clamp(2, 8))
        .unwrap_or(2);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("qualys-cs-rt")
        .enable_all()
        .build()
        // Out of threads or file descriptors: nothing can work without a runtime.
        .unwrap_or_else(|e| panic!("qualys_cs: could not start the tokio runtime: {e}"))
}

/// The runtime of this process (created lazily; a new one after a fork).
pub fn runtime() -> Arc<Runtime> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    match slot.as_ref() {
        Some((p, rt)) if *p == pid => rt.clone(),
        other => {
            if let Some((_, old)) = other {
                // The parent's runtime: its threads do not exist here, so dropping it would
                // wait for them forever. Leak it instead.
                std::mem::forget(old.clone());
            }
            let rt = Arc::new(build());
            *slot = Some((pid, rt.clone()));
            rt
        }
    }
}

/// Runs a future to completion on the runtime with the GIL released, checking for signals
/// (Ctrl-C) every 100 ms so that a blocked call can be interrupted.
pub fn block_on<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = PyResult<T>> + Send,
    T: Send,
{
    let rt = runtime();
    py.detach(move || {
        rt.block_on(async move {
            tokio::pin!(fut);
            loop {
                tokio::select! {
                    out = &mut fut => return out,
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {
                        Python::attach(|py| py.check_signals())?;
                    }
                }
            }
        })
    })
}

pub struct QcsRuntime;

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

impl GenericRuntime for QcsRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        runtime().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        runtime().spawn_blocking(f)
    }
}

impl ContextExt for QcsRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}

/// A Rust future as an asyncio awaitable (must be called with a running event loop).
pub fn future_into_py<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::generic::future_into_py::<QcsRuntime, F, T>(py, fut)
}
