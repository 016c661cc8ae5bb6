package dev.switchboard;

import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the rows of datasets that declare a {@code retention} once their time is older than it
 * (seed 003's activity feed, which its triggers append to forever). Deletes go through
 * {@link Store#delete}, tenant by tenant in the writer's fair turns, so capture, views and
 * subscribers see each row go like any other delete. At most {@link #BATCH} rows per dataset per
 * run, oldest first: a backlog (a long history on a new retention) drains over several runs
 * instead of one long write.
 */
final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    /** Rows deleted per dataset per run, at most. */
    static final int BATCH = 1000;

    private final Store store;
    private final List<Dataset> datasets;
    private final Clock clock;

    Retention(Store store, Collection<Dataset> datasets, Clock clock) {
        this.store = store;
        this.datasets = datasets.stream().filter(d -> d.retention().isPresent()).toList();
        this.clock = clock;
    }

    boolean isEmpty() {
        return datasets.isEmpty();
    }

    /** One pass: the expired rows of each dataset, up to {@link #BATCH}; returns how many were deleted. */
    int run() {
        Instant now = clock.instant();
        int deleted = 0;
        for (Dataset d : datasets) {
            Instant before = now.minus(d.retention().orElseThrow());
            Map<String, List<String>> keysByTenant = new LinkedHashMap<>();
            store.read(s -> {
                s.query("SELECT " + d.tenant() + ", " + d.key() + " FROM " + d.name() + " WHERE " + d.time() + " < ? ORDER BY "
                        + d.time() + " LIMIT " + BATCH, List.of(s.dialect().time(before)), row -> keysByTenant
                        .computeIfAbsent(String.valueOf(row.raw(d.tenant())), t -> new ArrayList<>()).add(String.valueOf(row.raw(d.key()))));
                return null;
            });
            for (Map.Entry<String, List<String>> e : keysByTenant.entrySet()) {
                deleted += store.delete(d, e.getKey(), e.getValue()).count();
            }
            if (!keysByTenant.isEmpty()) {
                LOG.info("retention: deleted {} rows of {} older than {}", keysByTenant.values().stream().mapToInt(List::size).sum(),
                        d.name(), before);
            }
        }
        return deleted;
    }
}
