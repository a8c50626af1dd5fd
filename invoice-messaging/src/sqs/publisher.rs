//! Publishing to SQS queues in batches of 10.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use aws_sdk_sqs::Client;

use super::{broker_error, SqsQueue};
use crate::codec;
use crate::error::{Error, Result};
use crate::inprocess::topic_matches;
use crate::message::Message;
use crate::publisher::Publisher;

/// SQS accepts at most 10 messages per batch.
const BATCH: usize = 10;

#[derive(Debug, Clone)]
struct Route {
    queue: SqsQueue,
    patterns: Vec<String>,
}

/// Publishes to every routed queue whose pattern matches an event's routing key.
#[derive(Debug, Clone)]
pub struct SqsPublisher {
    client: Client,
    routes: Arc<RwLock<Vec<Route>>>,
}

impl SqsPublisher {
    pub(super) fn new(client: Client) -> Self {
        Self {
            client,
            routes: Arc::new(RwLock::new(Vec::new())),
        }
    }

    /// Sends messages whose routing key matches one of `patterns` to `queue` (in addition to
    /// the existing routes).
    pub fn route(&self, queue: &SqsQueue, patterns: &[&str]) {
        let mut routes = self
            .routes
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        routes.push(Route {
            queue: queue.clone(),
            patterns: patterns.iter().map(|p| (*p).to_owned()).collect(),
        });
    }

    async fn send<M: Message>(&self, queue: &SqsQueue, envelopes: &[&M]) -> Result<()> {
        for chunk in envelopes.chunks(BATCH) {
            let mut entries = Vec::with_capacity(chunk.len());
            for (i, envelope) in chunk.iter().enumerate() {
                let body =
                    String::from_utf8(codec::encode(*envelope)?).map_err(|e| Error::Decode {
                        reason: e.to_string(),
                    })?;
                let mut entry = SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body);
                if queue.fifo {
                    entry = entry
                        .message_group_id(envelope.ordering_key())
                        .message_deduplication_id(envelope.message_id().to_string());
                }
                entries.push(entry.build().map_err(broker_error)?);
            }
            let output = self
                .client
                .send_message_batch()
                .queue_url(&queue.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| Error::NotConfirmed {
                    backend: "sqs",
                    event_id: chunk
                        .first()
                        .map(|e| e.message_id().to_string())
                        .unwrap_or_default(),
                    source: Some(Box::new(e)),
                })?;
            if let Some(failed) = output.failed().first() {
                let index: usize = failed.id().parse().unwrap_or(0);
                return Err(Error::NotConfirmed {
                    backend: "sqs",
                    event_id: chunk
                        .get(index)
                        .map(|e| e.message_id().to_string())
                        .unwrap_or_default(),
                    source: Some(
                        format!(
                            "{}: {}",
                            failed.code(),
                            failed.message().unwrap_or_default()
                        )
                        .into(),
                    ),
                });
            }
        }
        Ok(())
    }
}

#[async_trait]
impl<M: Message> Publisher<M> for SqsPublisher {
    async fn publish_batch(&self, envelopes: &[M]) -> Result<()> {
        let routes = self
            .routes
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        for route in &routes {
            let matching: Vec<&M> = envelopes
                .iter()
                .filter(|e| {
                    let key = e.routing_key();
                    route.patterns.iter().any(|p| topic_matches(p, &key))
                })
                .collect();
            if !matching.is_empty() {
                self.send(&route.queue, &matching).await?;
            }
        }
        Ok(())
    }
}
