package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.limits.Limits;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 2: clients resuming from an old position on a tenant with many changes, and
 * then not reading, must not hold the tenant's history in memory nor stop capture for everyone.
 * A backfill is read a page at a time, the next page only when the client took the last one.
 */
class ResumeFromFarBackTest {
    static final int CHANGES = 20_000;
    static final int STREAMS = 40;
    @TempDir
    Path dir;

    @Test
    void manyNonReadingStreams_resumingFromFarBack_holdAPageEach_andCaptureGoesOnForOtherTenants() throws Exception {
        Limits limits = Limits.fromEnvironment(Map.of("SWITCHBOARD_STREAMS_PER_IP", "1000", "SWITCHBOARD_STREAMS_PER_TENANT", "1000"));
        try (TestServer server = new TestServer(dir, true, Optional.empty(), limits)) {
            String from = TestServer.json(server.get("/api/health")).path("position").asString();
            bulkInsert(server, "t1", CHANGES);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                    seq(TestServer.json(server.get("/api/health")).path("position").asString()) >= seq(from) + CHANGES);
            long before = usedHeapAfterGc();
            List<Socket> stuck = new ArrayList<>();
            try {
                for (int i = 0; i < STREAMS; i++) {
                    stuck.add(openWithoutReading(server.sb.port(), "/api/events/t1?datasets=call_logs", from));
                }
                // every one got its first page (and, not reading, no more)
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> TestServer.json(server.get("/api/health")).path("backfills").asLong() >= STREAMS);
                // capture and delivery go on for another tenant, and its requests are answered
                try (SseClient other = new SseClient(server.sb.port(), "/api/events/t2?datasets=call_logs", null)) {
                    assertThat(server.post("/api/ingest/t2/call_logs", "{\"id\":\"x1\",\"status\":\"active\",\"started_at\":\""
                            + Instant.now() + "\"}").statusCode()).isEqualTo(200);
                    assertThat(other.await(e -> e.type().equals("change"), Duration.ofSeconds(15)).data().path("key").asString()).isEqualTo("x1");
                }
                assertThat(server.get("/api/dashboards/calls/t2").statusCode()).isEqualTo(200);
                long held = usedHeapAfterGc() - before;
                System.out.println("heap held by " + STREAMS + " non-reading resumed streams: " + (held >> 20) + " MB");
                // the whole history would be 40 x 20,000 events of about 1.5 KB (over 1 GB); a page each is a few MB
                assertThat(held).as("heap held by %d non-reading resumed streams: %d MB", STREAMS, held >> 20).isLessThan(150L << 20);
                assertThat(TestServer.json(server.get("/api/health")).path("backfills").asLong()).isLessThan(2L * STREAMS);
            } finally {
                for (Socket s : stuck) {
                    s.close();
                }
            }
        }
    }

    /** Writes {@code n} calls of {@code tenant} in one transaction, as another process would (capture picks them up). */
    static void bulkInsert(TestServer server, String tenant, int n) throws Exception {
        String note = "x".repeat(1000);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.db())) {
            try (var st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO call_logs (id, user_id, status, started_at, metadata) VALUES (?, ?, 'ended', ?, ?)")) {
                for (int i = 0; i < n; i++) {
                    ps.setString(1, tenant + "-bulk-" + i);
                    ps.setString(2, tenant);
                    ps.setString(3, "2026-11-23T12:00:00.000Z");
                    ps.setString(4, "{\"note\":\"" + note + "\",\"i\":" + i + "}");
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    /** An SSE request resuming from {@code lastEventId} whose response is never read (a tiny receive buffer). */
    static Socket openWithoutReading(int port, String path, String lastEventId) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nLast-Event-ID: "
                + lastEventId + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    static long seq(String position) {
        return Long.parseLong(position.substring(position.lastIndexOf('-') + 1));
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
