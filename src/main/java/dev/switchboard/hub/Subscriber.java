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
}
