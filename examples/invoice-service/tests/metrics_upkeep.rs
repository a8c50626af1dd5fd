//! The latency histogram's samples are drained while nobody scrapes `/metrics`.
//!
//! A binary of its own: it installs the process-wide recorder and measures the process's
//! resident memory, which other tests running beside it would disturb.
//!
//! The runtime has one thread, so the drain runs between recordings, never during one:
//! `metrics-util`'s lock-free sample bucket can lose a sample written into a block at the
//! instant a drain detaches it (see [`keep_up`]), and this test counts every sample.

use std::time::Duration;

use invoice_messaging::CancellationToken;
use invoice_service::metrics::{install, keep_up};

/// Latency samples recorded, as the service records one per request.
const SAMPLES: usize = 2_000_000;

/// The resident set of this process, in bytes (`VmRSS` of `/proc/self/status`).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[tokio::test(flavor = "current_thread")]
async fn latency_samples_do_not_pile_up_between_scrapes() {
    let Some(before) = resident_bytes() else {
        eprintln!("skipped latency_samples_do_not_pile_up_between_scrapes: no /proc/self/status");
        return;
    };
    let handle = install().unwrap();
    let shutdown = CancellationToken::new();
    let upkeep = tokio::spawn(keep_up(
        handle.clone(),
        Duration::from_millis(5),
        shutdown.clone(),
    ));
    // 16 bytes a sample: 32 MB if they were kept until a scrape.
    for _ in 0..SAMPLES / 10_000 {
        for _ in 0..10_000 {
            metrics::histogram!("http_request_duration_seconds", "method" => "GET", "route" => "/invoices/{id}")
                .record(0.001);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let grown = resident_bytes().unwrap().saturating_sub(before);
    shutdown.cancel();
    upkeep.await.unwrap();
    assert!(
        grown < 8 << 20,
        "{SAMPLES} samples grew the process by {} KiB",
        grown >> 10
    );
    // Drained into the summary, not dropped: the scrape still counts every one.
    let scraped = handle.render();
    assert!(
        scraped.lines().any(
            |line| line.starts_with("http_request_duration_seconds_count{")
                && line.ends_with(&format!(" {SAMPLES}"))
        ),
        "{scraped}"
    );
}
