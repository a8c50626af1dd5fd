//! The mails the SMTP sink delivered, read from its maildir.

use std::path::Path;

/// The subjects of the mails the sink delivered to `address`, sorted. aiosmtpd's Mailbox
/// handler writes each mail as one file into `new/`, with the envelope recipient in an
/// `X-RcptTo` header.
pub fn subjects_to(maildir: &Path, address: &str) -> Vec<String> {
    let mut subjects = Vec::new();
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return subjects;
    };
    for entry in entries.flatten() {
        let Ok(raw) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        if header(&raw, "X-RcptTo").as_deref() == Some(address) {
            subjects.push(header(&raw, "Subject").unwrap_or_default());
        }
    }
    subjects.sort();
    subjects
}

/// The header `name` of a raw mail, with folded lines joined.
fn header(raw: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in raw.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break; // end of the header
        }
        if line.starts_with([' ', '\t']) {
            if let Some(v) = value.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            if n.eq_ignore_ascii_case(name) {
                value = Some(v.trim().to_owned());
            }
        }
    }
    value
}

/// The mails the sink delivered to `address`: each one's `Message-ID` and when its file
/// was written (its arrival), oldest first.
pub fn arrivals_to(maildir: &Path, address: &str) -> Vec<(String, std::time::SystemTime)> {
    let mut arrivals = Vec::new();
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return arrivals;
    };
    for entry in entries.flatten() {
        let Ok(raw) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        if header(&raw, "X-RcptTo").as_deref() != Some(address) {
            continue;
        }
        let Ok(written) = entry.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        arrivals.push((header(&raw, "Message-ID").unwrap_or_default(), written));
    }
    arrivals.sort_by_key(|(_, at)| *at);
    arrivals
}
