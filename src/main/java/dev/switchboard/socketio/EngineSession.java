package dev.switchboard.socketio;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO v4 connection ("session", named by its {@code sid}) over HTTP long-polling or a
 * WebSocket, and the upgrade from the first to the second.
 *
 * <p>Outbound packets wait in one bounded queue whatever the transport: a held poll takes them
 * all (up to {@code maxPayload}) in one response; a WebSocket sends them one at a time, the next
 * only when the previous send completed. A queue that would exceed its bound closes the session
 * (the client reconnects, and may recover); the packets of a socket's opening (the replay before
 * a CONNECT reply) may exceed it, see {@link #send(List, boolean)}.
 *
 * <p>While a WebSocket probes the upgrade, polls get no packets (only noops, so that the client
 * can pause polling): socket.io-client completes the upgrade, and a close it was asked for
 * meanwhile, in the same callback as the poll that let it pause, and it buffers the events of
 * that poll past its disconnect, to emit them after its next CONNECT, which already carried an
 * older offset; the events would be replayed twice. Held back, they go over the WebSocket after
 * the upgrade, or to polling again if the probe fails.
 *
 * <p>Heartbeat: see {@link Heartbeat}.
 *
 * <p>The listener is called outside this object's lock, on the thread that read the packet.
 */
final class EngineSession {
    /** What the Socket.IO layer hears from its connection. */
    interface Listener {
        void onMessage(String text);

        void onBinary(byte[] bytes);

        void onClose(String reason);
    }

    /** How a session ends. */
    enum Ending {
        /** The client sent a close packet: a pending poll is answered with a noop. */
        CLIENT,
        /** The server closes: queued packets are delivered first, then a close packet. */
        SERVER,
        /** Gone at once (ping timeout, transport error, overflow). */
        ABORT
    }

    private record Poll(Response response, Callback callback) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(EngineSession.class);
    private static final Listener NONE = new Listener() {
        public void onMessage(String text) {
        }

        public void onBinary(byte[] bytes) {
        }

        public void onClose(String reason) {
        }
    };

    final String sid;
    /** The client's address as the handshake came from it (an IP address). */
    final String remoteAddress;
    private final Settings settings;
    private final ScheduledExecutorService timers;
    private final Consumer<EngineSession> removed;
    private final Heartbeat heartbeat;
    private volatile Listener listener = NONE;

    // guarded by this
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private int allowance;
    private Session ws;
    private Session probe;
    private boolean upgrading;
    private Poll poll;
    private boolean writing;
    private boolean pumping;
    private boolean closed;
    private boolean closeWsWhenDrained;
    private Frame lingerReply;
    private ScheduledFuture<?> noopTask, lingerTask;

    EngineSession(String sid, Settings settings, ScheduledExecutorService timers, Consumer<EngineSession> removed) {
        this(sid, "", settings, timers, removed);
    }

    EngineSession(String sid, String remoteAddress, Settings settings, ScheduledExecutorService timers, Consumer<EngineSession> removed) {
        this.sid = sid;
        this.remoteAddress = remoteAddress;
        this.settings = settings;
        this.timers = timers;
        this.removed = removed;
        this.heartbeat = new Heartbeat(timers, settings.pingInterval(), settings.pingTimeout(),
                () -> send(List.of(Frame.PING), false), () -> close("ping timeout", Ending.ABORT));
    }

    void listener(Listener l) {
        listener = l;
    }

    /** Starts the heartbeat and returns the open packet; over a WebSocket it is also queued first. */
    synchronized Frame open(Session webSocket) {
        ws = webSocket;
        String upgrades = webSocket == null ? "[\"websocket\"]" : "[]";
        Frame open = Frame.text("0{\"sid\":\"" + sid + "\",\"upgrades\":" + upgrades + ",\"pingInterval\":"
                + settings.pingInterval().toMillis() + ",\"pingTimeout\":" + settings.pingTimeout().toMillis()
                + ",\"maxPayload\":" + settings.maxPayload() + "}");
        if (webSocket != null) {
            queue.add(open);
        }
        heartbeat.start();
        return open;
    }

    /** True when the peer missed its pong deadline (the timer may not have run yet). */
    boolean expired() {
        return heartbeat.expired();
    }

    /**
     * Queues packets for the client.
     *
     * @param opening true for the packets of a socket's opening, which may exceed the bound once
     * @return false when the session is closed, or was just closed because the queue overflowed
     */
    boolean send(List<Frame> frames, boolean opening) {
        boolean overflow = false;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (opening) {
                allowance += frames.size();
            } else if (queue.size() + frames.size() > settings.outboundQueue() + allowance) {
                overflow = true;
            }
            if (!overflow) {
                queue.addAll(frames);
            }
        }
        if (overflow) {
            LOG.debug("session {}: outbound queue full, closing", sid);
            close("outbound queue full", Ending.ABORT);
            return false;
        }
        flush();
        return true;
    }

    private void flush() {
        Poll answer = null;
        List<Frame> out = null;
        boolean webSocket;
        synchronized (this) {
            webSocket = ws != null;
            if (!webSocket && poll != null && !queue.isEmpty() && probe == null) {
                answer = poll;
                poll = null;
                out = drain(settings.maxPayload());
            }
        }
        if (webSocket) {
            pump();
        } else if (answer != null) {
            answer(answer, out);
        }
    }

    private List<Frame> drain(int maxBytes) {
        List<Frame> out = new ArrayList<>();
        int bytes = 0;
        while (!queue.isEmpty() && (out.isEmpty() || bytes + queue.peek().size() + 1 <= maxBytes)) {
            Frame f = queue.poll();
            bytes += f.size() + 1;
            out.add(f);
            if (allowance > 0) {
                allowance--;
            }
        }
        return out;
    }

    /**
     * Sends queued frames over the WebSocket, one outstanding send at a time. A send that
     * completes inline only clears {@code writing}; the loop already running sends the next
     * frame, so a long queue does not recurse.
     */
    private void pump() {
        synchronized (this) {
            if (pumping) {
                return;
            }
            pumping = true;
        }
        for (;;) {
            Frame f;
            Session s;
            boolean closeNow = false;
            synchronized (this) {
                s = ws;
                f = s == null || writing ? null : queue.poll();
                if (f == null) {
                    pumping = false;
                    closeNow = s != null && !writing && closeWsWhenDrained;
                    if (closeNow) {
                        closeWsWhenDrained = false;
                    }
                } else {
                    if (allowance > 0) {
                        allowance--;
                    }
                    writing = true;
                }
            }
            if (f == null) {
                if (closeNow) {
                    s.close(StatusCode.NORMAL, "closed", org.eclipse.jetty.websocket.api.Callback.NOOP);
                }
                return;
            }
            org.eclipse.jetty.websocket.api.Callback done = org.eclipse.jetty.websocket.api.Callback.from(this::written, this::failed);
            try {
                if (f.isBinary()) {
                    s.sendBinary(ByteBuffer.wrap(f.binary()), done);
                } else {
                    s.sendText(f.text(), done);
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    pumping = false;
                }
                failed(e);
                return;
            }
        }
    }

    private void written() {
        synchronized (this) {
            writing = false;
        }
        pump();
    }

    private void failed(Throwable t) {
        synchronized (this) {
            writing = false;
        }
        close("transport error", Ending.ABORT);
    }

    /** A GET with this sid: answered now when packets wait, else held until some do. */
    void poll(Response response, Callback callback) {
        Poll mine = new Poll(response, callback);
        List<Frame> out = null;
        String error = null;
        boolean overlap = false;
        boolean lingerDone = false;
        synchronized (this) {
            if (closed) {
                if (lingerReply != null) {
                    out = new ArrayList<>(queue);
                    out.add(lingerReply);
                    queue.clear();
                    lingerReply = null;
                    cancel(lingerTask);
                    lingerDone = true;
                } else {
                    error = "Session ID unknown: the session is closed; open a new one";
                }
            } else if (ws != null) {
                error = "the session was upgraded to websocket; polling requests are refused";
            } else if (poll != null) {
                error = "a poll is already pending for this session (overlapping GET); the session is closed";
                overlap = true;
            } else if (!queue.isEmpty() && probe == null) {
                out = drain(settings.maxPayload());
            } else {
                poll = mine;
            }
        }
        if (lingerDone) {
            removed.accept(this);
        }
        if (error != null) {
            SocketIoServer.error(response, callback, 400, error);
            if (overlap) {
                close("transport error", Ending.ABORT);
            }
        } else if (out != null) {
            answer(mine, out);
        }
    }

    /** A POST with this sid: the client's packets. */
    void post(String body, Response response, Callback callback) {
        String error = null;
        synchronized (this) {
            if (closed) {
                error = "Session ID unknown: the session is closed; open a new one";
            } else if (ws != null) {
                error = "the session was upgraded to websocket; polling requests are refused";
            }
        }
        if (error != null) {
            SocketIoServer.error(response, callback, 400, error);
            return;
        }
        List<Frame> frames;
        try {
            frames = Frame.decodePayload(body);
        } catch (IllegalArgumentException e) {
            SocketIoServer.error(response, callback, 400, "bad payload: " + e.getMessage());
            close("parse error", Ending.ABORT);
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=UTF-8");
        response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8)), callback);
        frames.forEach(this::receive);
    }

    private static void answer(Poll p, List<Frame> frames) {
        byte[] body = Frame.encodePayload(frames);
        p.response().setStatus(200);
        p.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=UTF-8");
        p.response().getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        p.response().write(true, ByteBuffer.wrap(body), p.callback());
    }

    /** One packet from the client over the current transport. */
    private void receive(Frame f) {
        heartbeat.alive();
        if (f.isBinary()) {
            listener.onBinary(f.binary());
            return;
        }
        String t = f.text();
        if (t.isEmpty()) {
            close("parse error", Ending.ABORT);
            return;
        }
        switch (t.charAt(0)) {
            case '1' -> close("transport close", Ending.CLIENT);
            case '2' -> send(List.of(Frame.text("3" + t.substring(1))), false);
            case '3' -> heartbeat.pong();
            case '4' -> listener.onMessage(t.substring(1));
            case '6' -> { }
            default -> {
                LOG.debug("session {}: unexpected packet {}, closing", sid, t.charAt(0));
                close("parse error", Ending.ABORT);
            }
        }
    }

    /** A WebSocket that carries a sid asks to take this session over; false when it may not (closed, already upgraded, already probing). */
    boolean attachProbe(Session s) {
        synchronized (this) {
            if (closed || ws != null || probe != null) {
                return false;
            }
            probe = s;
        }
        timers.schedule(() -> abandonProbe(s), settings.upgradeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return true;
    }

    private void abandonProbe(Session s) {
        synchronized (this) {
            if (probe != s) {
                return;
            }
            endProbe();
        }
        s.close(StatusCode.NORMAL, "upgrade timeout", org.eclipse.jetty.websocket.api.Callback.NOOP);
        flush();
    }

    private void endProbe() {
        probe = null;
        upgrading = false;
        cancel(noopTask);
    }

    void wsText(Session s, String text) {
        Session p;
        synchronized (this) {
            p = probe;
        }
        if (s == p) {
            probeText(s, text);
        } else if (isWs(s)) {
            receive(Frame.text(text));
        }
    }

    void wsBinary(Session s, byte[] bytes) {
        if (isWs(s)) {
            receive(Frame.binary(bytes));
        }
    }

    void wsClosed(Session s) {
        boolean active;
        synchronized (this) {
            active = ws == s;
            if (probe == s) {
                endProbe();
            }
        }
        flush(); // packets held back during the probe go to polling again
        if (active) {
            close("transport close", Ending.ABORT);
        }
    }

    private synchronized boolean isWs(Session s) {
        return ws == s;
    }

    private void probeText(Session s, String text) {
        if (text.equals("2probe")) {
            synchronized (this) {
                upgrading = true;
                cancel(noopTask);
                noopTask = timers.scheduleWithFixedDelay(this::flushPollForUpgrade, 100, 100, TimeUnit.MILLISECONDS);
            }
            s.sendText("3probe", org.eclipse.jetty.websocket.api.Callback.NOOP);
        } else if (text.equals("5")) {
            Poll discarded;
            synchronized (this) {
                if (!upgrading || closed) {
                    return;
                }
                endProbe();
                ws = s;
                discarded = poll;
                poll = null;
            }
            if (discarded != null) {
                SocketIoServer.error(discarded.response(), discarded.callback(), 400, "the session was upgraded to websocket");
            }
            pump();
        } else {
            synchronized (this) {
                endProbe();
            }
            s.close(StatusCode.PROTOCOL, "unexpected packet during the upgrade", org.eclipse.jetty.websocket.api.Callback.NOOP);
            flush();
        }
    }

    /** While the client upgrades, its pending poll must return so that it can pause polling and send the upgrade packet. */
    private void flushPollForUpgrade() {
        Poll answer;
        synchronized (this) {
            if (!upgrading || poll == null) {
                return;
            }
            answer = poll;
            poll = null;
        }
        answer(answer, List.of(Frame.NOOP));
    }

    /** Ends the session (once); the listener hears the reason. */
    void close(String reason, Ending how) {
        Poll answer = null;
        List<Frame> out = null;
        Session closeWs = null;
        Session closeProbe;
        boolean remove = true;
        boolean drainWs = false;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            heartbeat.stop();
            cancel(noopTask);
            closeProbe = probe;
            probe = null;
            if (how != Ending.SERVER) {
                queue.clear();
            }
            if (ws != null) {
                if (how == Ending.SERVER) {
                    closeWsWhenDrained = true;
                    drainWs = true;
                } else {
                    closeWs = ws;
                }
            } else {
                Frame last = how == Ending.CLIENT ? Frame.NOOP : Frame.CLOSE;
                if (poll != null) {
                    answer = poll;
                    poll = null;
                    out = new ArrayList<>(queue);
                    out.add(last);
                    queue.clear();
                } else if (how != Ending.ABORT) {
                    // the client's next poll (maybe already on its way) learns the end instead of an unknown sid
                    lingerReply = last;
                    remove = false;
                    long linger = how == Ending.CLIENT ? 1000 : settings.pingInterval().plus(settings.pingTimeout()).toMillis();
                    lingerTask = timers.schedule(this::endLinger, linger, TimeUnit.MILLISECONDS);
                }
            }
        }
        LOG.debug("session {} closed: {}", sid, reason);
        if (remove) {
            removed.accept(this);
        }
        if (answer != null) {
            answer(answer, out);
        }
        if (closeWs != null) {
            closeWs.close(StatusCode.NORMAL, reason, org.eclipse.jetty.websocket.api.Callback.NOOP);
        }
        if (closeProbe != null) {
            closeProbe.close(StatusCode.NORMAL, reason, org.eclipse.jetty.websocket.api.Callback.NOOP);
        }
        if (drainWs) {
            pump();
        }
        try {
            listener.onClose(reason);
        } catch (RuntimeException e) {
            LOG.warn("session {}: close listener failed", sid, e);
        }
    }

    private void endLinger() {
        synchronized (this) {
            lingerReply = null;
            queue.clear();
        }
        removed.accept(this);
    }

    synchronized boolean closed() {
        return closed;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
