/**
 * The hub: topics with their resume rings, subscribers, and serialize-once fan-out. Dataset
 * topics carry each committed change of a tenant's dataset; dashboard topics carry a view's
 * deltas. All publishing and subscribing happens under the change feed's dispatch lock, so a
 * subscriber sees replayed history and live events as one ordered stream.
 */
package dev.switchboard.hub;
