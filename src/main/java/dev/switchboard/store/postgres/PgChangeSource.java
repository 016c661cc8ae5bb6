package dev.switchboard.store.postgres;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.History;
import dev.switchboard.change.Position;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The change source of a PostgreSQL database as this node decodes it: positions come from the
 * WAL, so they equal those of every other node; {@link #floor()} is where this node's slot
 * replays from, which survives restarts of this process and of the server.
 *
 * <p>{@link #head()} is the newest change decoded, which may trail the newest commit by the
 * capture lag. {@link #read} throws {@link IllegalArgumentException} for a position of another
 * epoch or below the floor, since the changes after it can no longer all be delivered.
 */
final class PgChangeSource implements ChangeSource {
    private final Epoch epoch;
    private final ChangeWindow window;
    private final Runnable onClose;
    /** Whether the current capture loop has a stream open; replaced when capture restarts. */
    private volatile BooleanSupplier streaming = () -> false;

    PgChangeSource(Epoch epoch, ChangeWindow window, Runnable onClose) {
        this.epoch = epoch;
        this.window = window;
        this.onClose = onClose;
    }

    @Override
    public String epoch() {
        return epoch.id();
    }

    /** Reports {@code streaming} as this source's health from now on. */
    void follow(BooleanSupplier streaming) {
        this.streaming = streaming;
    }

    @Override
    public Optional<String> problem() {
        return streaming.getAsBoolean() ? Optional.empty() : Optional.of("capture is not streaming from PostgreSQL "
                + "(starting, or reconnecting after the server or the network went away); changes committed meanwhile "
                + "are delivered once it is back");
    }

    @Override
    public Position head() {
        return new Position(epoch.id(), window.head());
    }

    @Override
    public Position floor() {
        return new Position(epoch.id(), window.floor());
    }

    @Override
    public List<Change> read(Position after, int max) {
        if (!after.epoch().equals(epoch.id())) {
            throw new IllegalArgumentException("position " + after + " belongs to another change log than " + epoch.id());
        }
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive, was " + max);
        }
        return window.read(after.seq(), max, true);
    }

    /** Reads the in-memory window without moving the feed's wake-up mark. */
    @Override
    public List<Change> history(Position after, Position upto, String tenant, int max) {
        if (!after.epoch().equals(epoch.id())) {
            throw new IllegalArgumentException("position " + after + " belongs to another change log than " + epoch.id());
        }
        return History.collect((p, n) -> window.read(p.seq(), n, false), after, upto, tenant, max);
    }

    /** Reads the in-memory window without moving the feed's wake-up mark. */
    @Override
    public List<Change> historyPage(Position after, Position upto, String tenant, java.util.Set<String> datasets, int limit) {
        if (!after.epoch().equals(epoch.id())) {
            throw new IllegalArgumentException("position " + after + " belongs to another change log than " + epoch.id());
        }
        return History.page((p, n) -> window.read(p.seq(), n, false), after, upto, tenant, datasets, limit);
    }

    @Override
    public void awaitSignal(long millis) throws InterruptedException {
        window.await(millis);
    }

    @Override
    public void signal() {
        window.wake();
    }

    @Override
    public void close() {
        onClose.run();
    }
}
