//! The conformance suite: one `pub async fn` per behaviour of each store trait. Every
//! adapter's tests call every function; an adapter is done when all pass against the real
//! server. Functions use fresh tenant ids, so they can share a database; the outbox
//! functions need an outbox of their own (a fresh schema or store).
//!
//! Failures panic with a message, as test assertions do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod clients;
mod documents;
mod fixtures;
mod idempotency;
mod inbox;
mod invoice_views;
mod invoices;
mod outbox;
mod reminders;
mod reports;
mod schedules;
mod services;

pub use clients::clients_crud_pages_and_isolation;
pub use documents::{
    documents_put_get_head_list_delete, failed_put_keeps_the_previous_document, generated_body,
    large_document_round_trip, peak_rss,
};
pub use fixtures::{draft, fresh_tenant};
pub use idempotency::{
    idempotency_concurrent_requests_start_once, idempotency_keys_replay_the_first_outcome,
    idempotency_lease_ends_and_is_taken_over_once, idempotency_purge_forgets_old_keys,
};
pub use inbox::inbox_records_each_event_once;
pub use invoice_views::invoice_views_keep_the_newest_version;
pub use invoices::{
    concurrent_updates_lose_nothing, create_get_update_round_trip, delete_only_drafts,
    history_lists_an_invoices_events_in_order, invoice_json_is_the_json_of_the_invoice,
    issue_allocates_gapless_numbers_under_concurrency, issue_of_invalid_invoice_consumes_no_number,
    keyset_pages_are_stable_while_rows_are_inserted, list_filters_and_offset_pages,
    list_json_is_the_json_of_the_summaries, list_sorts_by_number_date_amount_and_status,
    offset_pages_skip_deleted_drafts, summaries_match_the_invoices, tenants_are_isolated,
    write_answers_are_the_stored_json,
};
pub use outbox::{
    concurrent_claimers_never_share_an_event, failed_save_writes_neither_invoice_nor_events,
    outbox_claim_lease_and_publish, saved_events_reach_the_outbox,
};
pub use reminders::{
    reminder_attempts_hold_off_claims, reminder_claims_are_leased_and_never_shared,
    reminders_crud_list_and_isolation,
};
pub use reports::reports_match_the_reference_computation;
pub use schedules::{
    generator_catches_up_after_downtime, monthly_schedule, racing_generators_make_each_period_once,
    schedules_crud_pause_resume_cancel_and_isolation, schedules_generate_each_period_once,
};
pub use services::require_env;

/// Runs every invoice, outbox, inbox, idempotency, invoice-view, schedule and reminder function of the
/// suite against one adapter (the racing generators need two handles: call
/// [`racing_generators_make_each_period_once`] yourself).
/// `fresh` must return a store with an empty outbox each time it is called.
pub async fn run_all<S, F, Fut>(fresh: F)
where
    S: crate::InvoiceStore
        + crate::OutboxStore
        + crate::InboxStore
        + crate::ClientStore
        + crate::IdempotencyStore
        + crate::InvoiceViewStore
        + crate::ScheduleStore
        + crate::ReminderStore
        + Clone,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = S>,
{
    use std::sync::Arc;
    let s = fresh().await;
    create_get_update_round_trip(&s).await;
    invoice_json_is_the_json_of_the_invoice(&s).await;
    write_answers_are_the_stored_json(&s).await;
    clients_crud_pages_and_isolation(&s).await;
    tenants_are_isolated(&s).await;
    delete_only_drafts(&s).await;
    list_filters_and_offset_pages(&s).await;
    offset_pages_skip_deleted_drafts(&s).await;
    list_sorts_by_number_date_amount_and_status(&s).await;
    summaries_match_the_invoices(&s).await;
    list_json_is_the_json_of_the_summaries(&s).await;
    keyset_pages_are_stable_while_rows_are_inserted(&s).await;
    issue_of_invalid_invoice_consumes_no_number(&s).await;
    concurrent_updates_lose_nothing(Arc::new(s.clone())).await;
    issue_allocates_gapless_numbers_under_concurrency(Arc::new(s.clone())).await;
    let s = fresh().await;
    saved_events_reach_the_outbox(&s, &s).await;
    let s = fresh().await;
    failed_save_writes_neither_invoice_nor_events(&s, &s).await;
    let s = fresh().await;
    outbox_claim_lease_and_publish(&s, &s).await;
    let s = fresh().await;
    history_lists_an_invoices_events_in_order(&s, &s).await;
    let s = fresh().await;
    concurrent_claimers_never_share_an_event(Arc::new(s.clone()), Arc::new(s.clone())).await;
    inbox_records_each_event_once(Arc::new(s.clone())).await;
    idempotency_keys_replay_the_first_outcome(&s).await;
    idempotency_lease_ends_and_is_taken_over_once(Arc::new(s.clone())).await;
    idempotency_concurrent_requests_start_once(Arc::new(s.clone())).await;
    idempotency_purge_forgets_old_keys(&s).await;
    invoice_views_keep_the_newest_version(&s).await;
    schedules_crud_pause_resume_cancel_and_isolation(&s).await;
    schedules_generate_each_period_once(&s).await;
    reminders_crud_list_and_isolation(&s).await;
    let s = fresh().await;
    generator_catches_up_after_downtime(Arc::new(s.clone())).await;
    reminder_claims_are_leased_and_never_shared(Arc::new(s.clone()), Arc::new(s)).await;
    reminder_attempts_hold_off_claims(&fresh().await).await;
}
