//! What the integration tests share: where the official EN 16931 example files are, found
//! by the same file as invoice-export's tests use.

#[path = "../../../../invoice-export/src/test_data.rs"]
mod test_data;

pub(crate) use test_data::en16931_examples;
