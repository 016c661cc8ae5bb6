package dev.switchboard;

import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads the built-in packs from the classpath: {@code packs/<pack>/datasets.yaml} and {@code dashboards/*.yaml}. */
final class PackResources {
    private PackResources() {}

    record Contents(DatasetCatalog datasets, Map<String, String> dashboards) {}

    static Contents load() {
        var url = PackResources.class.getClassLoader().getResource("packs");
        if (url == null) {
            throw new IllegalStateException("no packs on the classpath");
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                    return read(fs.getPath("/packs"));
                }
            }
            return read(Path.of(uri));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read packs: " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Contents read(Path root) throws IOException {
        List<Dataset> datasets = new ArrayList<>();
        Map<String, String> dashboards = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted().toList()) {
                String rel = root.relativize(p).toString();
                if (rel.endsWith("datasets.yaml")) {
                    datasets.addAll(DatasetCatalog.parse(Files.readString(p), "packs/" + rel));
                } else if (rel.contains("dashboards/") && (rel.endsWith(".yaml") || rel.endsWith(".yml"))) {
                    dashboards.put("packs/" + rel, Files.readString(p));
                }
            }
        }
        return new Contents(DatasetCatalog.of(datasets), dashboards);
    }
}
