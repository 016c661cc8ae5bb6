package dev.switchboard.store.postgres;

import dev.switchboard.dataset.Dataset;
import java.nio.ByteBuffer;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The capture thread: streams a live copy of this node's slot with pgoutput, decodes whole
 * transactions into the window, evicts what is past retention, and reconnects with backoff when
 * the stream or the server goes away. A second thread, the slot keeper, persists the floor and
 * advances the durable slot behind it: {@code pg_replication_slot_advance} decodes the WAL it
 * skips and takes tens of milliseconds under load, which on the capture thread stalled every
 * change behind it.
 *
 * <p>Why a copy: the durable slot must stay behind the retention horizon so a restarted node can
 * replay it, but a walsender whose client has not confirmed everything it was sent holds up a
 * server shutdown until wal_sender_timeout. So each stream runs on a temporary copy of the
 * durable slot ({@code pg_copy_logical_replication_slot}), confirmed eagerly and gone with its
 * connection, while the durable slot is moved with {@code pg_replication_slot_advance}.
 *
 * <p>Each stream uses a fresh replication connection (pgjdbc delivers nothing on a second
 * START_REPLICATION over one connection) and a fresh decoder (pgoutput announces relations per
 * stream). A transaction cut off by a disconnect is dropped; the next copy replays it, since the
 * durable slot never moves past a transaction the window holds, and the window ignores
 * transactions it already has.
 */
final class CaptureLoop implements Runnable {
    private static final System.Logger LOG = System.getLogger(CaptureLoop.class.getName());
    private static final long IDLE_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
    private static final Duration MAINTAIN_EVERY = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Readers are woken after this many quietly appended changes at most... */
    static final int SIGNAL_CHANGES = 512;
    /** ...or this long after the first of them, whichever comes first (or when the stream pauses). */
    static final long SIGNAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The live copy is confirmed at most this often while changes flow. */
    static final long CONFIRM_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A window held for a broker pauses decoding at this many times its usual size. */
    private static final int HELD_FACTOR = 4;

    private final String url;
    /** Connection properties besides the URL's (the password, kept out of the URL). */
    private final Properties credentials;
    private final SlotKeeper keeper;
    private final ChangeWindow window;
    private final Epoch epoch;
    private final Map<String, Dataset> datasets;
    private final CaptureSettings settings;
    private final Clock clock;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread thread;
    private final Thread keeperThread;
    /** Held by the slot keeper's rounds and by slot recreation, which both move the slot and the stored floor. */
    private final ReentrantLock slotLock = new ReentrantLock();
    private volatile boolean streaming;
    /** Set by the slot keeper when the durable slot is gone; the capture thread then reconnects. */
    private volatile boolean slotGone;
    /** The LSN up to which the durable slot may be advanced; written by the capture thread. */
    private volatile long retainable;
    private long retained;
    private long liveConfirmed;
    private Instant lastMaintain = Instant.EPOCH;
    private Instant lastHeartbeat = Instant.EPOCH;
    private Instant lastStatus = Instant.EPOCH;
    private boolean pausedLogged;
    private int unsignalled;
    private long firstUnsignalled;
    private long lastConfirmNanos;

    CaptureLoop(String url, Properties credentials, SlotKeeper keeper, ChangeWindow window, Epoch epoch, Map<String, Dataset> datasets,
                CaptureSettings settings, Clock clock) {
        this.url = url;
        this.credentials = credentials;
        this.keeper = keeper;
        this.window = window;
        this.epoch = epoch;
        this.datasets = Map.copyOf(datasets);
        this.settings = settings;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("switchboard-capture-" + keeper.slot()).daemon().unstarted(this);
        this.keeperThread = Thread.ofPlatform().name("switchboard-slotkeeper-" + keeper.slot()).daemon().unstarted(this::keep);
    }

    void start() {
        thread.start();
        keeperThread.start();
    }

    /** True while a replication stream is open; false while reconnecting. */
    boolean streaming() {
        return streaming;
    }

    @Override
    public void run() {
        Duration backoff = Duration.ofMillis(100);
        while (closing.getCount() > 0) {
            try {
                stream();
            } catch (Exception e) {
                streaming = false;
                if (closing.getCount() == 0) {
                    break;
                }
                LOG.log(System.Logger.Level.WARNING, "capture stream of slot {0} failed, reconnecting in {1} ms: {2}",
                        keeper.slot(), backoff.toMillis(), e.toString());
                recreateLostSlot();
                try {
                    if (closing.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException ie) {
                    break;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                continue;
            }
            backoff = Duration.ofMillis(100);
        }
        streaming = false;
    }

    /**
     * When the durable slot is gone (dropped as stale during a long absence, or invalidated by
     * max_slot_wal_keep_size), recreates it; the window restarts at the new slot's start, since
     * the changes in between can no longer be decoded.
     */
    private void recreateLostSlot() {
        slotLock.lock();
        try {
            if (!keeper.usable()) {
                long floor = keeper.prepare();
                window.restartAt(floor);
                retained = 0;
                retainable = 0;
                LOG.log(System.Logger.Level.WARNING, "replication slot {0} was lost and has been recreated; "
                        + "positions before {1} can no longer be resumed", keeper.slot(), window.floor());
            }
            slotGone = false;
        } catch (SQLException e) {
            // the server is away; the next attempt checks again
        } finally {
            slotLock.unlock();
        }
    }

    private void stream() throws SQLException {
        signal(); // what the previous stream appended quietly before it broke
        try (var conn = DriverManager.getConnection(url, replicationProperties(credentials))) {
            PGConnection pg = conn.unwrap(PGConnection.class);
            String live = keeper.slot() + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong(0x100000, 0xFFFFFF));
            try (var st = conn.createStatement()) {
                // temporary: owned by this connection, dropped by the server when it ends
                st.execute("SELECT pg_copy_logical_replication_slot('" + keeper.slot() + "', '" + live + "', true)");
            }
            long from = window.resumeLsn();
            liveConfirmed = 0;
            try (PGReplicationStream stream = pg.getReplicationAPI().replicationStream().logical()
                    .withSlotName(live)
                    .withStartPosition(from == 0 ? LogSequenceNumber.INVALID_LSN : LogSequenceNumber.valueOf(from))
                    .withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", SlotKeeper.PUBLICATION)
                    // pgjdbc reads a closed socket as "nothing pending"; only a write notices the server
                    // is gone, so a frequent status update is what bounds failure detection (~2 s)
                    .withStatusInterval(1, TimeUnit.SECONDS)
                    .start()) {
                streaming = true;
                LOG.log(System.Logger.Level.INFO, "capture streaming slot {0} from {1}", keeper.slot(), Positions.lsn(from));
                pump(stream, new PgoutputDecoder(epoch, datasets));
            }
        }
    }

    private void pump(PGReplicationStream stream, PgoutputDecoder decoder) throws SQLException {
        while (closing.getCount() > 0) {
            if (window.size() > settings.maxChanges() * HELD_FACTOR && window.held() && !decoder.inTransaction()) {
                // the broker has not acknowledged, or this node's feed has not read, what the window
                // holds: decode no further (the slot keeps the WAL) rather than let memory grow
                // while the broker is away or the feed works through a burst
                signal();
                awaitAcknowledgement(stream);
                continue;
            }
            ByteBuffer msg = stream.readPending();
            if (msg == null) {
                signal();
                if (!decoder.inTransaction() && window.isEmpty()) {
                    // nothing retained and nothing half-read: all WAL the server sent so far is done with
                    retainable = Math.max(retainable, stream.getLastReceiveLSN().asLong());
                }
                confirmLive(stream);
                maintain();
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            Optional<Txn> done = decoder.decode(msg);
            if (done.isPresent()) {
                appended(done.get());
                maintain();
            }
        }
    }

    /**
     * Appends a decoded transaction without waking readers, and wakes them once per burst: when
     * the stream has nothing more pending, or after {@link #SIGNAL_CHANGES} changes or
     * {@link #SIGNAL_NANOS} since the first unsignalled one. Under many small concurrent
     * transactions this hands the feed one batch per burst instead of one wake-up per commit.
     */
    private void appended(Txn txn) {
        if (!window.append(txn, false)) {
            return;
        }
        if (unsignalled == 0) {
            firstUnsignalled = System.nanoTime();
        }
        unsignalled += txn.changes().size();
        if (unsignalled >= SIGNAL_CHANGES || System.nanoTime() - firstUnsignalled >= SIGNAL_NANOS) {
            signal();
        }
    }

    private void signal() {
        if (unsignalled > 0) {
            unsignalled = 0;
            window.wake();
        }
    }

    /** Waits a moment for the broker while keeping the stream alive (a status update every second, as pgjdbc would send). */
    private void awaitAcknowledgement(PGReplicationStream stream) throws SQLException {
        if (!pausedLogged) {
            pausedLogged = true;
            LOG.log(System.Logger.Level.WARNING, "capture of slot {0} paused: {1} decoded changes wait for the change feed to read them or the broker to acknowledge them",
                    keeper.slot(), window.size());
        }
        maintain();
        Instant now = clock.instant();
        if (Duration.between(lastStatus, now).compareTo(Duration.ofSeconds(1)) >= 0) {
            stream.forceUpdateStatus();
            lastStatus = now;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        if (window.size() <= settings.maxChanges() * HELD_FACTOR) {
            pausedLogged = false;
        }
    }

    /**
     * Confirms everything received on the live copy, so a shutting-down server is not kept waiting
     * for us; at most every {@link #CONFIRM_EVERY_NANOS} while changes flow: under many small
     * transactions the stream goes idle between nearly every commit, and a status message each
     * time cost a write here and a wake-up of the walsender per commit.
     */
    private void confirmLive(PGReplicationStream stream) throws SQLException {
        long received = stream.getLastReceiveLSN().asLong();
        long now = System.nanoTime();
        if (received > liveConfirmed && now - lastConfirmNanos >= CONFIRM_EVERY_NANOS) {
            lastConfirmNanos = now;
            LogSequenceNumber lsn = LogSequenceNumber.valueOf(received);
            stream.setFlushedLSN(lsn);
            stream.setAppliedLSN(lsn);
            stream.forceUpdateStatus();
            liveConfirmed = received;
        }
    }

    /** Evicts past retention (in memory, cheap); the slot keeper moves the durable slot behind it. */
    private void maintain() throws SQLException {
        if (slotGone) {
            // The stream runs on a copy, so losing the durable slot does not end it by itself;
            // end it here so the reconnect recreates the slot and moves the floor.
            throw new SQLException("durable replication slot " + keeper.slot() + " is gone");
        }
        Instant now = clock.instant();
        if (Duration.between(lastMaintain, now).compareTo(MAINTAIN_EVERY) < 0) {
            return;
        }
        lastMaintain = now;
        Txn dropped = window.evict(now, settings.retention(), settings.maxChanges(), window.keepAfter());
        if (dropped != null) {
            retainable = Math.max(retainable, dropped.endLsn());
        }
    }

    /** The slot keeper's loop: a round every {@link #MAINTAIN_EVERY} until closed. */
    private void keep() {
        try {
            while (!closing.await(MAINTAIN_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
                lockedRound("slot keeper round");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** On shutdown: leaves the stored floor and the durable slot where the window ended. */
    private void finalRound() {
        lockedRound("final slot keeper round");
    }

    /** One round under the slot lock; a failure (the server is away) waits for the next round. */
    private void lockedRound(String what) {
        slotLock.lock();
        try {
            keepRound();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0} failed: {1}", what, e.toString());
        } finally {
            slotLock.unlock();
        }
    }

    /**
     * Persists the floor, then advances the durable slot behind it. {@code retainable} is read
     * before the floor: the capture thread raises the floor before it publishes the LSN that
     * floor allows, so the stored floor always covers what the slot no longer holds.
     */
    private void keepRound() throws SQLException {
        long target = retainable;
        long floor = window.floor();
        Instant now = clock.instant();
        boolean heartbeatDue = Duration.between(lastHeartbeat, now).compareTo(settings.heartbeat()) >= 0;
        if (target > retained || heartbeatDue) {
            keeper.heartbeat(floor);
            if (heartbeatDue) {
                lastHeartbeat = now;
                keeper.dropStaleSlots();
                if (!keeper.usable()) {
                    slotGone = true;
                    return;
                }
            }
        }
        if (target > retained) {
            keeper.advance(target);
            retained = target;
        }
    }

    private static Properties replicationProperties(Properties credentials) {
        Properties p = new Properties();
        p.putAll(credentials);
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        PGProperty.CONNECT_TIMEOUT.set(p, 10);
        PGProperty.APPLICATION_NAME.set(p, "switchboard-capture");
        return p;
    }

    /** Stops the thread and closes its stream; waits for it to end. */
    void close() {
        boolean reachable = streaming; // no final round against a server that is away: it would wait out the pool's timeout
        closing.countDown();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            keeperThread.join(TimeUnit.SECONDS.toMillis(10));
            if (reachable) {
                finalRound();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
