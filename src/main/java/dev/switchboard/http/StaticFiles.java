package dev.switchboard.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the web dashboard, the JavaScript client ({@code /switchboard.js}) and WebJars from the
 * classpath, cached in memory. Only files that
 * exist are cached, so the cache is bounded by what the jar holds: a miss is looked up again
 * each time rather than remembered, since any client can ask for endless distinct missing paths.
 */
final class StaticFiles {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "json", "application/json", "md", "text/markdown; charset=utf-8",
            "ico", "image/x-icon");
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    record File(byte[] bytes, String type) {}

    /** The file for a URL path, if it is one we serve. */
    Optional<File> find(String path) {
        String resource;
        if (path.equals("/") || path.equals("/index.html")) {
            resource = "ui/index.html";
        } else if (path.equals("/switchboard.js")) {
            resource = "ui/switchboard.js"; // the JavaScript client, for any page to import
        } else if (path.startsWith("/ui/")) {
            resource = "ui/" + path.substring(4);
        } else if (path.startsWith("/webjars/")) {
            resource = "META-INF/resources" + path;
        } else {
            return Optional.empty();
        }
        if (resource.contains("..") || resource.contains("//")) {
            return Optional.empty();
        }
        String ext = resource.substring(resource.lastIndexOf('.') + 1);
        byte[] bytes = cache.get(resource);
        if (bytes == null) {
            Optional<byte[]> loaded = load(resource);
            if (loaded.isEmpty()) {
                return Optional.empty();
            }
            bytes = loaded.get();
            cache.putIfAbsent(resource, bytes);
        }
        return Optional.of(new File(bytes, TYPES.getOrDefault(ext, "application/octet-stream")));
    }

    /** Files held in memory. */
    int cached() {
        return cache.size();
    }

    private static Optional<byte[]> load(String resource) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
