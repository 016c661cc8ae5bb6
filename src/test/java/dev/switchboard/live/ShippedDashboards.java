package dev.switchboard.live;

import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The dashboards the packs ship, each with its pack's datasets, as the plan tests read them: each
 * unscoped and, for every scope it declares, scoped to {@link #SUBJECT}.
 */
record ShippedDashboards(String pack, String file, DashboardDef def, Definitions defs, DatasetCatalog catalog, String scope) {
    static final Path PACKS = Path.of("src/main/resources/packs");
    /** The scope subject the plan tests view: one with few rows (see {@link #scopeValue}). */
    static final String SUBJECT = "s0";

    /** One entry per dashboard file of every pack and per scope of it, sorted by pack and file. */
    static List<ShippedDashboards> all() {
        List<ShippedDashboards> out = new ArrayList<>();
        try (Stream<Path> packs = Files.list(PACKS)) {
            for (Path pack : packs.filter(Files::isDirectory).sorted().toList()) {
                String name = pack.getFileName().toString();
                DatasetCatalog catalog = DatasetCatalog.of(DatasetCatalog.parse(Files.readString(pack.resolve("datasets.yaml")), name));
                try (Stream<Path> files = Files.list(pack.resolve("dashboards"))) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                        Definitions defs = Definitions.load(Map.of(f.getFileName().toString(), Files.readString(f)), catalog);
                        DashboardDef def = defs.all().iterator().next();
                        out.add(new ShippedDashboards(name, f.getFileName().toString(), def, defs, catalog, ""));
                        for (String scope : def.scopeNames()) {
                            out.add(new ShippedDashboards(name, f.getFileName().toString(), def, defs, catalog, scope));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The datasets this dashboard's widgets read. */
    List<Dataset> datasets() {
        List<Dataset> out = new ArrayList<>();
        for (String name : def.datasets()) {
            out.add(catalog.find(name).orElseThrow());
        }
        return out;
    }

    /** Values to draw for a text column: its allowed values, or for an open outcome column the ones dashboards filter on. */
    static List<String> values(Column column) {
        if (!column.values().isEmpty()) {
            return column.values();
        }
        return column.name().equals("outcome") ? List.of("completed", "booked", "no_answer", "busy", "failed", "voicemail") : List.of();
    }

    /** The tenant's view: unscoped, or scoped to {@link #SUBJECT}. */
    View view(String tenant) {
        return Compiler.compile(def, defs.key(def, tenant, scope, scope.isEmpty() ? "" : SUBJECT, Map.of()), catalog);
    }

    /** "dataset.column" of every column a scope of a shipped dashboard filters on. */
    static Set<String> scopeColumns() {
        Set<String> out = new TreeSet<>();
        for (ShippedDashboards d : all()) {
            for (Dataset ds : d.datasets()) {
                for (String scope : d.def().scopeNames()) {
                    new ShippedDashboards(d.pack(), d.file(), d.def(), d.defs(), d.catalog(), scope).scopeColumns(ds)
                            .forEach(c -> out.add(ds.name() + "." + c));
                }
            }
        }
        return out;
    }

    /** How many subjects a tenant has in a scope column: patients outnumber agents and dentists. */
    static int subjects(String column) {
        return column.startsWith("patient") ? 200 : 12;
    }

    /**
     * The columns this view's scope ties to its subject in a dataset ({@code ${sub}}): none
     * unscoped. A scope's constant conditions (a patient's view of slots, {@code status: available})
     * are filters like a widget's {@code where}.
     */
    Set<String> scopeColumns(Dataset dataset) {
        if (scope.isEmpty()) {
            return Set.of();
        }
        var node = def.scopes().get(scope);
        boolean perDataset = node.properties().stream().anyMatch(p -> catalog.find(p.getKey()).isPresent());
        var cols = perDataset ? node.path(dataset.name()) : node;
        Set<String> out = new TreeSet<>();
        cols.properties().stream().filter(p -> p.getValue().toString().contains("${sub}")).forEach(p -> out.add(p.getKey()));
        return out;
    }

    /**
     * A scope column's value, as a tenant has them: many subjects (agents, dentists, patients) of
     * {@code subjects} that share most rows, and {@link #SUBJECT} with one row in {@code 1 / rare}.
     */
    static String scopeValue(double u, int subjects, int rare) {
        return u < 1.0 / rare ? SUBJECT : "s" + (1 + (int) ((u - 1.0 / rare) / (1 - 1.0 / rare) * subjects) % subjects);
    }

    @Override
    public String toString() {
        return pack + "/" + file + (scope.isEmpty() ? "" : " scope " + scope + "=" + SUBJECT);
    }
}
