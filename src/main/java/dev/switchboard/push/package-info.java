/**
 * Transports over one subscription model: a session subscribes to topics under the feed's lock,
 * receives a snapshot or the events it missed, then live events, through a bounded queue that
 * coalesces dashboard deltas and resynchronizes when it overflows.
 */
package dev.switchboard.push;
