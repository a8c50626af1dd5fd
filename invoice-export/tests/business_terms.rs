//! The business-term table (`docs/business-terms.md`, the `business_terms` module's
//! docs) names every term of EN 16931-1 once, and its count line tells the truth.

use std::collections::BTreeMap;

const TABLE: &str = include_str!("../docs/business-terms.md");

/// The rows of the table: BT number → status column.
fn rows() -> BTreeMap<u32, String> {
    let mut rows = BTreeMap::new();
    for line in TABLE.lines().filter(|l| l.starts_with("| BT-")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let number: u32 = cells[0]
            .trim_start_matches("| BT-")
            .parse()
            .unwrap_or_else(|e| panic!("{line}: {e}"));
        let status = cells.last().unwrap().trim_end_matches(" |").to_owned();
        assert!(
            rows.insert(number, status).is_none(),
            "BT-{number} is in the table twice"
        );
    }
    rows
}

#[test]
fn every_business_term_of_en16931_has_a_row() {
    let rows = rows();
    // EN 16931-1 numbers its terms BT-1 to BT-165; BT-4 was withdrawn.
    let expected: Vec<u32> = (1..=165).filter(|n| *n != 4).collect();
    let found: Vec<u32> = rows.keys().copied().collect();
    assert_eq!(found, expected);
    for (number, status) in &rows {
        assert!(
            ["kept", "derived", "partial", "not kept yet"]
                .iter()
                .any(|s| status.starts_with(s)),
            "BT-{number}: status {status:?} is none of kept, derived, partial, not kept yet"
        );
    }
}

#[test]
fn the_count_line_matches_the_rows() {
    let rows = rows();
    let count = |prefixes: &[&str]| {
        rows.values()
            .filter(|s| prefixes.iter().any(|p| s.starts_with(p)))
            .count()
    };
    let line = format!(
        "Count: {} business terms; {} kept or derived, {} partial, {} not kept yet.",
        rows.len(),
        count(&["kept", "derived"]),
        count(&["partial"]),
        count(&["not kept yet"]),
    );
    assert!(TABLE.contains(&line), "the table should say: {line}");
}
