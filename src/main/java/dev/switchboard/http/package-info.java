/**
 * The HTTP surface on Jetty core handlers: REST routes with validated input and JSON errors,
 * the SSE endpoint, and the static web dashboard.
 */
package dev.switchboard.http;
