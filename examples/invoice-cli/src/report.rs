//! What every command shares: one report per file, the progress bar, the summary and
//! the exit code.

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::Format;
use crate::document::FileError;

/// More files than this get a progress bar (when stderr is a terminal).
const PROGRESS_ABOVE: usize = 5;

/// How a file went, worst last: the exit code is the worst of all files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    /// Exit code 0.
    Ok,
    /// A total differs from the stated one, or a fatal rule is broken: exit code 1.
    Failed,
    /// Unreadable input or output that could not be written: exit code 2.
    Error,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Error => "error",
        }
    }

    /// The process exit code.
    pub(crate) fn exit_code(self) -> ExitCode {
        ExitCode::from(match self {
            Self::Ok => 0,
            Self::Failed => 1,
            Self::Error => 2,
        })
    }
}

/// The report of one file that could be read.
#[derive(Debug)]
pub(crate) struct FileReport {
    pub(crate) status: Status,
    /// Lines for `--format text`, each ending in a newline.
    pub(crate) text: String,
    /// Fields of the file's entry for `--format json`, besides `file` and `status`.
    pub(crate) entry: Map<String, Value>,
}

/// Where the report goes: stdout, unless stdout carries a converted document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn write(self, text: &str) {
        // A closed pipe (`invoice totals ... | head`) is not an error worth a message.
        let _ = match self {
            Self::Stdout => io::stdout().lock().write_all(text.as_bytes()),
            Self::Stderr => io::stderr().lock().write_all(text.as_bytes()),
        };
    }
}

/// `N files, N ok, N failed`.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub(crate) struct Summary {
    files: usize,
    ok: usize,
    failed: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} files, {} ok, {} failed",
            self.files, self.ok, self.failed
        )
    }
}

fn progress_bar(files: usize) -> ProgressBar {
    if files <= PROGRESS_ABOVE || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(files).unwrap_or(u64::MAX)),
        ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

/// Runs `each` over `files` and reports: per file as it goes (text) or as one JSON
/// document at the end, then the summary. Returns the worst status.
pub(crate) fn run(
    command: &'static str,
    files: &[PathBuf],
    format: Format,
    stream: Stream,
    mut each: impl FnMut(&Path) -> Result<FileReport, FileError>,
) -> Status {
    let bar = progress_bar(files.len());
    let mut summary = Summary::default();
    let mut worst = Status::Ok;
    let mut entries = Vec::with_capacity(files.len());
    for file in files {
        bar.set_message(file.display().to_string());
        let (status, text, mut entry) = match each(file) {
            Ok(report) => (report.status, Some(report.text), report.entry),
            Err(error) => {
                // Errors go to stderr in both formats, so that they are seen.
                bar.suspend(|| eprintln!("invoice: {}: {error}", file.display()));
                let mut entry = Map::new();
                entry.insert("error".to_owned(), serde_json::json!(error));
                (Status::Error, None, entry)
            }
        };
        summary.files += 1;
        if status == Status::Ok {
            summary.ok += 1;
        } else {
            summary.failed += 1;
        }
        worst = worst.max(status);
        match (format, text) {
            (Format::Text, Some(text)) => bar.suspend(|| stream.write(&text)),
            (Format::Text, None) => {}
            (Format::Json, _) => {
                let mut full = Map::new();
                full.insert("file".to_owned(), file.display().to_string().into());
                full.insert("status".to_owned(), status.name().into());
                full.append(&mut entry);
                entries.push(Value::Object(full));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    match format {
        Format::Text => stream.write(&format!("{summary}\n")),
        Format::Json => {
            let document = serde_json::json!({
                "command": command,
                "files": entries,
                "summary": summary,
            });
            let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
            text.push('\n');
            stream.write(&text);
        }
    }
    worst
}
