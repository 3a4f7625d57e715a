//! The Python interpreter with the PyPI `wyoming` client, in a venv made on demand.

use std::path::{Path, PathBuf};
use std::process::Command;

fn has_wyoming(python: &Path) -> bool {
    Command::new(python).args(["-c", "import wyoming.client"]).output().is_ok_and(|out| out.status.success())
}

/// The interpreter to use, or the reason the check cannot run here.
pub fn python_with_wyoming() -> Result<PathBuf, String> {
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
