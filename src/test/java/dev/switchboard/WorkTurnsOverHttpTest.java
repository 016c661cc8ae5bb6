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
 * free, and is refused with 503 after {@code Api.WORK_WAIT}, having written nothing.
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
                return server.post("/api/ingest/quiet/call_logs", SseWireTest.call("q1", "active", null, 0), "Authorization", quiet);
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
            var refused = server.post("/api/ingest/quiet/call_logs", SseWireTest.call("q2", "active", null, 0), "Authorization", quiet);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).contains("2");
            assertThat(TestServer.json(refused).path("error").asString()).contains("busy").contains("nothing was done").contains("retry");
            assertThat(work.waiting()).isZero();
        } finally {
            for (int i = 0; i < work.permits(); i++) {
                work.release("noisy");
            }
        }
        assertThat(ChromiumPage.sqlite3(server.db(), "SELECT group_concat(id) FROM call_logs WHERE user_id = 'quiet';").trim())
                .isEqualTo("q1");
    }
}
