//! Runs `scripts/wyoming_client_check.py` (the real PyPI `wyoming` client) against the server.
//!
//! The venv lives at `.venv/` in the crate (override the interpreter with `WYOMING_PYTHON`); it is
//! created and `scripts/requirements-wyoming.txt` installed when missing. The test skips, saying
//! why, only when `python3` or its `venv` module is unavailable.

#[path = "wyoming_support/mod.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use holomesh::wyoming::ServerLimits;
use support::TestServer;
use support::fake_handler::FakeHandler;
use support::python::python_with_wyoming;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_python_wyoming_client_talks_to_the_server() {
    let python = match tokio::task::spawn_blocking(python_with_wyoming).await.expect("setup task") {
        Ok(python) => python,
        Err(reason) => {
            eprintln!("SKIPPED real_python_wyoming_client_talks_to_the_server: {reason}");
            return;
        }
    };
    let server = TestServer::start(Arc::new(FakeHandler::default()), ServerLimits::default()).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/wyoming_client_check.py");
    let run = tokio::process::Command::new(&python)
        .arg(&script)
        .args(["--host", "127.0.0.1", "--port", &server.addr.port().to_string()])
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run).await.expect("python check finishes").expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "python client check failed:\n{stdout}");
    assert!(stdout.contains("6 passed, 0 failed"), "unexpected summary:\n{stdout}");
    server.shutdown().await;
}
