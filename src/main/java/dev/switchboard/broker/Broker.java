package dev.switchboard.broker;

import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.Position;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ConsumeOptions;
import io.nats.client.ErrorListener;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change stream of one database on NATS JetStream: one capture node publishes every change
 * to it in commit order ({@link #relay}), any number of edge nodes read it as their change source
 * ({@link #source}). A message is one change; its JetStream message id is the change's position,
 * so the stream deduplicates a change published twice, and positions are the same on every node.
 *
 * <p>The stream ({@code settings.stream()}, subject {@code switchboard.<stream>.changes}) is
 * file-backed with limits retention: changes older than {@code retention} or beyond
 * {@code maxBytes} are dropped oldest first. That bounds how far back a client can resume on an
 * edge beyond the edge's own rings.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    private static final Pattern STREAM_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** JetStream's "no message found" error code. */
    static final int NO_MESSAGE = 10037;
    /** JetStream's "stream not found" error code. */
    static final int NO_STREAM = 10059;
    /** How long JetStream remembers message ids to drop a change published twice. */
    static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(2);

    /**
     * Where the stream lives and how much it keeps.
     *
     * @param url NATS server URL(s), comma-separated, e.g. {@code nats://127.0.0.1:4222}; user and password or token may be in it
     * @param stream the JetStream stream name, one per database: {@code A-Z a-z 0-9 _ -}
     * @param retention how long changes stay in the stream (JetStream max_age); the default is 24 hours
     * @param maxBytes most bytes the stream keeps, oldest dropped first; the default is 10 GiB
     */
    public record Settings(String url, String stream, Duration retention, long maxBytes) {
        public Settings {
            if (!STREAM_NAME.matcher(stream).matches()) {
                throw new IllegalArgumentException("broker stream name must be 1-64 of A-Z, a-z, 0-9, _ and -; was '" + stream + "'");
            }
            if (retention.compareTo(DUPLICATE_WINDOW) < 0) {
                throw new IllegalArgumentException("broker retention must be at least " + DUPLICATE_WINDOW.toMinutes()
                        + " minutes (JetStream's duplicate window), was " + retention);
            }
            if (maxBytes < 1) {
                throw new IllegalArgumentException("broker max bytes must be positive, was " + maxBytes);
            }
        }

        /** The subject changes are published on. */
        public String subject() {
            return "switchboard." + stream + ".changes";
        }
    }

    private final Settings settings;
    private final Connection nats;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final String target;

    private Broker(Settings settings, Connection nats, String target) throws IOException {
        this.settings = settings;
        this.nats = nats;
        this.target = target;
        JetStreamOptions jso = JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(5)).build();
        this.js = nats.jetStream(jso);
        this.jsm = nats.jetStreamManagement(jso);
    }

    /**
     * Connects to NATS as {@code name} (shown in the server's connection list). Reconnects for
     * ever once connected; refuses with one line naming the server when it cannot connect now.
     */
    public static Broker connect(Settings settings, String name) {
        String target = redact(settings.url());
        Options options = new Options.Builder()
                .servers(settings.url().split(","))
                .connectionName(name)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250))
                .connectionTimeout(Duration.ofSeconds(5))
                .pingInterval(Duration.ofSeconds(5))
                .connectionListener(new StateLog(target))
                .errorListener(new QuietErrors())
                .build();
        try {
            Connection nats = Nats.connect(options);
            return new Broker(settings, nats, target);
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to NATS at " + target + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS at " + target, e);
        }
    }

    /** The server URL(s) without passwords or tokens. */
    static String redact(String url) {
        return url.replaceAll("(?<=://)[^@/,]*@", "***@");
    }

    public Settings settings() {
        return settings;
    }

    /** The NATS server(s), without credentials, for messages. */
    public String target() {
        return target;
    }

    /** Why the broker cannot be used right now; empty while connected. */
    public Optional<String> problem() {
        Connection.Status status = nats.getStatus();
        return status == Connection.Status.CONNECTED ? Optional.empty()
                : Optional.of("NATS at " + target + " is " + status.name().toLowerCase(java.util.Locale.ROOT) + " (reconnecting)");
    }

    /**
     * An edge node's change source: the stream read in order from where the feed asks, positions
     * in {@code epoch} (the database's change log, which the stream must belong to).
     */
    public ChangeSource source(String epoch) {
        return new StreamSource(this, epoch);
    }

    /**
     * A capture node's publisher: publishes every change {@code source} reads, in order, while
     * {@code lease} says this node is the database's active capture; stands by otherwise.
     */
    public Relay relay(ChangeSource source, BooleanSupplier lease, Clock clock) {
        return new Relay(this, source, lease, clock);
    }

    JetStream jetStream() {
        return js;
    }

    /** Creates the stream, or brings its age and size limits to the settings. Capture nodes only: edges wait for it. */
    void ensureStream() throws IOException, JetStreamApiException {
        StreamConfiguration config = StreamConfiguration.builder()
                .name(settings.stream())
                .subjects(settings.subject())
                .storageType(StorageType.File)
                .retentionPolicy(RetentionPolicy.Limits)
                .discardPolicy(DiscardPolicy.Old)
                .maxAge(settings.retention())
                .maxBytes(settings.maxBytes())
                .duplicateWindow(DUPLICATE_WINDOW)
                .description("Switchboard change stream: one message per committed row change, message id = position")
                .build();
        Optional<StreamInfo> existing = streamInfo();
        if (existing.isEmpty()) {
            jsm.addStream(config);
            LOG.info("created JetStream stream {} on {} (retention {}, at most {} bytes)", settings.stream(), target,
                    settings.retention(), settings.maxBytes());
        } else {
            StreamConfiguration c = existing.get().getConfiguration();
            if (!c.getMaxAge().equals(settings.retention()) || c.getMaxBytes() != settings.maxBytes()) {
                // only the limits: replicas and placement are the operator's
                jsm.updateStream(StreamConfiguration.builder(c).maxAge(settings.retention()).maxBytes(settings.maxBytes()).build());
                LOG.info("updated JetStream stream {}: retention {}, at most {} bytes", settings.stream(), settings.retention(),
                        settings.maxBytes());
            }
        }
    }

    /** The stream's description and state; empty when it does not exist (yet). */
    Optional<StreamInfo> streamInfo() throws IOException, JetStreamApiException {
        try {
            return Optional.of(jsm.getStreamInfo(settings.stream()));
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NO_STREAM) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The position of the message at stream sequence {@code seq}; empty when no such message is held. */
    Optional<Position> positionAt(long seq) throws IOException, JetStreamApiException {
        return header(seq, "Nats-Msg-Id");
    }

    /**
     * The position of the change published just before the message at {@code seq}, as the relay
     * expected it (its expected last message id); empty when not recorded (the first message
     * after the relay synced) or no such message is held.
     */
    Optional<Position> previousPositionAt(long seq) throws IOException, JetStreamApiException {
        return header(seq, "Nats-Expected-Last-Msg-Id");
    }

    private Optional<Position> header(long seq, String name) throws IOException, JetStreamApiException {
        try {
            MessageInfo m = jsm.getMessage(settings.stream(), seq);
            String id = m.getHeaders() == null ? null : m.getHeaders().getFirst(name);
            return Optional.ofNullable(id).flatMap(Position::parse);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NO_MESSAGE || e.getApiErrorCode() == NO_STREAM) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * The stream sequence of the first message whose position is after {@code after} (the last
     * sequence + 1 when none is yet): a binary search over the held messages, whose positions
     * grow with their sequence. Messages dropped by retention meanwhile move the search up.
     */
    long firstSeqAfter(Position after) throws IOException, JetStreamApiException {
        for (int attempt = 0; ; attempt++) {
            Optional<StreamInfo> info = streamInfo();
            if (info.isEmpty()) {
                return 1;
            }
            StreamState state = info.get().getStreamState();
            long lo = state.getFirstSequence();
            long hi = state.getLastSequence() + 1; // answer in [lo, hi]
            if (state.getMsgCount() == 0) {
                return hi;
            }
            boolean moved = false;
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                Optional<Position> p = positionAt(mid);
                if (p.isEmpty()) {
                    moved = true; // dropped by retention while searching
                    break;
                }
                if (!p.get().sameEpoch(after)) {
                    throw new IllegalStateException(epochMismatch(p.get(), after.epoch()));
                }
                if (p.get().compareTo(after) > 0) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            if (!moved || attempt >= 5) {
                return lo;
            }
        }
    }

    String epochMismatch(Position found, String epoch) {
        return "the JetStream stream " + settings.stream() + " holds changes of another change log (" + found.epoch()
                + ") than this database's (" + epoch + "): another database publishes to it, or the database was restored "
                + "or replaced. Give each database its own --broker-stream, or delete the stream (nats stream rm "
                + settings.stream() + ") and start the capture node again";
    }

    /** An ordered consumer of the stream from sequence {@code seq} on, pulling batches of {@code batch}. */
    IterableConsumer orderedFrom(long seq, int batch) throws IOException, JetStreamApiException {
        OrderedConsumerConfiguration config = new OrderedConsumerConfiguration()
                .filterSubject(settings.subject())
                .deliverPolicy(DeliverPolicy.ByStartSequence)
                .startSequence(Math.max(1, seq));
        return nats.getStreamContext(settings.stream()).createOrderedConsumer(config)
                .iterate(ConsumeOptions.builder().batchSize(batch).expiresIn(2_000).build());
    }

    @Override
    public void close() {
        try {
            nats.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Logs connection state changes once each, instead of jnats' default of a line per failed attempt. */
    private record StateLog(String target) implements ConnectionListener {
        @Override
        public void connectionEvent(Connection conn, Events type) {
            switch (type) {
                case DISCONNECTED -> LOG.warn("lost the connection to NATS at {}; reconnecting", target);
                case RECONNECTED -> LOG.info("reconnected to NATS at {}", target);
                default -> LOG.debug("NATS connection: {}", type);
            }
        }
    }

    private static final class QuietErrors implements ErrorListener {
        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.debug("NATS connection: {}", exp.toString());
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            LOG.warn("NATS server reported: {}", error);
        }
    }
}
