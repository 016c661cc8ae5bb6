/**
 * Streams over one subscription model, whatever the transport: a {@link dev.switchboard.push.Subscription}
 * registers with the hub in one command on the feed's owner thread and yields a snapshot or the
 * events the client missed; a {@link dev.switchboard.push.Session} queues them and the live events
 * in a bounded, coalescing {@link dev.switchboard.push.Outbox} and writes everything queued at
 * once, resynchronizing from the last position written when the queue overflows. Transports
 * (SSE today) provide only a codec and a write.
 */
package dev.switchboard.push;
