//! `invoice extract`: the XML invoice a Factur-X / ZUGFeRD PDF embeds.

use std::io::Write;
use std::path::Path;

use invoice_export::read_facturx;
use serde_json::Map;

use crate::cli::Format;
use crate::document::{self, FileError};
use crate::report::{self, FileReport, Status, Stream};

/// `invoice extract FILE.pdf [-o OUT]`.
pub(crate) fn run(file: &Path, output: Option<&Path>, format: Format) -> Status {
    let options = document::import_options();
    let stream = if output.is_some() {
        Stream::Stdout
    } else {
        Stream::Stderr
    };
    report::run("extract", &[file.to_path_buf()], format, stream, |path| {
        extract(path, output, &options)
    })
}

fn extract(
    path: &Path,
    output: Option<&Path>,
    options: &invoice_export::ImportOptions,
) -> Result<FileReport, FileError> {
    let bytes =
        std::fs::read(path).map_err(|e| FileError::new(format!("cannot read the file: {e}")))?;
    let found = read_facturx(&bytes, options)?;
    let destination = match output {
        Some(out) => {
            std::fs::write(out, &found.xml)
                .map_err(|e| FileError::new(format!("cannot write {}: {e}", out.display())))?;
            out.display().to_string()
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&found.xml)
                .and_then(|()| stdout.flush())
                .map_err(|e| FileError::new(format!("cannot write to stdout: {e}")))?;
            "stdout".to_owned()
        }
    };
    let profile = found
        .profile
        .map_or("no known profile", |p| p.conformance_level());
    let text = format!(
        "{}: {} ({profile}), {} bytes to {destination}\n",
        path.display(),
        found.file_name,
        found.xml.len()
    );
    let mut entry = Map::new();
    entry.insert("embedded".to_owned(), found.file_name.clone().into());
    entry.insert("profile".to_owned(), profile.into());
    entry.insert("output".to_owned(), destination.into());
    entry.insert("bytes".to_owned(), found.xml.len().into());
    Ok(FileReport {
        status: Status::Ok,
        text,
        entry,
    })
}
