//! A 200 MB document streams through the S3 store in bounded memory (multipart up,
//! streamed down). Alone in its test binary so that the peak memory is this test's.

use invoice_storage::testing::{self, require_env};
use invoice_storage::S3DocumentStore;

const SIZE: u64 = 200 * 1024 * 1024;
/// One 8 MiB part in flight plus the SDK's buffers; a store that buffered the whole
/// document would grow by at least 200 MiB.
const BOUND: u64 = 96 * 1024 * 1024;

#[tokio::test]
async fn s3_streams_200_mb_in_bounded_memory() {
    let Some(endpoint) = require_env("AWS_ENDPOINT_URL", "s3_streams_200_mb_in_bounded_memory")
    else {
        return;
    };
    let bucket = format!("large-{}", uuid::Uuid::new_v4().simple());
    let store = S3DocumentStore::builder(bucket)
        .endpoint(endpoint)
        .credentials("testing", "testing")
        .build()
        .unwrap();
    store.ensure_bucket().await.unwrap();
    let growth = testing::large_document_round_trip(&store, SIZE).await;
    assert!(
        testing::peak_rss() > 0,
        "no /proc/self/status: cannot measure"
    );
    assert!(growth < BOUND, "peak memory grew by {} MiB", growth >> 20);
}
