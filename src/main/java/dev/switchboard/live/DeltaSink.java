package dev.switchboard.live;

import dev.switchboard.change.Position;
import java.util.Map;

/** Where the engine sends widget changes; called on the feed's owner thread, in order. */
@FunctionalInterface
public interface DeltaSink {
    /** Widgets of {@code view} that changed, with their full new values, as of {@code position}. */
    void delta(ViewKey view, Position position, Map<String, Object> widgets);

    /** An alert of {@code view} fired or resolved ({@code alert.state}); by default ignored. */
    default void alert(ViewKey view, Position position, Map<String, Object> alert) {
    }
}
