package dev.switchboard.socketio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Socket.IO side of one Engine.IO session: decodes packets (reassembling binary
 * attachments), connects and disconnects namespaces, routes events and acks to their
 * {@link Socket}. A malformed packet closes the connection, as the reference server does.
 */
final class Client implements EngineSession.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Client.class);

    final EngineSession engine;
    private final SocketIoServer server;
    private final Map<String, Socket> sockets = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> connectTimeout;
    // touched only by the thread reading this connection's packets
    private Packet partial;
    private final List<byte[]> attachments = new ArrayList<>();

    Client(SocketIoServer server, EngineSession engine) {
        this.server = server;
        this.engine = engine;
        this.connectTimeout = server.timers().schedule(() -> {
            if (sockets.isEmpty()) {
                engine.close("connect timeout", EngineSession.Ending.SERVER);
            }
        }, server.settings().connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onMessage(String text) {
        Packet p;
        try {
            if (partial != null) {
                throw new IllegalArgumentException("text packet while binary attachments were expected");
            }
            p = Packet.decode(text);
        } catch (IllegalArgumentException e) {
            invalid(e);
            return;
        }
        if (p.attachments() > 0) {
            partial = p;
            attachments.clear();
        } else {
            dispatch(p);
        }
    }

    @Override
    public void onBinary(byte[] bytes) {
        if (partial == null) {
            invalid(new IllegalArgumentException("unexpected binary message"));
            return;
        }
        attachments.add(bytes);
        if (attachments.size() < partial.attachments()) {
            return;
        }
        Packet p;
        try {
            p = partial.reconstruct(List.copyOf(attachments));
        } catch (IllegalArgumentException e) {
            invalid(e);
            return;
        } finally {
            partial = null;
            attachments.clear();
        }
        dispatch(p);
    }

    private void invalid(IllegalArgumentException e) {
        LOG.debug("session {}: {}; closing", engine.sid, e.getMessage());
        engine.close("parse error", EngineSession.Ending.ABORT);
    }

    private void dispatch(Packet p) {
        switch (p.type()) {
            case Packet.CONNECT -> connect(p.nsp(), p.data());
            case Packet.DISCONNECT -> {
                Socket s = sockets.remove(p.nsp());
                if (s != null) {
                    s.ended("client namespace disconnect");
                }
            }
            case Packet.EVENT -> {
                Socket s = sockets.get(p.nsp());
                if (s != null) {
                    s.onEvent(p);
                }
            }
            case Packet.ACK -> {
                Socket s = sockets.get(p.nsp());
                if (s != null) {
                    s.onAck(p.id(), p.data());
                }
            }
            default -> invalid(new IllegalArgumentException("unexpected packet type " + p.type()));
        }
    }

    private void connect(String nsp, JsonNode data) {
        Optional<Namespace> ns = server.namespace(nsp);
        if (ns.isEmpty()) {
            refuse(nsp, "Invalid namespace", Optional.empty());
            return;
        }
        if (sockets.containsKey(nsp)) {
            return; // already connected: the reference server ignores a second CONNECT too
        }
        ObjectNode auth = data == null ? JsonNodeFactory.instance.objectNode() : (ObjectNode) data;
        Optional<Recovery> recovery = Optional.empty();
        if (server.settings().recovery() && auth.path("pid").isString() && auth.path("offset").isString()) {
            recovery = Optional.of(new Recovery(auth.get("pid").asString(), auth.get("offset").asString()));
        }
        Socket socket = new Socket(ns.get(), this, SocketIoServer.randomId(), auth, recovery);
        Namespace.Admission admission;
        try {
            admission = ns.get().admit(socket, auth, recovery);
        } catch (RuntimeException e) {
            LOG.warn("namespace {}: connect handler failed", nsp, e);
            admission = Namespace.Admission.refuse("Internal server error");
        }
        if (!admission.accepted()) {
            socket.refused();
            refuse(nsp, admission.message(), admission.data());
            return;
        }
        connectTimeout.cancel(false);
        sockets.put(nsp, socket);
        ObjectNode reply = JsonNodeFactory.instance.objectNode().put("sid", socket.id());
        if (server.settings().recovery()) {
            reply.put("pid", admission.recoveredFlag() && recovery.isPresent() ? recovery.get().pid() : SocketIoServer.randomId());
        }
        if (!socket.connected(new Packet(Packet.CONNECT, nsp, -1, reply, 0).encode())) {
            sockets.remove(nsp, socket);
        }
    }

    private void refuse(String nsp, String message, Optional<JsonNode> data) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("message", message);
        data.ifPresent(d -> body.set("data", d));
        engine.send(new Packet(Packet.CONNECT_ERROR, nsp, -1, body, 0).encode(), false);
    }

    java.util.concurrent.ScheduledExecutorService engineTimers() {
        return server.timers();
    }

    /** The socket left on the server's initiative: it sends its own DISCONNECT. */
    void removed(Socket s) {
        sockets.remove(s.namespace(), s);
    }

    @Override
    public void onClose(String reason) {
        connectTimeout.cancel(false);
        for (Socket s : List.copyOf(sockets.values())) {
            sockets.remove(s.namespace());
            s.ended(reason);
        }
    }
}
