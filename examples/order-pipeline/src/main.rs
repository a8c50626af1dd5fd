//! The `order-pipeline` binary: reads the configuration, starts its roles, runs until
//! Ctrl-C. See `src/config.rs` for the variables; on embedded defaults everything runs in
//! this process, in memory:
//!
//! ```sh
//! cargo run -p order-pipeline
//! curl -s -X POST localhost:8090/accounts -d '{"customer":"c1","balance":"100.00"}' -H 'content-type: application/json'
//! curl -s -X POST localhost:8090/stock -d '{"product":"p1","quantity":5}' -H 'content-type: application/json'
//! curl -s -X POST localhost:8090/orders -H 'content-type: application/json' \
//!   -d '{"customer":"c1","lines":[{"product":"p1","quantity":2,"unit_price":"10.00"}]}'
//! ```

use std::io::IsTerminal;

use invoice_messaging::CancellationToken;
use order_pipeline::config::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = Config::from_env(|k| std::env::var(k).ok())?;
    let shutdown = CancellationToken::new();
    let mut tasks = order_pipeline::run::start(&config, shutdown.clone()).await?;
    let token = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        token.cancel();
    });
    while tasks.join_next().await.is_some() {}
    Ok(())
}
