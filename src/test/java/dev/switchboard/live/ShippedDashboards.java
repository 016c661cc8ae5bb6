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
import java.util.stream.Stream;

/** The dashboards the packs ship, each with its pack's datasets, as the plan tests read them. */
record ShippedDashboards(String pack, String file, DashboardDef def, Definitions defs, DatasetCatalog catalog) {
    static final Path PACKS = Path.of("src/main/resources/packs");

    /** One entry per dashboard file of every pack, sorted by pack and file. */
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
                        out.add(new ShippedDashboards(name, f.getFileName().toString(), def, defs, catalog));
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
        for (var w : def.widgets().values()) {
            String name = w.has("list") ? w.path("list").asString() : w.path("dataset").asString();
            Dataset d = catalog.find(name).orElseThrow();
            if (!out.contains(d)) {
                out.add(d);
            }
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

    View view(String tenant, String scope, String subject) {
        return Compiler.compile(def, defs.key(def, tenant, scope, subject, Map.of()), catalog);
    }

    @Override
    public String toString() {
        return pack + "/" + file;
    }
}
