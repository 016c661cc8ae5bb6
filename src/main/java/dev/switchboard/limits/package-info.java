/**
 * Abuse limits: the settings of every limit ({@link dev.switchboard.limits.Limits}) and the
 * per-client admission counters the HTTP layer consults before doing work for a request.
 */
package dev.switchboard.limits;
