package dev.switchboard.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Matches a method and a path against registered templates ({@code /api/dashboards/{dashboard}/{tenant}}).
 * Of the templates a path matches, the one with the most literal segments wins; a path that
 * matches but not with this method is a 405 naming the methods that would work.
 */
final class Router implements Routes {
    /** A registered route. {@code handler} is a {@link Routes.Route} or a {@link ProtocolSocket} (packs), or an internal handler. */
    record Entry(String method, String template, String summary, String[] segments, Object handler) {
        int literals() {
            int n = 0;
            for (String s : segments) {
                if (!isParam(s)) {
                    n++;
                }
            }
            return n;
        }
    }

    /** What a request matched. */
    record Match(Entry entry, Map<String, String> params) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> secrets;

    Router(Map<String, String> secrets) {
        this.secrets = Map.copyOf(secrets);
    }

    /** A stream for requests that name nothing. */
    record DefaultStream(String primaryDataset, List<String> dashboards, List<String> datasets) {}

    private final List<DefaultStream> defaults = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void defaultStream(String primaryDataset, List<String> dashboards, List<String> datasets) {
        defaults.add(new DefaultStream(primaryDataset, List.copyOf(dashboards), List.copyOf(datasets)));
    }

    private final Map<String, SocketIoDialect> dialects = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void socketIo(String authField, SocketIoDialect dialect) {
        if (dialects.putIfAbsent(authField, dialect) != null) {
            throw new IllegalStateException("a Socket.IO dialect for auth." + authField + " is registered already");
        }
    }

    /** The dialect a handshake's auth asks for: one whose field it carries, when it names no tenant. */
    Optional<Map.Entry<String, SocketIoDialect>> dialect(tools.jackson.databind.JsonNode auth) {
        if (auth.has("tenant")) {
            return Optional.empty();
        }
        return dialects.entrySet().stream().filter(e -> auth.has(e.getKey())).findFirst();
    }

    List<DefaultStream> defaults() {
        return List.copyOf(defaults);
    }

    @Override
    public Optional<String> secret(String name) {
        return Optional.ofNullable(secrets.get(name));
    }
    private final Set<String> keys = new LinkedHashSet<>();

    @Override
    public void get(String template, String summary, Route route) {
        add("GET", template, summary, route);
    }

    @Override
    public void stream(String template, String summary, Route route) {
        add("GET", template, summary, new StreamRoute(route));
    }

    /** A pack's route that opens a stream. */
    record StreamRoute(Route route) {}

    @Override
    public void post(String template, String summary, Route route) {
        add("POST", template, summary, route);
    }

    @Override
    public void socket(String template, String summary, Socket socket) {
        add("GET", template, summary, new ProtocolSocket(template, socket));
    }

    /** Whether any route is a pack's WebSocket protocol. */
    synchronized boolean hasSockets() {
        return entries.stream().anyMatch(e -> e.handler() instanceof ProtocolSocket);
    }

    synchronized void add(String method, String template, String summary, Object handler) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("a route template starts with '/': " + template);
        }
        if (!keys.add(method + " " + template)) {
            throw new IllegalStateException("route registered twice: " + method + " " + template);
        }
        entries.add(new Entry(method, template, summary, split(template), handler));
    }

    @Override
    public synchronized List<String> list() {
        return entries.stream().map(e -> e.method() + " " + e.template()).toList();
    }

    /**
     * The route for {@code method} and {@code path}; empty when no template matches the path.
     * Throws a 405 when templates match the path but none for this method (HEAD counts as GET).
     */
    synchronized Optional<Match> match(String method, String path) {
        String[] parts = split(path);
        String want = method.equals("HEAD") ? "GET" : method;
        Match best = null;
        Set<String> allowed = new LinkedHashSet<>();
        for (Entry e : entries) {
            Optional<Map<String, String>> params = bind(e.segments(), parts);
            if (params.isEmpty()) {
                continue;
            }
            if (!e.method().equals(want)) {
                allowed.add(e.method());
                continue;
            }
            if (best == null || e.literals() > best.entry().literals()) {
                best = new Match(e, params.get());
            }
        }
        if (best == null && !allowed.isEmpty()) {
            throw new ApiException(405, "method " + method + " is not allowed on " + path + "; use " + String.join(" or ", allowed),
                    List.of(), Map.of("Allow", String.join(", ", allowed)));
        }
        return Optional.ofNullable(best);
    }

    private static Optional<Map<String, String>> bind(String[] template, String[] parts) {
        if (template.length != parts.length) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            if (isParam(template[i])) {
                if (parts[i].isEmpty()) {
                    return Optional.empty();
                }
                params.put(template[i].substring(1, template[i].length() - 1), parts[i]);
            } else if (!template[i].equals(parts[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    private static boolean isParam(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    /** The path's segments after the leading slash; a trailing slash gives an empty last segment. */
    private static String[] split(String path) {
        return path.substring(1).split("/", -1);
    }
}
