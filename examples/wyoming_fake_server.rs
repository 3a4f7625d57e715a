//! Serves the Wyoming protocol with a deterministic fake handler, for client checks such as
//! `scripts/wyoming_client_check.py`.
//!
//! Usage: `cargo run --example wyoming_fake_server -- [--host 127.0.0.1] [--port 10300]`.
//! Port 0 picks a free port; the chosen address is printed as `listening on HOST:PORT`.

#[path = "../tests/wyoming_support/fake_handler.rs"]
mod fake_handler;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use holomesh::wyoming::serve;
use tokio::net::TcpListener;

fn parse_args() -> Result<(String, u16), String> {
    let mut host = "127.0.0.1".to_string();
    let mut port: u16 = 10300;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--host" => host = args.next().ok_or("--host needs a value")?,
            "--port" => {
                let value = args.next().ok_or("--port needs a value")?;
                port = value.parse().map_err(|_| format!("--port: not a port number: {value}"))?;
            }
            "-h" | "--help" => return Err("usage: wyoming_fake_server [--host 127.0.0.1] [--port 10300]".into()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok((host, port))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();

    let (host, port) = match parse_args() {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind((host.as_str(), port)).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("cannot listen on {host}:{port}: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        println!("listening on {addr}");
        let _ = std::io::stdout().flush();
    }

    let handler = Arc::new(fake_handler::FakeHandler::default());
    serve(listener, handler, fake_handler::fake_info(), stop_signal()).await;
    ExitCode::SUCCESS
}

/// Completes on Ctrl-C or SIGTERM.
async fn stop_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
