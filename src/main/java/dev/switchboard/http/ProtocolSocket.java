package dev.switchboard.http;

import dev.switchboard.hub.Codec;
import dev.switchboard.hub.Event;
import dev.switchboard.live.ViewKey;
import dev.switchboard.push.MessageSession;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * A pack's WebSocket protocol ({@link Routes#socket}) as the stream machinery sees it: a codec
 * that caches, once per row change, the socket's shared translation of it (tagged messages, one
 * per line as {@code tag TAB text}), and per connection a translator that hands the connection
 * dashboard states, the node's load and the tagged messages it wants.
 */
final class ProtocolSocket {
    /** Codec slots by socket template: the same template gets the same slot in every server of the process. */
    private static final Map<String, Integer> SLOTS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT = new AtomicInteger(4);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    final String template;
    final Routes.Socket socket;
    final Codec codec;

    ProtocolSocket(String template, Routes.Socket socket) {
        this.template = template;
        this.socket = socket;
        int slot = SLOTS.computeIfAbsent(template, t -> NEXT.getAndIncrement());
        if (slot >= Codec.SLOTS) {
            throw new IllegalStateException("too many WebSocket protocols (" + SLOTS.keySet() + "): at most " + (Codec.SLOTS - 4)
                    + " fit in Codec.SLOTS");
        }
        this.codec = new Codec() {
            @Override
            public int slot() {
                return slot;
            }

            @Override
            public ByteBuffer encode(Event e) {
                if (!e.type().equals("change")) {
                    return ByteBuffer.allocate(0);
                }
                StringBuilder lines = new StringBuilder();
                for (Routes.Tagged t : socket.change(Api.JSON.readValue(e.json(), MAP))) {
                    if (t.tag().indexOf('\t') >= 0 || t.tag().indexOf('\n') >= 0 || t.text().indexOf('\n') >= 0) {
                        throw new IllegalArgumentException("a tagged message may not hold a tab in its tag or a line break: " + t);
                    }
                    lines.append(t.tag()).append('\t').append(t.text()).append('\n');
                }
                return ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    /** The translator of one connection, which watches {@code keys}. */
    MessageSession.Translator translator(Routes.Connection connection, List<ViewKey> keys) {
        Map<String, String> dashboards = new ConcurrentHashMap<>();
        keys.forEach(k -> dashboards.put(k.topic(), k.dashboard()));
        return new MessageSession.Translator() {
            @Override
            public List<String> messages(Event e) {
                synchronized (connection) {
                    return switch (e.type()) {
                        case "snapshot" -> {
                            JsonNode body = Api.JSON.readTree(e.json());
                            yield connection.state(body.path("dashboard").asString(), Api.JSON.convertValue(body.path("widgets"), MAP), true);
                        }
                        case "delta" -> {
                            Map<String, Object> widgets = e.widgets().orElseGet(() -> Api.JSON.convertValue(Api.JSON.readTree(e.json()).path("widgets"), MAP));
                            String dashboard = dashboards.get(e.topic());
                            yield dashboard == null ? List.of() : connection.state(dashboard, widgets, false);
                        }
                        case "change" -> tagged(e, connection);
                        default -> e.ephemeral() && e.topic().equals(NodeLoads.TOPIC)
                                ? connection.nodeLoad(Api.JSON.readValue(e.json(), Routes.NodeLoad.class)) : List.of();
                    };
                }
            }

            @Override
            public String expired() {
                synchronized (connection) {
                    return connection.expired();
                }
            }
        };
    }

    private List<String> tagged(Event e, Routes.Connection connection) {
        String lines = e.text(codec);
        List<String> out = new ArrayList<>();
        int at = 0;
        while (at < lines.length()) {
            int tab = lines.indexOf('\t', at);
            int end = lines.indexOf('\n', tab);
            if (connection.wants(lines.substring(at, tab))) {
                out.add(lines.substring(tab + 1, end));
            }
            at = end + 1;
        }
        return out;
    }
}
