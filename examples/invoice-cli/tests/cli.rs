//! The `invoice` binary over the official CEN examples (the folder `EN16931_EXAMPLES`
//! names; see `tests/common`), and over corrupted copies of them. Without the examples,
//! each test that reads them reports itself skipped by name.

mod common;

use std::fs;
use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// The `cen/` folder of the official examples.
struct Cen(PathBuf);

impl Cen {
    /// The examples of `test`, or `None` when they are not here (the test is skipped).
    fn find(test: &str) -> Option<Self> {
        common::en16931_examples(test).map(|dir| Self(dir.join("cen")))
    }

    /// Every example, UBL first, in name order.
    fn files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for syntax in ["ubl", "cii"] {
            let mut found: Vec<PathBuf> = fs::read_dir(self.0.join(syntax))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")))
                .collect();
            found.sort();
            files.extend(found);
        }
        files
    }

    /// One example, by its path below `cen/`.
    fn file(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }
}

fn invoice() -> Command {
    Command::cargo_bin("invoice").unwrap()
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(output)))
}

/// `xml` with the text of the first element whose name ends in `:{local}` replaced by
/// `value`; also returns the text it had.
fn with_element_text(xml: &str, local: &str, value: &str) -> (String, String) {
    let open = format!(":{local}");
    let start = xml
        .match_indices(&open)
        .map(|(i, _)| i + open.len())
        .find(|&i| matches!(xml.as_bytes()[i], b'>' | b' '))
        .unwrap_or_else(|| panic!("no {local}"));
    let text_start = start + xml[start..].find('>').unwrap() + 1;
    let text_end = text_start + xml[text_start..].find('<').unwrap();
    let old = xml[text_start..text_end].to_owned();
    let changed = format!("{}{value}{}", &xml[..text_start], &xml[text_end..]);
    (changed, old)
}

/// `xml` with a DOCTYPE that declares an entity, used in the first line's note position.
fn with_doctype(xml: &str, root: &str) -> String {
    let after_decl = if xml.starts_with("<?xml") {
        xml.find("?>").unwrap() + 2
    } else {
        0
    };
    format!(
        "{}\n<!DOCTYPE {root} [<!ENTITY boom \"&#x42;&#x42;&#x42;\">]>{}",
        &xml[..after_decl],
        &xml[after_decl..]
    )
}

fn assert_no_panic(stderr: &[u8]) {
    let stderr = String::from_utf8_lossy(stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn totals_check_passes_on_every_cen_example() {
    let Some(cen) = Cen::find("totals_check_passes_on_every_cen_example") else {
        return;
    };
    let files = cen.files();
    assert_eq!(
        files.len(),
        34,
        "the CEN folder has 19 UBL and 15 CII files"
    );
    invoice()
        .arg("totals")
        .arg("--check")
        .args(&files)
        .assert()
        .success()
        .stdout(predicate::str::contains("check   ok").count(34))
        .stdout(predicate::str::ends_with("34 files, 34 ok, 0 failed\n"));
}

#[test]
fn totals_prints_every_business_term_and_the_vat_breakdown() {
    let Some(cen) = Cen::find("totals_prints_every_business_term_and_the_vat_breakdown") else {
        return;
    };
    invoice()
        .args(["totals"])
        .arg(cen.file("ubl/ubl-tc434-example1.xml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("UBL Invoice, EUR, 20 lines"))
        .stdout(
            predicate::str::is_match(r"BT-109 +Invoice total amount without VAT +229\.60\n")
                .unwrap(),
        )
        .stdout(predicate::str::is_match(r"BT-113 +Paid amount +0\.00\n").unwrap())
        .stdout(predicate::str::is_match(r"BT-115 +Amount due for payment +250\.33\n").unwrap())
        .stdout(predicate::str::is_match(r"BG-23 +S 6 % +taxable +183\.23 +VAT +10\.99\n").unwrap())
        // No check lines without --check (a file's path may contain the word itself).
        .stdout(predicate::str::is_match(r"\n\s+check\s").unwrap().not());
}

#[test]
fn totals_format_json_parses_and_matches_the_files() {
    let Some(cen) = Cen::find("totals_format_json_parses_and_matches_the_files") else {
        return;
    };
    let files = cen.files();
    let output = invoice()
        .args(["--format", "json", "totals", "--check"])
        .args(&files)
        .output()
        .unwrap();
    assert!(output.status.success());
    let report = json_of(&output.stdout);
    assert_eq!(report["command"], "totals");
    assert_eq!(report["summary"]["files"], 34);
    assert_eq!(report["summary"]["ok"], 34);
    let entries = report["files"].as_array().unwrap();
    for (file, entry) in files.iter().zip(entries) {
        assert_eq!(entry["file"], file.display().to_string());
        assert_eq!(entry["status"], "ok", "{entry}");
        assert_eq!(entry["differences"], Value::Array(Vec::new()));
    }
    let huf = entries
        .iter()
        .find(|e| e["file"].as_str().unwrap().ends_with("huf_example_cii.xml"))
        .unwrap();
    assert_eq!(huf["totals"]["tax_total"], "18679.00");
    assert_eq!(huf["vat_breakdown"][0]["rate"], "27");
}

#[test]
fn convert_to_the_other_syntax_and_back_keeps_the_totals() {
    let Some(cen) = Cen::find("convert_to_the_other_syntax_and_back_keeps_the_totals") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let files = cen.files();
    let (mut there, mut back) = (Vec::new(), Vec::new());
    for (index, file) in files.iter().enumerate() {
        let ubl = file.parent().unwrap().ends_with("ubl");
        let (to, from) = if ubl { ("cii", "ubl") } else { ("ubl", "cii") };
        let converted = dir.path().join(format!("{index}.{to}.xml"));
        let returned = dir.path().join(format!("{index}.{from}.xml"));
        invoice()
            .args(["convert", "--to", to, "-o"])
            .arg(&converted)
            .arg(file)
            .assert()
            .success()
            .stdout(predicate::str::ends_with("1 files, 1 ok, 0 failed\n"));
        invoice()
            .args(["convert", "--to", from, "-o"])
            .arg(&returned)
            .arg(&converted)
            .assert()
            .success();
        there.push(converted);
        back.push(returned);
    }
    let output = invoice()
        .args(["--format", "json", "totals", "--check"])
        .args(&files)
        .args(&there)
        .args(&back)
        .output()
        .unwrap();
    let report = json_of(&output.stdout);
    assert!(output.status.success(), "{report}");
    let entries = report["files"].as_array().unwrap();
    let n = files.len();
    for (index, file) in files.iter().enumerate() {
        let original = &entries[index];
        for copy in [&entries[n + index], &entries[2 * n + index]] {
            assert_eq!(copy["status"], "ok", "{}: {copy}", file.display());
            assert_eq!(copy["totals"], original["totals"], "{}", file.display());
            assert_eq!(
                copy["vat_breakdown"],
                original["vat_breakdown"],
                "{}",
                file.display()
            );
            assert_eq!(copy["lines"], original["lines"]);
        }
    }
}

#[test]
fn convert_reports_what_the_model_does_not_keep() {
    let Some(cen) = Cen::find("convert_reports_what_the_model_does_not_keep") else {
        return;
    };
    let source = fs::read_to_string(cen.file("ubl/ubl-tc434-example3.xml")).unwrap();
    let with_cost = source.replacen(
        "<cbc:DocumentCurrencyCode>",
        "<cbc:LineCountNumeric>1</cbc:LineCountNumeric><cbc:DocumentCurrencyCode>",
        1,
    );
    assert_ne!(source, with_cost);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("with-cost.xml");
    fs::write(&file, with_cost).unwrap();
    let text = invoice()
        .args(["convert", "--to", "cii"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(text.status.success());
    let stderr = String::from_utf8_lossy(&text.stderr);
    assert!(
        stderr.contains("  warning: /Invoice/cbc:LineCountNumeric: not mapped, not kept\n"),
        "{stderr}"
    );
    let json = invoice()
        .args(["--format", "json", "convert", "--to", "cii"])
        .arg(&file)
        .output()
        .unwrap();
    let warnings = &json_of(&json.stderr)["files"][0]["warnings"];
    assert!(
        warnings.as_array().unwrap().contains(
            &serde_json::json!({ "kind": "unmapped", "path": "/Invoice/cbc:LineCountNumeric" })
        ),
        "{warnings}"
    );
}

#[test]
fn convert_writes_json_and_csv_to_stdout_and_reports_on_stderr() {
    let Some(cen) = Cen::find("convert_writes_json_and_csv_to_stdout_and_reports_on_stderr") else {
        return;
    };
    let file = cen.file("cii/CII_example1.xml");
    let json = invoice()
        .args(["convert", "--to", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(json.status.success());
    assert!(json_of(&json.stdout)["lines"].is_array());
    assert!(String::from_utf8_lossy(&json.stderr).ends_with("1 files, 1 ok, 0 failed\n"));

    invoice()
        .args(["convert", "--to", "csv"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "\u{feff}invoice_number,line_id,",
        ));

    let report = invoice()
        .args(["--format", "json", "convert", "--to", "ubl"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(report.status.success());
    assert!(String::from_utf8_lossy(&report.stdout).contains("<Invoice "));
    let report = json_of(&report.stderr);
    assert_eq!(report["files"][0]["to"], "ubl");
    assert_eq!(report["files"][0]["output"], "stdout");
}

#[test]
fn a_changed_payable_amount_fails_the_check_naming_bt_115_and_both_values() {
    let Some(cen) =
        Cen::find("a_changed_payable_amount_fails_the_check_naming_bt_115_and_both_values")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (source, element) in [
        ("ubl/ubl-tc434-example1.xml", "PayableAmount"),
        ("cii/CII_example1.xml", "DuePayableAmount"),
    ] {
        let xml = fs::read_to_string(cen.file(source)).unwrap();
        let (changed, stated) = with_element_text(&xml, element, "1234.56");
        let corrupted = dir.path().join(source.replace('/', "-"));
        fs::write(&corrupted, changed).unwrap();
        let output = invoice()
            .args(["totals", "--check"])
            .arg(&corrupted)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let expected = format!("BT-115 Amount due for payment: computed {stated}, stated 1234.56");
        assert!(stdout.contains(&expected), "{expected}\n{stdout}");
        assert!(stdout.ends_with("1 files, 0 ok, 1 failed\n"), "{stdout}");
        assert_no_panic(&output.stderr);

        let output = invoice()
            .args(["--format", "json", "totals", "--check"])
            .arg(&corrupted)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let report = json_of(&output.stdout);
        let differences = &report["files"][0]["differences"];
        // Against the computation, and BR-CO-16 on the stated amounts themselves.
        assert_eq!(differences.as_array().unwrap().len(), 2, "{differences}");
        assert_eq!(differences[0]["field"], "BT-115");
        assert_eq!(differences[0]["computed"], stated.as_str());
        assert_eq!(differences[0]["stated"], "1234.56");
        assert_eq!(differences[0]["kind"], "exact");
        assert_eq!(differences[1]["field"], "BR-CO-16");
        assert_eq!(differences[1]["kind"], "exact");
    }
}

#[test]
fn a_changed_breakdown_row_is_named_by_category_and_rate() {
    let Some(cen) = Cen::find("a_changed_breakdown_row_is_named_by_category_and_rate") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let xml = fs::read_to_string(cen.file("cii/CII_example1.xml")).unwrap();
    let (changed, _) = with_element_text(&xml, "CalculatedAmount", "1.00");
    let corrupted = dir.path().join("row.xml");
    fs::write(&corrupted, changed).unwrap();
    invoice()
        .args(["totals", "--check"])
        .arg(&corrupted)
        .assert()
        .code(1)
        .stdout(
            predicate::str::is_match(
                r"BT-117 VAT category VAT amount \(S 6 %\): computed 10\.99, stated 1\.00",
            )
            .unwrap(),
        );
}

#[test]
fn a_stated_amount_that_is_not_a_number_exits_2_naming_the_element() {
    let Some(cen) = Cen::find("a_stated_amount_that_is_not_a_number_exits_2_naming_the_element")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let xml = fs::read_to_string(cen.file("ubl/ubl-tc434-example2.xml")).unwrap();
    let (changed, _) = with_element_text(&xml, "PrepaidAmount", "12,00");
    let corrupted = dir.path().join("prepaid.xml");
    fs::write(&corrupted, changed).unwrap();
    let output = invoice()
        .args(["totals", "--check"])
        .arg(&corrupted)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("prepaid.xml"), "{stderr}");
    assert!(
        stderr.contains("LegalMonetaryTotal/cbc:PrepaidAmount"),
        "{stderr}"
    );
    assert_no_panic(&output.stderr);
}

#[test]
fn truncated_xml_exits_2_naming_the_file_and_the_element() {
    let Some(cen) = Cen::find("truncated_xml_exits_2_naming_the_file_and_the_element") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut truncated = Vec::new();
    for source in ["ubl/ubl-tc434-example3.xml", "cii/CII_example3.xml"] {
        let xml = fs::read(cen.file(source)).unwrap();
        // Every cut ends inside the root element, so each copy is malformed.
        for step in 1..=12 {
            let cut = xml.len() * step / 13;
            let path = dir
                .path()
                .join(format!("{}-{cut}.xml", source.replace('/', "-")));
            fs::write(&path, &xml[..cut]).unwrap();
            truncated.push(path);
        }
    }
    for command in [
        &["totals", "--check"][..],
        &["validate"],
        &["convert", "--to", "ubl"],
    ] {
        let files: &[PathBuf] = if command[0] == "convert" {
            &truncated[5..6]
        } else {
            &truncated
        };
        let output = invoice().args(command).args(files).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        assert_no_panic(&output.stderr);
        let stderr = String::from_utf8_lossy(&output.stderr);
        for file in files {
            let line = stderr
                .lines()
                .find(|l| l.starts_with(&format!("invoice: {}: ", file.display())))
                .unwrap_or_else(|| panic!("{} not named:\n{stderr}", file.display()));
            assert!(line.contains("at /"), "no element path: {line}");
        }
    }
}

#[test]
fn a_doctype_with_an_entity_exits_2() {
    let Some(cen) = Cen::find("a_doctype_with_an_entity_exits_2") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut hostile = Vec::new();
    for (source, root) in [
        ("ubl/ubl-tc434-example4.xml", "Invoice"),
        ("cii/CII_example4.xml", "rsm:CrossIndustryInvoice"),
    ] {
        let xml = fs::read_to_string(cen.file(source)).unwrap();
        let path = dir.path().join(source.replace('/', "-"));
        fs::write(
            &path,
            with_doctype(&xml, root).replacen("</", "&boom;</", 1),
        )
        .unwrap();
        hostile.push(path);
    }
    for command in [&["totals", "--check"][..], &["validate"]] {
        let output = invoice().args(command).args(&hostile).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert_no_panic(&output.stderr);
        let stderr = String::from_utf8_lossy(&output.stderr);
        for file in &hostile {
            let expected = format!(
                "invoice: {}: document type declarations are not allowed",
                file.display()
            );
            assert!(stderr.contains(&expected), "{stderr}");
        }
        assert!(String::from_utf8_lossy(&output.stdout).ends_with("2 files, 0 ok, 2 failed\n"));
    }
}

#[test]
fn damaged_copies_never_panic() {
    let Some(cen) = Cen::find("damaged_copies_never_panic") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut damaged = Vec::new();
    for source in ["ubl/ubl-tc434-example5.xml", "cii/CII_example5.xml"] {
        let xml = fs::read(cen.file(source)).unwrap();
        for step in 0..40 {
            let at = xml.len() * step / 40;
            for (kind, byte) in [("lt", b'<'), ("amp", b'&'), ("nul", 0), ("digit", b'9')] {
                let mut copy = xml.clone();
                copy[at] = byte;
                let path = dir
                    .path()
                    .join(format!("{}-{at}-{kind}.xml", source.replace('/', "-")));
                fs::write(&path, copy).unwrap();
                damaged.push(path);
            }
        }
    }
    for command in [&["totals", "--check"][..], &["validate"]] {
        let output = invoice().args(command).args(&damaged).output().unwrap();
        assert!(
            matches!(output.status.code(), Some(0..=2)),
            "{:?}",
            output.status
        );
        assert_no_panic(&output.stderr);
    }
}

#[test]
fn one_unreadable_file_among_good_ones_gives_exit_2_and_a_full_summary() {
    let Some(cen) =
        Cen::find("one_unreadable_file_among_good_ones_gives_exit_2_and_a_full_summary")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let order = dir.path().join("order.xml");
    fs::write(&order, "<Order xmlns=\"urn:x\"><ID>1</ID></Order>").unwrap();
    invoice()
        .arg("totals")
        .arg(cen.file("ubl/ubl-tc434-example1.xml"))
        .arg(&order)
        .arg(dir.path().join("missing.xml"))
        .assert()
        .code(2)
        .stdout(predicate::str::ends_with("3 files, 1 ok, 2 failed\n"))
        .stderr(predicate::str::contains(format!(
            "invoice: {}: root element \"Order\" is neither",
            order.display()
        )))
        .stderr(predicate::str::contains("(at /Order)"))
        .stderr(predicate::str::contains(
            "missing.xml: cannot read the file",
        ));
}

#[test]
fn usage_errors_exit_2() {
    invoice().arg("totals").assert().code(2);
    invoice().arg("validate").assert().code(2);
    invoice().args(["convert", "x.xml"]).assert().code(2);
    invoice()
        .args(["convert", "x.xml", "--to", "pdf"])
        .assert()
        .code(2);
    invoice()
        .args(["--format", "yaml", "totals", "x.xml"])
        .assert()
        .code(2);
    invoice().arg("frobnicate").assert().code(2);
    invoice().arg("--help").assert().success();
}

#[test]
fn validate_finds_no_fatal_violation_in_any_official_example() {
    let Some(cen) = Cen::find("validate_finds_no_fatal_violation_in_any_official_example") else {
        return;
    };
    let files = cen.files();
    let output = invoice()
        .args(["--format", "json", "validate"])
        .args(&files)
        .output()
        .unwrap();
    let report = json_of(&output.stdout);
    let mut fatal = Vec::new();
    for entry in report["files"].as_array().unwrap() {
        assert_ne!(entry["status"], "error", "{entry}");
        for violation in entry["violations"].as_array().unwrap() {
            // Business rules only: no schema, code-list or syntax-binding finding.
            assert!(violation["rule"].as_str().unwrap().starts_with("BR-"));
            if violation["severity"] == "fatal" {
                fatal.push((entry["file"].to_string(), violation["rule"].to_string()));
            }
        }
    }
    assert_eq!(fatal, Vec::<(String, String)>::new());
    assert_eq!(output.status.code(), Some(0));
    invoice()
        .arg("validate")
        .args(&files)
        .assert()
        .success()
        .stdout(predicate::str::ends_with(format!(
            "{n} files, {n} ok, 0 failed\n",
            n = files.len()
        )));
}

/// `validate` judges the document as stated: a second issue date the schema forbids, a
/// unit code outside UN/ECE Recommendation 20/21, and a stated sum of line nets that is not
/// their sum are each a fatal finding with its rule id and element path, although the
/// model read from the document would pass.
#[test]
fn validate_checks_the_document_as_stated() {
    let Some(cen) = Cen::find("validate_checks_the_document_as_stated") else {
        return;
    };
    let original = std::fs::read_to_string(cen.file("ubl/ubl-tc434-example7.xml")).unwrap();
    let mut stated = original.clone();
    for (from, to) in [
        (
            "<cbc:IssueDate>2013-03-11</cbc:IssueDate>",
            "<cbc:IssueDate>2013-03-11</cbc:IssueDate><cbc:IssueDate>2013-03-12</cbc:IssueDate>",
        ),
        (r#"unitCode="EA">1<"#, r#"unitCode="QQQ">1<"#),
        (
            r#"<cbc:LineExtensionAmount currencyID="SEK">3200.00<"#,
            r#"<cbc:LineExtensionAmount currencyID="SEK">3201.00<"#,
        ),
    ] {
        assert!(stated.contains(from), "the fixture changed: {from}");
        stated = stated.replacen(from, to, 1);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stated.xml");
    std::fs::write(&path, stated).unwrap();
    let output = invoice()
        .args(["--format", "json", "validate"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = json_of(&output.stdout);
    let found: Vec<(String, String)> = report["files"][0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["severity"] == "fatal")
        .map(|v| {
            (
                v["rule"].as_str().unwrap().to_owned(),
                v["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("XSD", "/Invoice/cbc:IssueDate[2]"),
        (
            "BR-CL-23",
            "/Invoice/cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode",
        ),
        ("BR-CO-10", "BT-106"),
    ] {
        assert!(
            found
                .iter()
                .any(|(rule, path)| (rule.as_str(), path.as_str()) == expected),
            "{expected:?} not in {found:?}"
        );
    }
}

#[test]
fn validate_prints_each_violation_with_its_rule_id() {
    let Some(cen) = Cen::find("validate_prints_each_violation_with_its_rule_id") else {
        return;
    };
    // Example 7 without its seller identifier (BT-29): the seller is then unidentified.
    let original = std::fs::read_to_string(cen.file("ubl/ubl-tc434-example7.xml")).unwrap();
    let anonymous = original.replacen(
        "<cac:PartyIdentification>\n                <cbc:ID>5532331183</cbc:ID>\n            </cac:PartyIdentification>",
        "",
        1,
    );
    assert_ne!(anonymous, original, "the fixture changed");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("anonymous-seller.xml");
    std::fs::write(&path, anonymous).unwrap();
    invoice()
        .arg("validate")
        .arg(&path)
        .assert()
        .code(1)
        .stdout(
            predicate::str::is_match(r"1 violation, 1 fatal\n  fatal +BR-CO-26 +seller\.").unwrap(),
        );
}

/// A Factur-X made by `convert` is an input like any other: its totals check, it
/// validates, and `extract` writes the CII it embeds.
#[test]
fn convert_to_facturx_then_check_validate_and_extract_it() {
    let Some(cen) = Cen::find("convert_to_facturx_then_check_validate_and_extract_it") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("example1.pdf");
    invoice()
        .args(["convert", "--to", "facturx", "--locale", "de", "-o"])
        .arg(&pdf)
        .arg(cen.file("cii/CII_example1.xml"))
        .assert()
        .success();
    assert!(fs::read(&pdf).unwrap().starts_with(b"%PDF-1.7"));
    invoice()
        .args(["totals", "--check"])
        .arg(&pdf)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "check   ok: the stated totals match",
        ));
    invoice().arg("validate").arg(&pdf).assert().success();
    let xml = dir.path().join("factur-x.xml");
    invoice()
        .args(["extract", "-o"])
        .arg(&xml)
        .arg(&pdf)
        .assert()
        .success()
        .stdout(predicate::str::contains("factur-x.xml (EN 16931)"));
    assert!(fs::read_to_string(&xml)
        .unwrap()
        .contains("<rsm:CrossIndustryInvoice"));
    // EXTENDED on request.
    let extended = dir.path().join("extended.pdf");
    invoice()
        .args(["convert", "--to", "facturx", "--profile", "extended", "-o"])
        .arg(&extended)
        .arg(cen.file("cii/CII_example1.xml"))
        .assert()
        .success();
    invoice()
        .arg("extract")
        .arg(&extended)
        .assert()
        .success()
        .stderr(predicate::str::contains("factur-x.xml (EXTENDED)"));
    // A PDF without an embedded invoice is an unreadable input, exit code 2.
    let plain = dir.path().join("plain.pdf");
    invoice()
        .args(["convert", "--to", "pdf", "-o"])
        .arg(&plain)
        .arg(cen.file("cii/CII_example1.xml"))
        .assert()
        .success();
    invoice()
        .arg("extract")
        .arg(&plain)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a Factur-X PDF"));
}
