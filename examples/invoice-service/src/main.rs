//! The `invoice-service` binary: reads the configuration, builds the state, serves.
//! See the library docs (`src/lib.rs`) for what it does and how to run it.

use anyhow::Context;
use invoice_service::{app, auth, config, state};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of the system allocator: requests allocate and free many small
/// buffers on two worker threads, where glibc's arenas showed up in the profile as lock
/// wake-ups and a sixth of the CPU.
///
/// Built with `no_thp`: mimalloc 3 otherwise asks for transparent huge pages, and each
/// first touch of one makes the kernel zero 2 MiB on the worker that touched it (about
/// 3 ms on the 2-core test machine, `clear_page_erms` at 12 % of a POST load's CPU), so
/// a store that grows stalls the requests queued there: the in-memory store's POST p99
/// was 16–26 ms with huge pages and 7 ms without. On a host whose THP setting is
/// `always`, also set `MIMALLOC_ALLOW_THP=0`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .json()
        .with_writer(std::io::stderr)
        .init();
    let config = config::Config::from_env(|k| std::env::var(k).ok())?;
    // `invoice-service token TENANT [HOURS]` prints a token signed with JWT_SECRET (or the
    // development secret) for scripts and load tests, and exits.
    let args: Vec<String> = std::env::args().collect();
    if let [_, command, tenant, rest @ ..] = args.as_slice() {
        if command == "token" {
            let hours = rest
                .first()
                .map_or(Ok(24), |h| h.parse())
                .context("HOURS must be a number")?;
            let secret = match &config.auth {
                config::Auth::Secret(secret) => secret,
                config::Auth::Development(_) => anyhow::bail!(
                    "JWT_SECRET is unset: the service makes a random secret at each start and \
                     prints its own development token; set JWT_SECRET to mint tokens here"
                ),
                config::Auth::Jwks { .. } => {
                    anyhow::bail!("JWT_JWKS_URL is set: tokens come from the identity provider")
                }
            };
            let token =
                auth::issue_token_with_claim(secret, "cli", &config.tenant_claim, tenant, hours)?;
            println!("{token}");
            return Ok(());
        }
    }
    let (state, background) = state::build(&config).await?;
    if let config::Auth::Development(secret) = &config.auth {
        let token = auth::issue_token_with_claim(secret, "dev", &config.tenant_claim, "demo", 24)?;
        println!(
            "development token for tenant \"demo\", valid 24 hours and until this process \
             stops (JWT_SECRET unset: the secret is random, made at start):\n\n  \
             export TOKEN={token}\n"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    println!("listening on http://{}", config.bind);
    let shutdown = background.shutdown.clone();
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            shutdown.cancel();
        })
        .await?;
    background.stop().await;
    Ok(())
}
