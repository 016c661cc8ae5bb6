package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.keys.ApiKeys;
import dev.switchboard.pg.PgDatabase;
import dev.switchboard.store.Store;
import dev.switchboard.store.sqlite.SqliteStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, finding 14: API keys for server-to-server writers, issued and revoked by an admin. */
class ApiKeysTest {
    @TempDir
    Path dir;

    @Test
    void adminIssuesAWriterKey_itWritesItsTenantOnly_untilRevoked_andOnlyItsHashIsStored() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String admin = "Bearer " + AuthTest.token("*", "ops", null, "admin", Instant.now().plus(Duration.ofHours(1)));
            String viewer = "Bearer " + AuthTest.token("a", "u", null, "writer", Instant.now().plus(Duration.ofHours(1)));
            assertThat(server.post("/api/keys/a", "{\"role\":\"writer\",\"name\":\"webhooks\"}", "Authorization", viewer).statusCode())
                    .as("only an admin issues keys").isEqualTo(403);
            var issued = server.post("/api/keys/a", "{\"role\":\"writer\",\"name\":\"webhooks\"}", "Authorization", admin);
            assertThat(issued.statusCode()).isEqualTo(201);
            String key = TestServer.json(issued).path("key").asString();
            String id = TestServer.json(issued).path("id").asString();
            assertThat(key).startsWith("sbk_" + id + "_");

            String call = SseWireTest.call("k1", "active", null, 0);
            assertThat(server.post("/api/ingest/a/call_logs", call, "Authorization", "Bearer " + key).statusCode()).isEqualTo(200);
            assertThat(server.post("/api/ingest/b/call_logs", call.replace("k1", "k2"), "Authorization", "Bearer " + key).statusCode())
                    .isEqualTo(403);
            assertThat(server.post("/api/ingest/a/call_logs", call, "Authorization", "Bearer " + key.substring(0, key.length() - 2) + "xx")
                    .statusCode()).as("a wrong secret").isEqualTo(401);

            var listed = server.get("/api/keys/a", "Authorization", admin);
            assertThat(listed.statusCode()).isEqualTo(200);
            assertThat(listed.body()).contains(id).contains("webhooks").doesNotContain(key.substring(17)).doesNotContain("sha256");
            byte[] db = Files.readAllBytes(server.db());
            assertThat(new String(db, StandardCharsets.ISO_8859_1)).doesNotContain(key.substring(17));

            var revoke = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/keys/a/" + id)).header("Authorization", admin)
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(revoke.statusCode()).isEqualTo(200);
            assertThat(server.post("/api/ingest/a/call_logs", call, "Authorization", "Bearer " + key).statusCode()).isEqualTo(401);
            assertThat(server.get("/api/keys/a", "Authorization", admin).body()).contains("\"revoked\":true");
        }
    }

    @Test
    void keys_workOnBothStores() throws Exception {
        try (Store sqlite = SqliteStore.open(dir.resolve("k.db"))) {
            sqlite.migrate(List.of());
            roundTrip(sqlite);
        }
        try (PgDatabase db = PgDatabase.create("keys"); Store pg = StoreFactory.postgres(db.url, "keys")) {
            pg.migrate(List.of());
            roundTrip(pg);
        }
    }

    static void roundTrip(Store store) {
        ApiKeys keys = new ApiKeys(store, Clock.systemUTC());
        ApiKeys.Issued k = keys.issue("t", "viewer", "dashboard-backend");
        var who = keys.authenticate(k.key());
        assertThat(who).hasValueSatisfying(p -> {
            assertThat(p.allows("t")).isTrue();
            assertThat(p.allows("u")).isFalse();
            assertThat(p.write()).isFalse();
        });
        assertThat(keys.list("t")).hasSize(1);
        assertThat(keys.revoke("t", k.id())).isTrue();
        assertThat(keys.revoke("t", k.id())).isFalse();
        assertThat(keys.authenticate(k.key())).isEmpty();
    }
}
