//! Checkpoints of a [`SqliteStore`](super::SqliteStore)'s WAL, on a thread and a
//! connection of their own.
//!
//! SQLite's default (`wal_autocheckpoint = 1000`) checkpoints on the connection that
//! committed, right after its commit: here, the writer thread, which would stall every
//! queued write for the copy of the WAL into the database file and its fsyncs. Instead,
//! the writer only notes the WAL's length after each commit (a WAL hook); each time the
//! WAL has grown by [`WAKE_AFTER`] frames it wakes the checkpointer thread, which runs a
//! `PASSIVE` checkpoint: it copies what no reader still needs and blocks neither the
//! writer nor the readers.
//!
//! SQLite starts the WAL over only when a write begins after a checkpoint has copied
//! every frame. Under a steady load the writer keeps appending while the checkpointer
//! copies, so once the WAL reaches [`WRITER_CHECKPOINTS_AT`] frames the writer
//! checkpoints itself, as SQLite would have, copying only the frames the checkpointer
//! has not reached: the WAL stays bounded, as with SQLite's default.

use std::cell::Cell;
use std::os::raw::c_int;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

use rusqlite::hooks::Wal;
use rusqlite::Connection;

use crate::error::{Error, Result};

/// Frames (pages) the WAL grows by between two wake-ups of the checkpointer.
const WAKE_AFTER: c_int = 500;

/// The WAL's length, in frames, at which the writer checkpoints on its own thread
/// (SQLite's default checkpoints at 1 000).
const WRITER_CHECKPOINTS_AT: c_int = 2_000;

thread_local! {
    /// The WAL's length after this thread's last commit, set by [`note_wal_length`].
    static WAL_LENGTH: Cell<c_int> = const { Cell::new(0) };
}

/// The writer connection's WAL hook: runs on the committing thread after each commit.
fn note_wal_length(_: &Wal, frames: c_int) -> rusqlite::Result<()> {
    WAL_LENGTH.with(|length| length.set(frames));
    Ok(())
}

/// A `PASSIVE` checkpoint on `connection`; a busy or failed one is retried by the next.
fn checkpoint(connection: &Connection) {
    let _ = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
}

/// The writer thread's side of the checkpointer; dropping it stops the checkpointer
/// thread and waits until it has closed its connection, so that a store's `close`
/// returns with every connection of the writer's side closed.
#[derive(Debug)]
pub(super) struct Checkpoints {
    /// `None` only while dropping.
    wake: Option<mpsc::SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
    /// The WAL's length when the checkpointer was last woken.
    woken_at: c_int,
}

impl Checkpoints {
    /// Hooks `writer` (replacing its automatic checkpoints) and starts the checkpointer
    /// thread on `connection`, a second connection to the same file.
    pub(super) fn start(writer: &Connection, connection: Connection, name: String) -> Result<Self> {
        let (wake, woken) = mpsc::sync_channel::<()>(1);
        let thread = thread::Builder::new()
            .name(name)
            .spawn(move || {
                while woken.recv().is_ok() {
                    checkpoint(&connection);
                }
            })
            .map_err(|e| Error::Backend {
                backend: super::BACKEND,
                source: Box::new(e),
            })?;
        writer.wal_hook(Some(note_wal_length));
        Ok(Self {
            wake: Some(wake),
            thread: Some(thread),
            woken_at: 0,
        })
    }

    /// Called on the writer thread after each commit of `writer`.
    pub(super) fn after_commit(&mut self, writer: &Connection) {
        let length = WAL_LENGTH.with(Cell::get);
        if length < self.woken_at {
            // The WAL started over.
            self.woken_at = 0;
        }
        if length >= WRITER_CHECKPOINTS_AT {
            checkpoint(writer);
        } else if length - self.woken_at >= WAKE_AFTER {
            // Full: a wake-up is pending already, which is as good.
            if let Some(wake) = &self.wake {
                let _ = wake.try_send(());
            }
            self.woken_at = length;
        }
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        // Without a sender the checkpointer's `recv` fails and its loop ends.
        drop(self.wake.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
