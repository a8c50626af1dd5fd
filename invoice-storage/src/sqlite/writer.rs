//! The writer thread of a [`SqliteStore`](super::SqliteStore): every write transaction
//! of the store runs here, one after the other, with group commit.
//!
//! Callers send a job (a closure over the connection) and wait for its answer. The
//! thread takes the first job and every job already queued behind it (up to
//! [`MAX_BATCH`]), opens one transaction (`BEGIN IMMEDIATE`), runs each job inside a
//! savepoint of its own, and commits once. A job that fails (a version conflict, a
//! constraint, even a panic) is rolled back to its savepoint and fails alone; the
//! others of its batch commit. Answers go out only after the commit, so a caller never
//! hears of a write that could still be rolled back; if the commit itself fails, every
//! job of the batch that had succeeded gets that error.
//!
//! Under load, writers that queue while one batch commits share the next commit: its
//! fixed cost (the WAL append, and with `synchronous = FULL` the fsync) is paid once per
//! batch instead of once per write. Checkpoints run on a thread of their own
//! ([`checkpointer`](super::checkpointer)).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::checkpointer::Checkpoints;
use super::query::{closed, sqlite_error};
use crate::error::{Error, Result};

/// The most jobs committed together.
pub(super) const MAX_BATCH: usize = 256;

/// A write job: runs on the writer's connection inside its savepoint, and gives back
/// what to tell its caller once the batch's fate is known. It is handed the reason
/// instead of the connection when its transaction could not even start.
type Job = Box<dyn FnOnce(std::result::Result<&Connection, String>) -> Box<dyn Outcome> + Send>;

/// A job's result, waiting for its batch's commit.
trait Outcome: Send {
    /// Whether the job succeeded (else its savepoint is rolled back).
    fn succeeded(&self) -> bool;
    /// Answers the caller: the job's own result, or the commit's error when the batch
    /// failed to commit after the job had succeeded.
    fn deliver(self: Box<Self>, commit: Option<&str>);
}

struct Pending<R> {
    result: Result<R>,
    reply: oneshot::Sender<Result<R>>,
}

impl<R: Send> Outcome for Pending<R> {
    fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    fn deliver(self: Box<Self>, commit: Option<&str>) {
        let result = match (commit, self.result) {
            (Some(reason), Ok(_)) => Err(Error::Backend {
                backend: super::BACKEND,
                source: reason.into(),
            }),
            (_, result) => result,
        };
        // A caller that stopped waiting (its future was dropped) misses nothing it
        // could act on; the write stands or not as the commit decided.
        let _ = self.reply.send(result);
    }
}

enum Message {
    Job(Job),
    /// Finish the queued jobs, close the connection, stop.
    Close(oneshot::Sender<()>),
}

/// The sending side of the writer thread; dropping the last one stops the thread after
/// the jobs already queued.
#[derive(Debug)]
pub(super) struct Writer {
    queue: mpsc::Sender<Message>,
}

impl Writer {
    /// Starts the writer thread on `connection` (already migrated), and its
    /// checkpointer on `checkpointer`, a second connection to the same file.
    pub(super) fn start(
        connection: Connection,
        checkpointer: Connection,
        name: String,
    ) -> Result<Self> {
        let checkpoints =
            Checkpoints::start(&connection, checkpointer, format!("{name} checkpoints"))?;
        let (queue, jobs) = mpsc::channel();
        thread::Builder::new()
            .name(name)
            .spawn(move || run(connection, checkpoints, &jobs))
            .map_err(|e| Error::Backend {
                backend: super::BACKEND,
                source: Box::new(e),
            })?;
        Ok(Self { queue })
    }

    /// Runs `job` in the next write transaction and returns its result once that
    /// transaction has committed (or the job's error, having rolled back its own part).
    ///
    /// When the calling future is dropped after the job was queued, the job still runs.
    pub(super) async fn write<R, F>(&self, job: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |connection| {
            let result = match connection {
                Ok(connection) => catch_unwind(AssertUnwindSafe(|| job(connection)))
                    .unwrap_or_else(|_| {
                        Err(Error::Backend {
                            backend: super::BACKEND,
                            source: "a write job panicked; its changes were rolled back".into(),
                        })
                    }),
                Err(reason) => Err(Error::Backend {
                    backend: super::BACKEND,
                    source: reason.into(),
                }),
            };
            Box::new(Pending { result, reply }) as Box<dyn Outcome>
        });
        self.queue.send(Message::Job(job)).map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    /// Waits for the queued jobs, then closes the connection; later writes fail.
    pub(super) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.queue.send(Message::Close(done)).is_ok() {
            let _ = closed.await;
        }
    }
}

/// The writer thread: batches until every sender is gone or a close is asked.
fn run(connection: Connection, mut checkpoints: Checkpoints, jobs: &mpsc::Receiver<Message>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = jobs.recv() {
        let mut close = None;
        match first {
            Message::Job(job) => batch.push(job),
            Message::Close(done) => close = Some(done),
        }
        while close.is_none() && batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(Message::Job(job)) => batch.push(job),
                Ok(Message::Close(done)) => close = Some(done),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            commit_batch(&connection, batch.drain(..));
            checkpoints.after_commit(&connection);
        }
        if let Some(done) = close {
            // Closing the last connection checkpoints the WAL and removes it.
            drop(checkpoints);
            drop(connection);
            let _ = done.send(());
            // Jobs queued after the close find the receiver gone: `closed()`.
            return;
        }
    }
}

/// One transaction for the whole batch, a savepoint per job.
fn commit_batch(connection: &Connection, batch: impl Iterator<Item = Job>) {
    if let Err(e) = control(connection, "BEGIN IMMEDIATE") {
        // Nothing ran: each caller gets the error, none a partial write.
        let reason = format!("cannot start a write transaction: {}", sqlite_error(&e));
        for job in batch {
            job(Err(reason.clone())).deliver(None);
        }
        return;
    }
    let mut outcomes: Vec<Box<dyn Outcome>> = Vec::with_capacity(MAX_BATCH);
    // Set when a savepoint could not be handled: the batch is then undone whole.
    let mut broken: Option<String> = None;
    for job in batch {
        if let Some(reason) = &broken {
            outcomes.push(job(Err(reason.clone())));
            continue;
        }
        if let Err(e) = control(connection, "SAVEPOINT job") {
            broken = Some(format!("cannot start a savepoint: {}", sqlite_error(&e)));
            outcomes.push(job(Err(broken.clone().unwrap_or_default())));
            continue;
        }
        let outcome = job(Ok(connection));
        let ended = if outcome.succeeded() {
            control(connection, "RELEASE job")
        } else {
            control(connection, "ROLLBACK TO job").and_then(|()| control(connection, "RELEASE job"))
        };
        if let Err(e) = ended {
            broken = Some(format!("cannot end a savepoint: {}", sqlite_error(&e)));
        }
        outcomes.push(outcome);
    }
    let failure = match broken {
        Some(reason) => {
            let _ = control(connection, "ROLLBACK");
            Some(reason)
        }
        None => control(connection, "COMMIT").err().map(|e| {
            let _ = control(connection, "ROLLBACK");
            format!("commit failed: {}", sqlite_error(&e))
        }),
    };
    for outcome in outcomes {
        outcome.deliver(failure.as_deref());
    }
}

/// Runs one of the batch's transaction statements (`BEGIN`, `SAVEPOINT`, `RELEASE`,
/// `ROLLBACK`, `COMMIT`) from the connection's statement cache: parsed once, not twice
/// at every job (the parser's share of a POST's CPU was under 1 %; measured POSTs did
/// not change beyond noise).
fn control(connection: &Connection, sql: &'static str) -> rusqlite::Result<()> {
    connection.prepare_cached(sql)?.execute([]).map(|_| ())
}
