/**
 * Who may read and write what: a {@link dev.switchboard.auth.Principal} per request, from a signed
 * token in production or open access in demo mode.
 */
package dev.switchboard.auth;
