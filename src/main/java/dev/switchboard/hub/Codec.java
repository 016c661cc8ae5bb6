package dev.switchboard.hub;

import java.nio.ByteBuffer;

/**
 * How one transport frames an event on the wire (an SSE block, a WebSocket text message, a
 * Socket.IO packet). {@link Event#frame} encodes an event once per codec and shares the bytes
 * with every subscriber of that transport.
 */
public interface Codec {
    /** Codecs a server may use at once; {@link #slot} is below this. 0-2: SSE, WebSocket, Socket.IO; 4-7: packs' WebSocket protocols. */
    int SLOTS = 8;

    /**
     * The slot of a codec whose bytes are not shared: one client's own mapping of events (a seed's
     * event names and shapes), encoded for that client each time.
     */
    int UNSHARED = -1;

    /**
     * A distinct number in [0, {@link #SLOTS}) under which {@link Event#frame} caches this codec's
     * bytes, or {@link #UNSHARED}.
     */
    int slot();

    /** The wire bytes of {@code event}; called at most once per event (racing threads may both call it). */
    ByteBuffer encode(Event event);
}
