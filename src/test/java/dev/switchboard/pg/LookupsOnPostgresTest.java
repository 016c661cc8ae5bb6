package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import dev.switchboard.live.Equality;
import dev.switchboard.live.LiveEngine;
import dev.switchboard.live.ViewKey;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live lookups on PostgreSQL: tables labelled through a lookup (campaign.name, product.name) equal
 * the engine's SQL (correlated lookups, grouped by tenant and key) as dimension rows are renamed,
 * deleted and restored; the label reaches the REST snapshot.
 */
class LookupsOnPostgresTest {
    @TempDir
    Path dir;

    private static void post(Switchboard sb, String path, String json) throws Exception {
        HttpResponse<String> r = Nodes.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sb.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static void delete(Switchboard sb, String path) throws Exception {
        HttpResponse<String> r = Nodes.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sb.port() + path)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static void assertLiveEqualsSql(Switchboard sb, ViewKey key, String widget, String expected) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            LiveEngine.State state = sb.engine().state(key);
            Map<String, Object> sql = sb.engine().sqlValues(key, System.currentTimeMillis());
            for (String w : state.widgets().keySet()) {
                assertThat(Equality.sameValues(state.widgets().get(w), sql.get(w))).as(w + ": live " + state.widgets().get(w) + " sql " + sql.get(w)).isTrue();
            }
            assertThat(String.valueOf(state.widgets().get(widget))).contains(expected);
        });
    }

    @Test
    void labelledTables_followRenamesAndDeletes_andEqualSql() throws Exception {
        try (PgDatabase db = PgDatabase.create("lookups"); Switchboard sb = Nodes.inProcess(db, "node1", dir)) {
            String now = Instant.now().toString();
            post(sb, "/api/ingest/t1/campaigns", "[{\"id\":\"c1\",\"name\":\"Spring promo\",\"status\":\"running\",\"created_at\":\"" + now + "\"},"
                    + "{\"id\":\"c2\",\"name\":\"Renewals\",\"status\":\"running\",\"created_at\":\"" + now + "\"}]");
            // another tenant's campaign with the same key never labels t1's rows
            post(sb, "/api/ingest/t2/campaigns", "{\"id\":\"c9\",\"name\":\"Other tenant\",\"status\":\"running\",\"created_at\":\"" + now + "\"}");
            StringBuilder attempts = new StringBuilder("[");
            for (int i = 0; i < 6; i++) {
                attempts.append(i == 0 ? "" : ",").append("{\"id\":\"a").append(i).append("\",\"campaign_id\":\"").append(i % 3 == 0 ? "c9" : i % 2 == 0 ? "c1" : "c2")
                        .append("\",\"status\":\"ended\",\"outcome\":\"answered\",\"started_at\":\"").append(now).append("\"}");
            }
            post(sb, "/api/ingest/t1/call_attempts", attempts.append("]").toString());
            ViewKey key = ViewKey.of("campaigns", "t1");
            assertLiveEqualsSql(sb, key, "campaign_performance", "campaign.name=Spring promo");
            post(sb, "/api/ingest/t1/campaigns", "{\"id\":\"c1\",\"name\":\"Summer promo\"}");
            assertLiveEqualsSql(sb, key, "campaign_performance", "campaign.name=Summer promo");
            delete(sb, "/api/ingest/t1/campaigns/c2");
            assertLiveEqualsSql(sb, key, "campaign_performance", "campaign.name=null");
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(String.valueOf(sb.engine().state(key).widgets().get("campaign_performance"))).doesNotContain("Renewals"));
            post(sb, "/api/ingest/t1/campaigns", "{\"id\":\"c2\",\"name\":\"Renewals again\",\"status\":\"paused\",\"created_at\":\"" + now + "\"}");
            assertLiveEqualsSql(sb, key, "campaign_performance", "campaign.name=Renewals again");
            String rest = Nodes.get(sb.port(), "/api/dashboards/campaigns/t1").body();
            assertThat(rest).contains("\"campaign.name\":\"Summer promo\"").doesNotContain("Other tenant");

            post(sb, "/api/ingest/s1/products", "{\"id\":\"p1\",\"name\":\"Screen kit\",\"created_at\":\"" + now + "\"}");
            post(sb, "/api/ingest/s1/orders", "{\"id\":\"o1\",\"status\":\"paid\",\"total\":10,\"created_at\":\"" + now + "\"}");
            post(sb, "/api/ingest/s1/order_items", "{\"id\":\"i1\",\"order_id\":\"o1\",\"product_id\":\"p1\",\"quantity\":2,\"created_at\":\"" + now + "\"}");
            assertLiveEqualsSql(sb, ViewKey.of("shop", "s1"), "top_products", "product.name=Screen kit");
        }
    }
}
