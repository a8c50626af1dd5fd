//! A 200 MB document streams through the local-folder store in bounded memory. Alone in
//! its test binary so that the process's peak memory is this test's.

use invoice_storage::{testing, FsDocumentStore};

const SIZE: u64 = 200 * 1024 * 1024;
/// Generous for 1 MiB chunks and 64 KiB reads; a store that buffered the document whole
/// would grow by at least its 200 MiB.
const BOUND: u64 = 64 * 1024 * 1024;

#[tokio::test]
async fn fs_streams_200_mb_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsDocumentStore::open(dir.path()).await.unwrap();
    let growth = testing::large_document_round_trip(&store, SIZE).await;
    assert!(
        testing::peak_rss() > 0,
        "no /proc/self/status: cannot measure"
    );
    assert!(
        growth < BOUND,
        "peak memory grew by {} MiB for a 200 MiB document",
        growth >> 20
    );
}
