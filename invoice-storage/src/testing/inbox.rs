//! Suite functions for [`InboxStore`].

use std::sync::Arc;

use tokio::task::JoinSet;

use super::fixtures::{new_event_id, t0};
use crate::{InboxStore, Recorded};

/// The first record of an event id says `First`, every later one `Duplicate`, also
/// when 8 tasks record it at once; consumers are independent.
pub async fn inbox_records_each_event_once(inbox: Arc<dyn InboxStore>) {
    let id = new_event_id();
    assert!(!inbox.contains("mailer", id).await.unwrap());
    let mut tasks = JoinSet::new();
    for _ in 0..8 {
        let inbox = Arc::clone(&inbox);
        tasks.spawn(async move { inbox.record("mailer", id, t0()).await.unwrap() });
    }
    let mut firsts = 0;
    while let Some(result) = tasks.join_next().await {
        if result.unwrap() == Recorded::First {
            firsts += 1;
        }
    }
    assert_eq!(firsts, 1);
    assert!(inbox.contains("mailer", id).await.unwrap());
    assert_eq!(
        inbox.record("mailer", id, t0()).await.unwrap(),
        Recorded::Duplicate
    );
    assert_eq!(
        inbox.record("archiver", id, t0()).await.unwrap(),
        Recorded::First
    );
}
