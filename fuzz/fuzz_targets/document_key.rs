//! `DocumentKey`: a key that is accepted never leaves its store's root (every segment is
//! a plain path component, none empty, `.` or `..`), survives serde, and the seed naming
//! convention never produces a key outside its prefix.
#![no_main]

use std::path::{Component, Path};

use arbitrary::Arbitrary;
use invoice_storage::DocumentKey;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    key: &'a str,
    parts: [&'a str; 5],
}

fuzz_target!(|input: Input<'_>| {
    if let Ok(key) = DocumentKey::new(input.key) {
        check(&key);
        assert_eq!(key.as_str(), input.key);
    }
    let [prefix, tenant, client, number, extension] = input.parts;
    if let Ok(key) = DocumentKey::invoice_document(prefix, tenant, client, number, extension) {
        check(&key);
        let segments: Vec<&str> = key.segments().collect();
        let file = format!("{number}.{extension}");
        assert_eq!(segments, [prefix, tenant, client, file.as_str()], "{key}");
        assert!(key.as_str().starts_with(&format!("{prefix}/")), "{key}");
    }
});

/// Where the folder store would put the key: under its root, one normal component per
/// segment; and the key's JSON reads back as the same key.
fn check(key: &DocumentKey) {
    let root = Path::new("/srv/documents/data");
    let path = key.segments().fold(root.to_path_buf(), |p, s| p.join(s));
    assert!(
        path.starts_with(root),
        "{key} leaves the root: {}",
        path.display()
    );
    let below: Vec<Component<'_>> = path.strip_prefix(root).unwrap().components().collect();
    assert_eq!(
        below.len(),
        key.segments().count(),
        "{key}: {}",
        path.display()
    );
    assert!(
        below.iter().all(|c| matches!(c, Component::Normal(_))),
        "{key}: {}",
        path.display()
    );
    assert!(
        !key.as_str().chars().any(|c| c.is_control() || c == '\\'),
        "{key}"
    );
    let json = serde_json::to_string(key).unwrap();
    assert_eq!(&serde_json::from_str::<DocumentKey>(&json).unwrap(), key);
}
