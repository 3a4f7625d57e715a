//! Runs `scripts/wyoming_client_check.py` (the real PyPI `wyoming` client) against the server.
//!
//! The venv lives at `.venv/` in the crate (override the interpreter with `WYOMING_PYTHON`); it is
//! created and `scripts/requirements-wyoming.txt` installed when missing. The test skips, saying
//! why, only when `python3` or its `venv` module is unavailable.

#[path = "wyoming_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use holomesh::wyoming::ServerConfig;
use support::TestServer;
use support::fake_handler::FakeHandler;

fn has_wyoming(python: &Path) -> bool {
    Command::new(python).args(["-c", "import wyoming.client"]).output().is_ok_and(|out| out.status.success())
}

/// The interpreter to use, or the reason the check cannot run here.
fn python_with_wyoming() -> Result<PathBuf, String> {
    if let Ok(python) = std::env::var("WYOMING_PYTHON") {
        let python = PathBuf::from(python);
        assert!(has_wyoming(&python), "WYOMING_PYTHON={} cannot import wyoming", python.display());
        return Ok(python);
    }
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = crate_dir.join(".venv");
    let python = venv.join("bin/python");
    if python.exists() && has_wyoming(&python) {
        return Ok(python);
    }
    match Command::new("python3").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        _ => return Err("python3 is not installed".into()),
    }
    let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).output();
    match made {
        Ok(out) if out.status.success() && python.exists() => {}
        Ok(out) => {
            return Err(format!("python3 -m venv failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        Err(err) => return Err(format!("python3 -m venv failed: {err}")),
    }
    let requirements = crate_dir.join("scripts/requirements-wyoming.txt");
    let pip = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements)
        .output()
        .expect("run pip");
    assert!(pip.status.success(), "pip install wyoming failed:\n{}", String::from_utf8_lossy(&pip.stderr));
    assert!(has_wyoming(&python), "wyoming still not importable after pip install");
    Ok(python)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_python_wyoming_client_talks_to_the_server() {
    let python = match tokio::task::spawn_blocking(python_with_wyoming).await.expect("setup task") {
        Ok(python) => python,
        Err(reason) => {
            eprintln!("SKIPPED real_python_wyoming_client_talks_to_the_server: {reason}");
            return;
        }
    };
    let server = TestServer::start(Arc::new(FakeHandler::default()), ServerConfig::default()).await;
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
