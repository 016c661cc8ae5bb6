/**
 * The hub: topics with their resume rings, subscribers, and encode-once fan-out. Dataset topics
 * carry each committed change of a tenant's dataset; dashboard topics carry a view's deltas;
 * ephemeral topics carry broadcasts without history. Topic state belongs to the change feed's
 * owner thread (publishing, joining, replaying), so a subscriber sees replayed history and live
 * events as one ordered stream; delivery to subscribers runs on the fan-out threads, which
 * receive the owner's publications and joins in one ordered mailbox each.
 */
package dev.switchboard.hub;
