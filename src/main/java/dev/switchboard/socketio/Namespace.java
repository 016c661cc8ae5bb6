package dev.switchboard.socketio;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * A Socket.IO namespace: who may connect ({@link #onConnect}), its sockets and its rooms.
 * Room emits encode the packet once and queue the same frames on every member.
 */
public final class Namespace {
    /**
     * Decides whether a client may connect. Runs on the thread that read the CONNECT packet;
     * the socket may already join rooms, register handlers and emit (sent after the reply).
     *
     * @param auth the CONNECT payload, an empty object when the client sent none (with
     *             recovery the client also puts {@code pid} and {@code offset} in it)
     * @param recovery what a reconnecting client claims, when connection state recovery is enabled
     */
    @FunctionalInterface
    public interface ConnectHandler {
        Admission onConnect(Socket socket, JsonNode auth, Optional<Recovery> recovery);
    }

    /** The connect handler's answer. */
    public static final class Admission {
        private static final Admission ACCEPT = new Admission(true, false, "", Optional.empty());
        private static final Admission RECOVERED = new Admission(true, true, "", Optional.empty());
        private final boolean accepted;
        private final boolean recovered;
        private final String message;
        private final Optional<JsonNode> data;

        private Admission(boolean accepted, boolean recovered, String message, Optional<JsonNode> data) {
            this.accepted = accepted;
            this.recovered = recovered;
            this.message = message;
            this.data = data;
        }

        /** Connected; a new {@code pid} is issued (the client's {@code socket.recovered} is false). */
        public static Admission accept() {
            return ACCEPT;
        }

        /**
         * Connected, and the application replayed what the client missed after its offset: the
         * reply keeps the client's {@code pid}, so its {@code socket.recovered} is true. Without a
         * {@link Recovery} this is {@link #accept()}.
         */
        public static Admission recovered() {
            return RECOVERED;
        }

        /** Refused: the client gets CONNECT_ERROR {@code {"message": message}} (its {@code connect_error} event). */
        public static Admission refuse(String message) {
            return new Admission(false, false, message, Optional.empty());
        }

        /** Refused, with {@code data} (converted to JSON) as the error's {@code data}. */
        public static Admission refuse(String message, Object data) {
            return new Admission(false, false, message, Optional.of(Packet.JSON.valueToTree(data)));
        }

        boolean accepted() {
            return accepted;
        }

        boolean recoveredFlag() {
            return recovered;
        }

        String message() {
            return message;
        }

        Optional<JsonNode> data() {
            return data;
        }
    }

    private final String name;
    private volatile ConnectHandler handler = (socket, auth, recovery) -> Admission.accept();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<Socket>> rooms = new ConcurrentHashMap<>();

    Namespace(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Sets who may connect. The default accepts everyone. */
    public void onConnect(ConnectHandler connectHandler) {
        handler = connectHandler;
    }

    /** Emits to every socket of the namespace; returns how many took it. */
    public int emit(String event, Object... args) {
        return deliver(sockets, event, args);
    }

    /** Emits to every socket in {@code room}; returns how many took it. */
    public int emitTo(String room, String event, Object... args) {
        return deliver(rooms.getOrDefault(room, Set.of()), event, args);
    }

    /** The sockets in {@code room} now. */
    public Set<Socket> room(String room) {
        return Set.copyOf(rooms.getOrDefault(room, Set.of()));
    }

    /** The sockets connected (or connecting) now. */
    public Set<Socket> sockets() {
        return Set.copyOf(sockets);
    }

    private int deliver(Set<Socket> targets, String event, Object[] args) {
        if (targets.isEmpty()) {
            return 0;
        }
        List<Frame> frames = new Packet(Packet.EVENT, name, -1, Socket.array(event, args), 0).encode();
        int n = 0;
        for (Socket s : targets) {
            if (s.send(frames)) {
                n++;
            }
        }
        return n;
    }

    Admission admit(Socket socket, JsonNode auth, Optional<Recovery> recovery) {
        sockets.add(socket);
        return handler.onConnect(socket, auth, recovery);
    }

    void join(String room, Socket s) {
        rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(s);
    }

    void leave(String room, Socket s) {
        rooms.computeIfPresent(room, (r, members) -> {
            members.remove(s);
            return members.isEmpty() ? null : members;
        });
    }

    void remove(Socket s, Set<String> itsRooms) {
        sockets.remove(s);
        for (String room : itsRooms) {
            leave(room, s);
        }
    }
}
