package dev.switchboard.packs;

import dev.switchboard.http.Routes;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One seed system shipped built in, declared in one place ({@link Packs#all()}): its resources
 * ({@code packs/<name>/datasets.yaml}, {@code packs/<name>/dashboards/*.yaml}; migrations under
 * {@code db/<vendor>/} named after it), its traffic simulator, the stream a client gets when it
 * names nothing, and the compatibility routes its own clients already call.
 *
 * @param name the resource folder and the name the pack goes by, e.g. {@code calls}
 * @param seed which seed system it carries, e.g. {@code 002 call center}
 * @param demoTenant the tenant demo mode serves when a seed's request names none
 * @param stream the dashboards and datasets of a stream request that names none
 * @param simulator a fresh simulator of its traffic (simulators keep state)
 * @param compat registers the seed's own routes; thin: they read the native live views
 */
public record Pack(String name, String seed, String demoTenant, DefaultStream stream, Supplier<Simulator> simulator,
                   Consumer<Routes> compat) {

    /** What {@code GET /api/events/{tenant}} streams for a tenant of this pack when the request names nothing. */
    public record DefaultStream(List<String> dashboards, List<String> datasets, String primaryDataset) {
        public DefaultStream {
            dashboards = List.copyOf(dashboards);
            datasets = List.copyOf(datasets);
        }
    }
}
