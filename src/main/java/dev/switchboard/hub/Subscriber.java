package dev.switchboard.hub;

/**
 * Receives the events of the topics it joined, on one of the hub's fan-out threads (always the
 * same one for a given subscriber). Neither method may block: queue and return.
 */
public interface Subscriber {
    /** One event, in position order per topic. */
    void offer(Event event);

    /** Called after a run of offers: write what is queued, together. */
    default void flush() {}

    /**
     * Whether this subscriber takes nothing more, ever (its registration ended, or its queue
     * overflowed and a new registration will replay what it missed): the fan-out thread forgets
     * it after the offer that made it so, so a client that stopped reading costs nothing per event
     * until its stream is ended. A subscriber that answers true must ignore later offers.
     */
    default boolean done() {
        return false;
    }

    /**
     * Items waiting to be written: the fan-out thread flushes the subscribers it touched with
     * fewer items queued first, so a client that keeps up is not written after every client
     * that fell behind. 0 by default.
     */
    default int queued() {
        return 0;
    }
}
