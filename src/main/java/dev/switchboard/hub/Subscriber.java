package dev.switchboard.hub;

/** Receives events of the topics it subscribed to; must not block (it is called under the dispatch lock). */
@FunctionalInterface
public interface Subscriber {
    void offer(Event event);
}
