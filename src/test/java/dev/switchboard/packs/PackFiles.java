package dev.switchboard.packs;

import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The built-in packs as the tests see them: folders under {@code packs/} on the class path. */
final class PackFiles {
    private PackFiles() {}

    static Path resource(String name) {
        try {
            var url = PackFiles.class.getClassLoader().getResource(name);
            if (url == null) {
                throw new IllegalStateException("no resource " + name + " on the class path");
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> packs() {
        try (Stream<Path> dirs = Files.list(resource("packs"))) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Dataset> datasets(String pack) {
        return DatasetCatalog.parse(read(resource("packs/" + pack + "/datasets.yaml")), "packs/" + pack + "/datasets.yaml");
    }

    /** Datasets whose rows the database writes (triggers on other tables), not a simulator: seed 003's activity feed. */
    static final java.util.Set<String> WRITTEN_BY_THE_DATABASE = java.util.Set.of("shop_activity");

    static List<Dataset> allDatasets() {
        List<Dataset> all = new ArrayList<>();
        packs().forEach(p -> all.addAll(datasets(p)));
        return all;
    }

    static List<Path> dashboards(String pack) {
        try (Stream<Path> files = Files.list(resource("packs/" + pack + "/dashboards"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The migration files of one vendor, e.g. {@code V3__bookings.sql}, by name. */
    static List<String> migrations(String vendor) {
        try (Stream<Path> files = Files.list(resource("db/" + vendor))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
