//! SQL text with its bound values for rusqlite, the mapping of rusqlite's errors, and
//! the reading of typed values from SQLite's columns.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{ErrorCode, Row};
use uuid::Uuid;

use super::BACKEND;
use crate::error::{Error, Result};
use crate::sql::SqlBuilder;

/// A statement being put together: its text with `?` placeholders and their values in
/// order.
#[derive(Debug, Default)]
pub(super) struct Sql {
    pub(super) text: String,
    pub(super) values: Vec<Value>,
}

impl Sql {
    fn bind(&mut self, value: Value) -> &mut Self {
        self.text.push('?');
        self.values.push(value);
        self
    }
}

impl SqlBuilder for Sql {
    fn sql(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind_i64(&mut self, value: i64) -> &mut Self {
        self.bind(Value::Integer(value))
    }

    fn bind_text(&mut self, value: String) -> &mut Self {
        self.bind(Value::Text(value))
    }

    fn bind_uuid(&mut self, value: Uuid) -> &mut Self {
        self.bind(Value::Text(value.to_string()))
    }

    fn bind_date(&mut self, value: NaiveDate) -> &mut Self {
        self.bind(Value::Integer(day_number(value)))
    }
}

/// A date as the schema stores it: days from 0001-01-01 (CE day 1), which compare as
/// dates do.
pub(super) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// The date of a stored day number.
pub(super) fn from_day_number(day: i64) -> Option<NaiveDate> {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// A time as the schema stores it: microseconds since the Unix epoch.
pub(super) fn micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

/// The time of stored microseconds.
pub(super) fn from_micros(value: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(value)
}

/// [`Error::Backend`] for a rusqlite error.
pub(super) fn backend(e: rusqlite::Error) -> Error {
    Error::Backend {
        backend: BACKEND,
        source: Box::new(e),
    }
}

/// A rusqlite error in words, for errors shared by several callers.
pub(super) fn sqlite_error(e: &rusqlite::Error) -> String {
    e.to_string()
}

/// The error of a call on a store that was closed (or whose writer stopped).
pub(super) fn closed() -> Error {
    Error::Backend {
        backend: BACKEND,
        source: "the store is closed".into(),
    }
}

/// Whether `e` is a unique or primary key constraint violation.
pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.code == ErrorCode::ConstraintViolation
                && matches!(
                    failure.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                )
    )
}

/// Reads column `index` of `row`.
pub(super) fn column<T: rusqlite::types::FromSql>(row: &Row<'_>, index: usize) -> Result<T> {
    row.get(index).map_err(backend)
}

/// Borrows the text of column `index` of `row` (`None` for NULL).
pub(super) fn text_at<'row>(row: &'row Row<'_>, index: usize) -> Result<Option<&'row str>> {
    match row.get_ref(index).map_err(backend)? {
        ValueRef::Null => Ok(None),
        value => value.as_str().map(Some).map_err(|e| {
            backend(rusqlite::Error::FromSqlConversionFailure(
                index,
                value.data_type(),
                Box::new(e),
            ))
        }),
    }
}

/// Reads a UUID stored as text.
pub(super) fn uuid_at(row: &Row<'_>, index: usize) -> Result<Option<Uuid>> {
    text_at(row, index)?
        .map(|text| {
            Uuid::parse_str(text).map_err(|e| Error::Corrupt {
                what: "invoice",
                id: text.to_owned(),
                source: Box::new(e),
            })
        })
        .transpose()
}

/// Reads a date stored as a day number.
pub(super) fn date_column(row: &Row<'_>, index: usize) -> Result<Option<NaiveDate>> {
    let day: Option<i64> = column(row, index)?;
    day.map(|day| {
        from_day_number(day).ok_or_else(|| Error::Corrupt {
            what: "date",
            id: day.to_string(),
            source: format!("column {index} is no date").into(),
        })
    })
    .transpose()
}

/// Reads a time stored as microseconds since the Unix epoch.
pub(super) fn time_column(row: &Row<'_>, index: usize) -> Result<Option<DateTime<Utc>>> {
    let value: Option<i64> = column(row, index)?;
    value
        .map(|value| {
            from_micros(value).ok_or_else(|| Error::Corrupt {
                what: "time",
                id: value.to_string(),
                source: format!("column {index} is out of range").into(),
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_order_like_dates_and_read_back() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(day_number(d(1, 1, 1)), 1);
        assert!(day_number(d(2026, 12, 31)) < day_number(d(2027, 1, 1)));
        assert!(day_number(d(9999, 12, 31)) < day_number(d(10000, 1, 1)));
        assert_eq!(
            from_day_number(day_number(d(2024, 2, 29))),
            Some(d(2024, 2, 29))
        );
        assert_eq!(from_day_number(i64::MAX), None);
    }
}
