/**
 * The live engine: dashboard definitions compiled into views, one per (dashboard, tenant, scope,
 * parameters), each folding the change stream into exact widget values incrementally. SQL runs
 * only to bootstrap a view at a consistent position, to refill a list, and to reconcile.
 */
package dev.switchboard.live;
