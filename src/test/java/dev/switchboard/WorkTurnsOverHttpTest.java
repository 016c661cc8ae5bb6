package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.limits.Limits;
import dev.switchboard.turns.Turns;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, the honest clients' tail: parsing and checking ingested rows is the CPU-heavy part of
 * requests, and a flood of large batches had as many threads doing it as requests arrived, so
 * delivery waited for a core. It now runs in a turn at the node's work turns: a request waits
 * while every turn is taken (by another tenant's work, here held by the test), runs once one is
 * free, and is refused with 503 after {@code Api.WORK_WAIT}, having written nothing. A light body
 * ({@code Api.LIGHT_BODY}, a one-row write) needs no turn: it is written while every turn is held.
 */
class WorkTurnsOverHttpTest {
    @TempDir
    Path dir;
    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String writer(String tenant) throws Exception {
        return "Bearer " + AuthTest.token(tenant, "w", null, "writer", Instant.now().plus(Duration.ofHours(1)));
    }

    /** A batch whose body is larger than {@code Api.LIGHT_BODY}: its parsing takes a work turn. */
    private static String batch(String prefix) {
        java.util.StringJoiner rows = new java.util.StringJoiner(",", "[", "]");
        for (int i = 0; rows.length() <= 2 * (16 << 10); i++) {
            rows.add(SseWireTest.call(prefix + "-" + i, "active", null, 0));
        }
        return rows.toString();
    }

    @Test
    void ingest_waitsForAWorkTurn_runsWhenOneIsFree_andIsRefusedWithNothingWrittenWhenNoneComes() throws Exception {
        server = new TestServer(dir, false, Optional.of(AuthTest.SECRET), Limits.DEFAULTS);
        Turns work = server.sb.workTurns();
        assertThat(work.permits()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        for (int i = 0; i < work.permits(); i++) {
            work.acquire("noisy"); // another tenant's batches hold every turn
        }
        String quiet = writer("quiet");
        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return server.post("/api/ingest/quiet/call_logs", batch("q1"), "Authorization", quiet);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, task -> Thread.ofPlatform().daemon().start(task));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> work.waiting() == 1);
        assertThat(waiting).isNotDone();
        work.release("noisy");
        assertThat(waiting.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> work.held() == work.permits() - 1);

        work.acquire("noisy"); // every turn taken again, for longer than a request waits
        try {
            var light = server.post("/api/ingest/quiet/call_logs", SseWireTest.call("one", "active", null, 0), "Authorization", quiet);
            assertThat(light.statusCode()).isEqualTo(200); // a one-row write does not wait for a turn
            var refused = server.post("/api/ingest/quiet/call_logs", batch("q2"), "Authorization", quiet);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).contains("2");
            assertThat(TestServer.json(refused).path("error").asString()).contains("busy").contains("nothing was done").contains("retry");
            assertThat(work.waiting()).isZero();
        } finally {
            for (int i = 0; i < work.permits(); i++) {
                work.release("noisy");
            }
        }
        assertThat(ChromiumPage.sqlite3(server.db(), "SELECT count(*) FROM call_logs WHERE user_id = 'quiet' AND id LIKE 'q1-%';").trim())
                .isEqualTo(String.valueOf(batch("q1").split("\\{").length - 1));
        assertThat(ChromiumPage.sqlite3(server.db(), "SELECT count(*) FROM call_logs WHERE user_id = 'quiet' AND id NOT LIKE 'q1-%';").trim())
                .isEqualTo("1"); // "one"; nothing of the refused q2 batch

    }
}
