/**
 * API keys for server-to-server writers: long-lived, per tenant, revocable, stored as a hash,
 * with a role; presented as {@code Authorization: Bearer sbk_<id>_<secret>}. Distinct from the
 * short-lived viewer JWTs.
 */
package dev.switchboard.keys;
