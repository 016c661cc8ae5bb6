package dev.switchboard.store.postgres;

import dev.switchboard.dataset.Dataset;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Capture as it runs for one store: the epoch, the window of decoded changes, the thread that
 * fills it and the source that reads it. Restarting with other datasets keeps the window, so
 * positions and readers carry on.
 */
final class Capture {
    final Epoch epoch;
    final Map<String, Dataset> datasets;
    final ChangeWindow window;
    final CaptureLoop loop;
    final PgChangeSource source;

    private Capture(Epoch epoch, Map<String, Dataset> datasets, ChangeWindow window, CaptureLoop loop, PgChangeSource source) {
        this.epoch = epoch;
        this.datasets = datasets;
        this.window = window;
        this.loop = loop;
        this.source = source;
    }

    /**
     * Prepares the slot and starts streaming; replaces {@code previous} (may be null), keeping its
     * window and source. {@code closeSource} is what closing the source does: stop the current loop.
     */
    static Capture start(Capture previous, String url, java.util.Properties credentials, String node, String database, DataSource ds, Epoch epoch,
                         Map<String, Dataset> datasets, CaptureSettings settings, Clock clock, Runnable closeSource) throws SQLException {
        SlotKeeper keeper = new SlotKeeper(ds, SlotKeeper.slotName(node, database), node, epoch, settings);
        keeper.checkServer();
        ChangeWindow window;
        if (previous != null) {
            previous.loop.close();
            window = previous.window;
        } else {
            window = new ChangeWindow(keeper.prepare());
        }
        keeper.dropStaleSlots();
        CaptureLoop loop = new CaptureLoop(url, credentials, keeper, window, epoch, datasets, settings, clock);
        loop.start();
        PgChangeSource source = previous != null ? previous.source : new PgChangeSource(epoch, window, closeSource);
        source.follow(loop::streaming);
        return new Capture(epoch, Map.copyOf(datasets), window, loop, source);
    }
}
