package dev.switchboard.http;

import dev.switchboard.auth.Access;
import dev.switchboard.auth.Principal;
import dev.switchboard.change.Position;
import dev.switchboard.limits.Admission;
import dev.switchboard.limits.Rejection;
import dev.switchboard.push.SioSession;
import dev.switchboard.push.Streams;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.Recovery;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Switchboard's streams over Socket.IO at {@code /socket.io/}: the handshake's {@code auth}
 * carries the token, the tenant, and what to watch
 * ({@code {"token": "...", "tenant": "t1", "dashboards": ["calls"], "datasets": ["call_logs"],
 * "params": {"hours": 24}, "since": "<position>"}}); authorization is the same as on every
 * transport (a refused handshake gets a {@code connect_error} naming the problem). Events carry
 * the same data as SSE with the position as the offset, so Socket.IO's connection state recovery
 * replays exactly what the client missed (from the rings or the change log), and a client without
 * an offset may pass {@code since}. Rooms are the topics the socket watches. A connection counts
 * as an open stream against the same per-address, per-subject and per-tenant caps as SSE and
 * WebSocket streams (and its handshake against the request rates), from admission until it ends.
 */
final class SocketIoStreams {
    private SocketIoStreams() {}

    static SocketIoServer create(Api api, Streams streams, Access access, Admission admission, Sessions sessions, List<String> allowedOrigins,
                                 Router router, java.time.Clock clock) {
        SocketIoServer io = SocketIoServer.builder().connectionStateRecovery(true).allowedOrigins(allowedOrigins).build();
        io.of("/").onConnect((socket, auth, recovery) -> router.dialect(auth)
                .map(d -> dialect(api, streams, access, admission, sessions, socket, auth, recovery, d.getKey(), d.getValue(), clock))
                .orElseGet(() -> connect(api, streams, access, admission, sessions, socket, auth, recovery)));
        return io;
    }

    /**
     * Admits the connection as a stream: under the request rates, and within the stream caps per
     * client address, subject and tenant that SSE and WebSocket streams count against too. The
     * caller has built everything that may fail; on success the place is released once, when the
     * socket disconnects.
     */
    private static Optional<Namespace.Admission> admit(Admission admission, Socket socket, String tenant, Principal who) {
        String ip = socket.remoteAddress();
        String subject = who.subject();
        Optional<Rejection> refused = admission.tryRequest(tenant, subject).or(() -> admission.tryAcquireStream(ip, tenant, subject));
        if (refused.isPresent()) {
            return Optional.of(Namespace.Admission.refuse(refused.get().message(),
                    Map.of("status", 429, "retryAfter", refused.get().retryAfterSeconds(), "limit", refused.get().limit())));
        }
        Runnable release = admission.releaser(ip, tenant, subject);
        socket.onDisconnect(reason -> release.run());
        return Optional.empty();
    }

    /**
     * A handshake in a seed's dialect: the tenant is {@code auth[field]} (with tokens it must be one
     * the token grants), what to watch is the dialect's, and events are translated per socket.
     */
    private static Namespace.Admission dialect(Api api, Streams streams, Access access, Admission admission, Sessions sessions, Socket socket,
                                               JsonNode auth,
                                               Optional<Recovery> recovery, String field, Routes.SocketIoDialect dialect, java.time.Clock clock) {
        try {
            String tenant = Api.name(Map.of(field, auth.path(field).asString("")), field);
            String token = auth.path("token").asString("");
            Optional<Principal> who = access.authenticate(token);
            if (who.isEmpty()) {
                return Namespace.Admission.refuse(token.isEmpty() ? "authentication required: put the token in auth.token"
                        : "the token is invalid or expired");
            }
            if (!who.get().allows(tenant)) {
                return Namespace.Admission.refuse("this token does not grant access to " + field + " '" + tenant + "'", Map.of("status", 403));
            }
            // a viewer confined to a scope gets its slice of the dialect's datasets, as on SSE and WebSocket
            Api.Watch w = api.watch(tenant, who.get(), dialect.dashboards(), dialect.datasets(), dialect.params(), true);
            Routes.Translator translator = dialect.open(tenant, socket.id());
            for (String message : translator.messages()) {
                socket.on(message, (args, ack) -> {
                    JsonNode arg = args.isEmpty() ? tools.jackson.databind.node.NullNode.getInstance() : args.get(0);
                    List<Routes.Emit> answers = translator.message(message, arg, clock.instant());
                    if (ack.requested() && !answers.isEmpty()) {
                        ack.send(answers.get(0).data());
                    } else {
                        answers.forEach(a -> socket.emit(a.event(), a.data()));
                    }
                });
            }
            return start(streams, admission, sessions, socket, tenant, who.get(), w, recovery.flatMap(r -> WsEndpoint.position(r.offset())),
                    recovery.isPresent(), subscription -> new SioSession(socket, subscription, streams.queue(), (sio, e) -> {
                        String position = e.position().toString();
                        for (Routes.Emit emit : translator.event(e.type(), Api.JSON.readTree(e.json()), clock.instant())) {
                            if (e.ephemeral()) {
                                sio.emit(emit.event(), emit.data());
                            } else {
                                sio.emit(emit.event(), emit.data(), position);
                            }
                        }
                    }));
        } catch (ApiException e) {
            return Namespace.Admission.refuse(e.getMessage(), Map.of("status", e.status));
        } catch (IllegalArgumentException e) {
            return Namespace.Admission.refuse(e.getMessage(), Map.of("status", 400));
        }
    }

    private static Namespace.Admission connect(Api api, Streams streams, Access access, Admission admission, Sessions sessions, Socket socket,
                                               JsonNode auth, Optional<Recovery> recovery) {
        try {
            String tenant = auth.path("tenant").asString("");
            if (tenant.isBlank()) {
                return Namespace.Admission.refuse("name the tenant in auth: {\"tenant\": \"t1\", \"dashboards\": [...], \"datasets\": [...]}");
            }
            String token = auth.path("token").asString("");
            Optional<Principal> who = access.authenticate(token);
            if (who.isEmpty()) {
                return Namespace.Admission.refuse(token.isEmpty() ? "authentication required: put the token in auth.token"
                        : "the token is invalid or expired");
            }
            if (!who.get().allows(tenant)) {
                return Namespace.Admission.refuse("this token does not grant access to tenant '" + tenant + "'");
            }
            Map<String, String> params = new LinkedHashMap<>();
            auth.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asString()));
            Api.Watch w = api.watch(tenant, who.get(), names(auth, "dashboards"), names(auth, "datasets"), params, true);
            if (w.isEmpty()) {
                return Namespace.Admission.refuse("name what to stream in auth: \"dashboards\" and/or \"datasets\"");
            }
            Optional<Position> resume = recovery.map(r -> WsEndpoint.position(r.offset()))
                    .orElse(WsEndpoint.position(auth.path("since").asString("")));
            return start(streams, admission, sessions, socket, tenant, who.get(), w, resume, recovery.isPresent(),
                    subscription -> new SioSession(socket, subscription, streams.queue()));
        } catch (ApiException e) {
            return Namespace.Admission.refuse(e.getMessage(), Map.of("status", e.status));
        } catch (IllegalArgumentException e) {
            return Namespace.Admission.refuse(e.getMessage(), Map.of("status", 400));
        }
    }

    /**
     * The tail both handshakes share: the socket joins what {@code w} watches (counted against its
     * owner's views), is admitted under the stream caps, is listed in the sessions until it
     * disconnects, ends when its token expires, and opens from {@code resume}.
     */
    private static Namespace.Admission start(Streams streams, Admission admission, Sessions sessions, Socket socket, String tenant,
                                             Principal who, Api.Watch w, Optional<Position> resume, boolean recovered,
                                             java.util.function.Function<dev.switchboard.push.Subscription, SioSession> sessionOf) {
        var subscription = w.subscription(streams, tenant).by(Api.owner(tenant, who, socket.remoteAddress()));
        SioSession session = sessionOf.apply(subscription);
        subscription.topics().forEach(socket::join);
        Optional<Namespace.Admission> refused = admit(admission, socket, tenant, who);
        if (refused.isPresent()) {
            return refused.get();
        }
        sessions.add(session, tenant, who, "socketio", String.join(" ", subscription.topics()));
        streams.expireAt(session, who.expiresAt());
        socket.onDisconnect(reason -> {
            session.close(Optional.empty());
            sessions.remove(session);
        });
        session.open(resume);
        return recovered ? Namespace.Admission.recovered() : Namespace.Admission.accept();
    }

    private static List<String> names(JsonNode auth, String field) {
        JsonNode n = auth.path(field);
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(e -> out.add(e.asString()));
        } else if (n.isString()) {
            out.addAll(Api.list(n.asString()));
        } else if (!n.isMissingNode()) {
            throw new ApiException(400, "auth." + field + " must be an array of names");
        }
        return out;
    }
}
