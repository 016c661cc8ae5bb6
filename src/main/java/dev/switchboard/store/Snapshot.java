package dev.switchboard.store;

import dev.switchboard.change.Change;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import java.util.List;
import java.util.function.Consumer;

/**
 * A consistent read of the database. Live views bootstrap from one: they buffer changes from
 * the feed, read their state here, then apply exactly the buffered changes that
 * {@link #includes} says the snapshot does not already hold.
 */
public interface Snapshot {

    /**
     * A position at or after every change this snapshot includes: once the feed has dispatched
     * it, a view bootstrapped here is current.
     */
    Position position();

    /**
     * A position at or after every change this snapshot may include, when {@link #position()} is
     * only where the node stood as it began (the database may have committed changes the node has
     * not received yet): until the feed has passed it, a view checks each change with
     * {@link #includes}. The default is {@link #position()}.
     */
    default Position horizon() {
        return position();
    }

    /** The dialect of the store this snapshot reads. */
    Dialect dialect();

    /** True when the effect of this committed change is already visible in the snapshot. */
    boolean includes(Change change);

    /** Runs a query and passes each result row (column label to value) to {@code each}. */
    void query(String sql, List<Object> params, Consumer<Row> each);
}
