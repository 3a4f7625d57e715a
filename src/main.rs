//! The `holomesh` binary: parses arguments and hands over to `holomesh::cli`.

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = holomesh::cli::Cli::parse();
    let code = match holomesh::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("holomesh: {e:#}");
            1
        }
    };
    std::process::exit(code);
}
