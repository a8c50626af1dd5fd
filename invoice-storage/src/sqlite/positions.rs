//! Offset pages of a tenant's whole list, newest or oldest first, found by position.
//!
//! Each invoice row keeps its position among its tenant's invoices (1, 2, 3, … in
//! insertion order, migration `20261207000000_invoice_positions.sql`). An `OFFSET`
//! steps over every row before the page, so page 500 of 10 read 5 000 index entries;
//! with positions the page is one seek in `(tenant, position)`, whatever its number.
//!
//! Deleting a draft leaves its position behind as a gap (`invoice_position_gaps`).
//! The positions given out are always 1 … `n`, the highest live one, each live or a
//! gap, so the row `offset` rows from the top is the highest live position `p` with
//! `offset` live rows above it: `p = n - offset - j`, where `j` is the number of gaps
//! above `p`. With the gaps in descending order `g1 > g2 > …`, `j` is the number of
//! leading gaps with `g(i+1) + i >= n - offset`, a condition that holds for a prefix of
//! them (`g(i+1) + i` never grows with `i`), so one count finds it. From the bottom,
//! symmetrically: `p = offset + 1 + j`, `j` the number of leading ascending gaps with
//! `h(i+1) - i <= offset + 1`. A page past the end finds `p` out of range and no row.
//!
//! The cost is that of the gaps, not of the rows: a tenant that deleted no draft pays
//! one seek.

use crate::invoice_store::{InvoiceQuery, InvoiceSort};
use crate::sql::{push_count, SqlBuilder};
use invoice_core::TenantId;

/// Whether `query` can be paged by position: no filter, newest or oldest first.
pub(super) fn applies(query: &InvoiceQuery) -> bool {
    query.is_unfiltered()
        && matches!(
            query.sort_order(),
            InvoiceSort::NewestFirst | InvoiceSort::OldestFirst
        )
}

/// An offset page of `size` rows of a query that [`applies`], in the shape of
/// [`offset_page`](crate::sql::offset_page): `total`, then `columns` of each row.
pub(super) fn position_page<B: SqlBuilder>(
    sql: &mut B,
    columns: &str,
    tenant: &TenantId,
    query: &InvoiceQuery,
    page: u32,
    size: u32,
) {
    let offset = i64::from(page) * i64::from(size);
    let tenant_text = || tenant.as_str().to_owned();
    sql.sql("SELECT (");
    push_count(sql, tenant, query);
    sql.sql(") AS total, ")
        .sql(columns)
        .sql(" FROM invoices WHERE tenant = ")
        .bind_text(tenant_text());
    if query.sort_order() == InvoiceSort::OldestFirst {
        sql.sql(" AND position >= (SELECT ")
            .bind_i64(offset + 1)
            .sql(
                " + COUNT(*) FROM (SELECT position - ROW_NUMBER() OVER (ORDER BY position) + 1 \
                 AS reach FROM invoice_position_gaps WHERE tenant = ",
            )
            .bind_text(tenant_text())
            .sql(") WHERE reach <= ")
            .bind_i64(offset + 1)
            .sql(") ORDER BY position LIMIT ")
            .bind_i64(i64::from(size));
    } else {
        sql.sql(" AND position <= (SELECT last.n - ")
            .bind_i64(offset)
            .sql(
                " - (SELECT COUNT(*) FROM (SELECT position + ROW_NUMBER() OVER \
                 (ORDER BY position DESC) - 1 AS reach FROM invoice_position_gaps \
                 WHERE tenant = ",
            )
            .bind_text(tenant_text())
            .sql(") WHERE reach >= last.n - ")
            .bind_i64(offset)
            .sql(
                ") FROM (SELECT COALESCE(MAX(position), 0) AS n FROM invoices \
                 WHERE tenant = ",
            )
            .bind_text(tenant_text())
            .sql(") AS last) ORDER BY position DESC LIMIT ")
            .bind_i64(i64::from(size));
    }
}
