package dev.switchboard.http;

import dev.switchboard.auth.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where routes are registered: the native API registers its own, and each pack registers its
 * compatibility routes (the paths and shapes its seed system's clients already use). A template's
 * {@code {name}} segments are path parameters. Compatibility routes are thin: they read the same
 * live views ({@link Call#widgets}) the native API serves, never a second computation.
 */
public interface Routes {

    /** Registers {@code route} for GET (and HEAD) on {@code template}, described by {@code summary}. */
    void get(String template, String summary, Route route);

    /**
     * Registers {@code route} for GET on {@code template}: a route that opens a stream
     * ({@link Call#stream}), whose refusals count as failed connection attempts of the tenant.
     */
    void stream(String template, String summary, Route route);

    /** Registers {@code route} for POST on {@code template}. */
    void post(String template, String summary, Route route);

    /**
     * Registers a WebSocket endpoint on {@code template} (a GET with {@code Upgrade: websocket})
     * that speaks a pack's own protocol over the native streams. {@link Socket#open} runs at the
     * upgrade request and decides the tenant and what the connection watches (throw
     * {@link Call#reject} to refuse it with an HTTP status). From then on the connection is a native
     * stream session: the bounded, coalescing queue, resynchronization after an overflow, the stream
     * limits, the token's expiry, WebSocket pings as heartbeats; its client receives only the
     * messages its {@link Connection} makes of the events. A GET without the upgrade gets 426.
     */
    void socket(String template, String summary, Socket socket);

    /**
     * What {@code GET /api/events/{tenant}} streams when the request names nothing (seed 000's
     * {@code /api/events/:clientKey}): these dashboards and datasets, for a tenant that has rows in
     * {@code primaryDataset}. The first registered that matches wins.
     */
    void defaultStream(String primaryDataset, List<String> dashboards, List<String> datasets);

    /**
     * Registers a Socket.IO dialect: a handshake whose {@code auth} carries {@code authField} (the
     * seed's tenant, e.g. {@code user_id}) and no {@code tenant} is served in the seed's event names
     * and shapes, over the same session (outbox, resume, authorization) as the native events.
     */
    void socketIo(String authField, SocketIoDialect dialect);

    /** A seed's Socket.IO events: what a socket watches, and how Switchboard's events read to it. */
    interface SocketIoDialect {
        /** The dashboards a socket of this dialect watches. */
        List<String> dashboards();

        /** The datasets it watches. */
        List<String> datasets();

        /** View parameters of its dashboards. */
        Map<String, String> params();

        /** A translator for one socket of {@code tenant}; called once per connection. */
        Translator open(String tenant, String socketId);
    }

    /** Turns Switchboard's events and the client's messages into the seed's events. One per socket; thread-safe. */
    interface Translator {
        /** The seed's events for a native event ({@code snapshot}, {@code delta}, {@code change}, {@code reset}) with its data. */
        List<Emit> event(String type, tools.jackson.databind.JsonNode data, java.time.Instant now);

        /** The seed's answer to a message the client emitted (e.g. {@code ping} → {@code pong}); empty for none. */
        List<Emit> message(String event, tools.jackson.databind.JsonNode argument, java.time.Instant now);

        /** The client messages {@link #message} understands. */
        List<String> messages();
    }

    /** One event to emit: its name and its one argument (serialized as JSON). */
    record Emit(String event, Object data) {}

    /** A secret the operator configured for compatibility routes ({@code webhook}: the webhook's shared secret). */
    java.util.Optional<String> secret(String name);

    /** Every registered route as {@code "METHOD /template"}, in registration order. */
    List<String> list();

    /**
     * An open stream of a tenant on this node.
     *
     * @param label what it watches: a compatibility stream's channel (seed 001's
     *     {@code appointments:patient:p-1}), or a native stream's topics
     * @param subject whose it is (the token's {@code sub}; empty in open access)
     * @param transport {@code sse}, {@code websocket}, ...
     * @param opened when it opened
     */
    record Stream(String label, String subject, String transport, java.time.Instant opened) {}

    /**
     * Stream connections of a tenant (or of the node) since this node started.
     *
     * @param active open now
     * @param opened opened since start
     * @param failed stream requests refused (bad token, no access, bad parameters, limits) before opening
     * @param messageErrors client messages on open streams answered with an error
     * @param ended connections that ended since start
     * @param endedSeconds how long those lasted, in total
     * @param averageOpenSeconds how long the open ones have been open, on average
     * @param longestOpenSeconds how long the oldest open one has been open
     */
    record Connections(int active, long opened, long failed, long messageErrors, long ended, double endedSeconds,
                       double averageOpenSeconds, double longestOpenSeconds) {}

    /**
     * What a compatibility stream watches: as {@code GET /api/events/{tenant}} with
     * {@code ?dashboards=..&datasets=..} and view parameters ({@code scope} and {@code sub} among
     * them, for a caller not confined to a scope by its token), listed as {@code label}.
     */
    record Watching(List<String> dashboards, List<String> datasets, Map<String, String> params, String label) {
        public Watching {
            dashboards = List.copyOf(dashboards);
            datasets = List.copyOf(datasets);
            params = Map.copyOf(params);
        }
    }

    /** One event of a compatibility stream: its name and data (any JSON-serializable value). */
    record Frame(String event, Object data) {}

    /**
     * How a compatibility stream names and shapes the native events ({@code snapshot},
     * {@code delta}, {@code change}, {@code reset}, with the native data): the seed's event, or
     * empty to leave it out. Runs for each client (its mapping may depend on the request).
     */
    @FunctionalInterface
    interface Frames {
        Optional<Frame> frame(String type, tools.jackson.databind.JsonNode data);
    }

    /**
     * A pack's WebSocket protocol. At most four such sockets (by template) exist in a process: each
     * caches its shared translation of an event in a codec slot of its own.
     */
    interface Socket {
        /** At the upgrade request: the connection's state and what it watches; throw {@link Call#reject} to refuse it. */
        Connection open(Call call);

        /**
         * Once per row change, shared by every connection of this socket (computed by the first
         * connection that needs it): the messages the change becomes, each tagged so that
         * {@link Connection#wants} can pick. {@code change} is the native change event's body:
         * {@code dataset, tenant, op (c|u|d), key, before, after, position, commit_time}.
         */
        default List<Tagged> change(Map<String, Object> change) {
            return List.of();
        }
    }

    /** A message with the tag connections choose by (e.g. the campaign it concerns; empty for every connection). */
    record Tagged(String tag, String text) {}

    /**
     * What a connection watches: dashboards of {@code tenant} (with view parameters {@code params}),
     * row changes of {@code datasets}, and, with {@code nodeLoad}, this node's {@link NodeLoad} every
     * 2 s.
     */
    record Watch(String tenant, List<String> dashboards, Map<String, String> params, List<String> datasets, boolean nodeLoad) {
        public Watch {
            dashboards = List.copyOf(dashboards);
            params = Map.copyOf(params);
            datasets = List.copyOf(datasets);
        }
    }

    /**
     * One client of a {@link Socket}: its subscriptions and what it has been sent. Its methods are
     * called one at a time (never concurrently), on the connection's reader or writer.
     */
    interface Connection {
        Watch watch();

        /** A text message from the client; returns the replies (an acknowledgement, an error in the protocol's shape). */
        List<String> received(String text);

        /**
         * The state of a watched dashboard: every widget when {@code snapshot} (at the start, and
         * after a resynchronization), else the widgets that changed. Returns the messages to send.
         */
        List<String> state(String dashboard, Map<String, Object> widgets, boolean snapshot);

        /** The node's load, sampled every 2 s when the watch asks for it; returns the messages to send. */
        default List<String> nodeLoad(NodeLoad load) {
            return List.of();
        }

        /** Whether a {@link Tagged} message with {@code tag} goes to this connection. */
        boolean wants(String tag);

        /** The message telling the client that its token expired (the connection closes after it). */
        String expired();
    }

    /**
     * This node's load: the machine's CPU in use (percent; negative when the platform cannot tell),
     * this process's share of it, and the JVM heap in use as a percentage of its maximum.
     *
     * @param at when it was sampled (ISO-8601)
     * @param healthy whether the node captures and serves changes then (as {@code GET /api/health} says)
     */
    record NodeLoad(String at, boolean healthy, double cpuPercent, double processCpuPercent, double memoryPercent, long heapUsedBytes,
                    long heapMaxBytes, int processors) {}

    /** Handles one request. What it throws becomes a JSON error (see {@link Call#reject}). */
    @FunctionalInterface
    interface Route {
        void handle(Call call);
    }

    /** One request being handled. */
    interface Call {
        /** A path parameter, checked against the name rule (letters, digits, {@code _ . : @ -}). */
        String param(String name);

        /** A query parameter (the last value of a repeated one). */
        Optional<String> query(String name);

        /** Every query parameter (the last value of a repeated one wins). */
        Map<String, String> queries();

        /** A request header. */
        Optional<String> header(String name);

        /**
         * The tenant a compatibility route serves. With tokens it is the token's tenant, and a
         * {@code claimed} tenant (the seed's {@code user_id} or {@code clientKey}) that disagrees
         * is refused with 403; with open access it is {@code claimed}, or {@code fallback} (the
         * pack's default demo tenant) when the seed passes none.
         */
        String tenant(Optional<String> claimed, String fallback);

        /** The authenticated caller, allowed {@code tenant}, admitted under the request rate limits. */
        Principal principal(String tenant);

        /** True while the node captures and serves changes (as {@code GET /api/health} says). */
        boolean healthy();

        /** Now, by the clock the live views use. */
        java.time.Instant now();

        /** The clock the live views use, for a {@link Connection} that stamps its messages. */
        java.time.Clock clock();

        /** This node's load, sampled now. */
        NodeLoad nodeLoad();

        /** True when access is open (demo mode): no tokens. */
        boolean open();

        /**
         * The live widgets of dashboard {@code dashboard} for {@code tenant} with view parameters
         * {@code params} (as the native snapshot route serves them), for the caller's scope.
         */
        Map<String, Object> widgets(String dashboard, String tenant, Map<String, String> params);

        /**
         * Writes rows through the same validation and transaction as {@code POST /api/ingest}
         * (nothing is written when a row is refused); returns the position of the write.
         */
        String ingest(String tenant, String dataset, List<Map<String, Object>> rows);

        /**
         * Answers with a Server-Sent Events stream of {@code tenant}: what {@code what} names, as the
         * caller may see it (a caller confined to a scope gets its slice of each dataset, and 403 for
         * a dataset its scope does not cover), under the stream limits, resumable with
         * {@code Last-Event-ID}, each event passed through {@code frames}.
         */
        void stream(String tenant, Watching what, Frames frames);

        /** The open streams of {@code tenant} on this node (of every transport that names its tenant). */
        List<Stream> streams(String tenant);

        /** Streams open on this node, of every tenant and transport. */
        int openStreams();

        /** The stream connections of {@code tenant} on this node. */
        Connections connections(String tenant);

        /** Reads the whole request body (bounded as ingest is), then runs {@code then} on a pool thread. */
        void body(Consumer<byte[]> then);

        /** Answers with {@code body} as JSON. */
        void json(int status, Object body);

        /**
         * A refusal to throw: the response is {@code body} as JSON with {@code status}, in the shape
         * the route's clients expect (e.g. a seed's {@code {"success": false, "error": ...}}).
         */
        RuntimeException reject(int status, Map<String, Object> body);
    }
}
