package dev.switchboard.hub;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import dev.switchboard.change.Row;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What of a tenant's datasets a viewer may see row by row: everything ({@link #WHOLE}), or for a
 * viewer confined to a scope (a patient, a dentist, an agent) the rows that pass the scope's
 * filter of each dataset. A scoped viewer's dataset stream is a {@link TopicKind#SLICE} topic of
 * its own: the filter runs on the owner thread, so rows outside the slice never reach its queue.
 *
 * @param scope the scope's name; empty for the whole tenant
 * @param subject whose slice it is (fills {@code ${sub}})
 * @param rows per dataset, the rows of the slice; a dataset it does not name is not visible
 */
public record RowScope(String scope, String subject, Map<String, Predicate<Row>> rows) {
    /** The whole tenant: plain dataset topics. */
    public static final RowScope WHOLE = new RowScope("", "", Map.of());

    public RowScope {
        rows = Map.copyOf(rows);
    }

    /** True for the whole tenant. */
    public boolean whole() {
        return scope.isEmpty();
    }

    /** The topic that carries {@code dataset} of {@code tenant} to viewers of this slice. */
    public String topic(String tenant, String dataset) {
        return whole() ? Hub.datasetTopic(tenant, dataset) : Hub.datasetTopic(tenant, dataset) + "/" + scope + "=" + subject;
    }

    public TopicKind kind() {
        return whole() ? TopicKind.DATASET : TopicKind.SLICE;
    }

    /** The rows of {@code dataset} in this slice. */
    Predicate<Row> of(String dataset) {
        if (whole()) {
            return r -> true;
        }
        Predicate<Row> p = rows.get(dataset);
        if (p == null) {
            throw new IllegalArgumentException("scope '" + scope + "' does not cover dataset " + dataset);
        }
        return p;
    }

    /**
     * The event this slice's topic of {@code tenant} carries for {@code c}, as a live subscriber or a
     * replay from the change log gets it; empty when the change does not touch the slice.
     */
    public Optional<Event> event(String tenant, Change c) {
        if (whole() || c.op() == Op.TRUNCATE) {
            return Optional.of(Hub.datasetEvent(tenant, c));
        }
        return seen(c, of(c.dataset())).map(v -> Hub.changeEvent(v, topic(tenant, c.dataset())));
    }

    /** {@code c} as a viewer of the rows passing {@code rows} sees it; empty when it sees nothing of it. */
    static Optional<Change> seen(Change c, Predicate<Row> rows) {
        boolean before = c.before().present() && rows.test(c.before());
        boolean after = c.after().present() && rows.test(c.after());
        if (before && after) {
            return Optional.of(c);
        }
        if (after) {
            return Optional.of(new Change(c.position(), c.tenant(), c.dataset(), Op.CREATE, c.key(), Row.NONE, c.after(), c.commitTime()));
        }
        if (before) {
            return Optional.of(new Change(c.position(), c.tenant(), c.dataset(), Op.DELETE, c.key(), c.before(), Row.NONE, c.commitTime()));
        }
        return Optional.empty();
    }
}
