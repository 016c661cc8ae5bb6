package dev.switchboard;

import static dev.switchboard.WsClient.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Seed 003 (repair-shop admin dashboard, seeds/003_e4ce681834dda1b2.txt) against a real server: its
 * data flow (l.41-47: initial load by HTTP GET of /api/admin/dashboard, then the WebSocket), the
 * four live metrics (l.51-55) equal to the native snapshot and to SQL with the definitions the
 * shop dashboard states, the activity feed of six event types (l.61-68) from any writer,
 * "Testing Multiple Instances" (l.93-99) with two WebSocket dashboards, connection tracking
 * (l.128-136) in /metrics and the admin dashboard, and the errors wrong roles and bad parameters get.
 */
class Seed003RepairShopTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String SHOP = "fixit";
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
    @TempDir
    Path dir;

    static String at(int minute) {
        return TIME.format(T0.plus(Duration.ofMinutes(minute)));
    }

    static String ticket(String id, String status, int created, int updated, int views) {
        return "{\"id\":\"" + id + "\",\"ticket_number\":\"T-" + id + "\",\"device_type\":\"phone\",\"issue\":\"Cracked screen\",\"status\":\"" + status
                + "\",\"customer_views\":" + views + ",\"created_at\":\"" + at(created) + "\",\"updated_at\":\"" + at(updated) + "\"}";
    }

    static String order(String id, String status, double total, int created) {
        return "{\"id\":\"" + id + "\",\"order_number\":\"O-" + id + "\",\"status\":\"" + status + "\",\"total\":" + total
                + ",\"currency\":\"USD\",\"created_at\":\"" + at(created) + "\",\"updated_at\":\"" + at(created) + "\"}";
    }

    static String item(String id, String order, int quantity, int created) {
        return "{\"id\":\"" + id + "\",\"order_id\":\"" + order + "\",\"product_id\":\"p1\",\"quantity\":" + quantity + ",\"unit_price\":10,\"created_at\":\""
                + at(created) + "\"}";
    }

    static String product(String id, String name, double price, int stock, int created, int updated) {
        return "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"price\":" + price + ",\"stock_quantity\":" + stock + ",\"active\":true,\"created_at\":\""
                + at(created) + "\",\"updated_at\":\"" + at(updated) + "\"}";
    }

    static String customer(String id, String name, int created) {
        return "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"created_at\":\"" + at(created) + "\",\"updated_at\":\"" + at(created) + "\"}";
    }

    static void write(TestServer server, String token, String dataset, String... rows) throws Exception {
        String[] auth = token == null ? new String[0] : new String[] {"Authorization", "Bearer " + token};
        var r = server.post("/api/ingest/" + SHOP + "/" + dataset, "[" + String.join(",", rows) + "]", auth);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static double sql(TestServer server, String query) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + server.db()); var rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    static String admin() throws Exception {
        return AuthTest.token(SHOP, "owner", null, "admin", Instant.now().plusSeconds(3600));
    }

    /** Orders of every status with items: revenue and products sold count the paid and fulfilled ones. */
    static void seed(TestServer server, String token) throws Exception {
        write(server, token, "products", product("p1", "Phone case", 19.99, 20, 0, 0));
        write(server, token, "tickets", ticket("t1", "open", 1, 1, 0), ticket("t2", "in_repair", 2, 2, 0), ticket("t3", "ready_for_pickup", 3, 3, 0),
                ticket("t4", "completed", -30 * 60, -29 * 60, 2));
        write(server, token, "orders", order("o1", "paid", 100, 4), order("o2", "pending", 50, 5), order("o3", "refunded", 70, 6),
                order("o4", "fulfilled", 30, 7), order("o5", "cancelled", 10, 8));
        write(server, token, "order_items", item("i1", "o1", 2, 4), item("i2", "o1", 1, 4), item("i3", "o2", 3, 5), item("i4", "o3", 4, 6),
                item("i5", "o4", 1, 7), item("i6", "o5", 5, 8));
    }

    static final String REVENUE = "SELECT COALESCE(sum(total), 0) FROM orders WHERE shop_id='fixit' AND status IN ('paid','fulfilled')";
    static final String SOLD = "SELECT COALESCE(sum(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id AND o.shop_id = i.shop_id "
            + "WHERE i.shop_id='fixit' AND o.status IN ('paid','fulfilled')";

    private static void assertMetricsEqualSnapshotAndSql(TestServer server, JsonNode metrics, JsonNode widgets) throws Exception {
        assertThat(metrics.path("totalRevenue").asDouble()).isEqualTo(widgets.path("total_revenue").asDouble()).isEqualTo(sql(server, REVENUE));
        assertThat(metrics.path("activeRepairs").asLong()).isEqualTo(widgets.path("active_repairs").asLong())
                .isEqualTo((long) sql(server, "SELECT count(*) FROM tickets WHERE shop_id='fixit' AND status IN ('open','diagnosing','awaiting_parts','in_repair')"));
        assertThat(metrics.path("newTickets").asLong()).isEqualTo(widgets.path("new_tickets").asLong())
                .isEqualTo((long) sql(server, "SELECT count(*) FROM tickets WHERE shop_id='fixit' AND created_at >= strftime('%Y-%m-%dT%H:%M:%fZ','now','-24 hours')"));
        assertThat(metrics.path("productsSold").asLong()).isEqualTo(widgets.path("products_sold").asLong()).isEqualTo((long) sql(server, SOLD));
    }

    @Test
    void dataFlow_l41_initialLoadByHttpGet_thenWebSocketUpdates_metricsEqualTheNativeSnapshotAndSql() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String admin = admin();
            seed(server, admin);
            // 1-2: the page opens and loads its data by HTTP GET
            Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                JsonNode d = TestServer.json(server.get("/api/admin/dashboard", "Authorization", "Bearer " + admin));
                assertThat(d.path("shop").asString()).isEqualTo(SHOP);
                JsonNode m = d.path("metrics");
                assertThat(m.path("totalRevenue").asDouble()).isEqualTo(130.0); // o1 + o4: not pending, refunded or cancelled
                assertThat(m.path("activeRepairs").asLong()).isEqualTo(2); // t1, t2: ready for pickup is done
                assertThat(m.path("newTickets").asLong()).isEqualTo(3); // t4 is 30 hours old
                assertThat(m.path("productsSold").asLong()).isEqualTo(4); // the items of o1 and o4, the same orders as revenue
                JsonNode widgets = TestServer.json(server.get("/api/dashboards/shop/" + SHOP, "Authorization", "Bearer " + admin)).path("widgets");
                assertMetricsEqualSnapshotAndSql(server, m, widgets);
                // the orders are an hour old: in today's bucket, or yesterday's just after midnight (UTC)
                double overview = 0;
                for (JsonNode day : d.path("revenueOverview")) {
                    overview += day.path("revenue").asDouble();
                }
                assertThat(overview).isEqualTo(130.0);
                assertThat(d.path("activity").size()).isEqualTo(widgets.path("activity").size()).isPositive();
            });
            // 3-5: the WebSocket opens and changes arrive
            try (WsClient ws = new WsClient(server.sb.port(), "/api/events/" + SHOP + "?dashboards=shop&datasets=tickets,orders,customers,products",
                    "Authorization", "Bearer " + admin)) {
                JsonNode snap = ws.await(event("snapshot"), WAIT);
                assertThat(snap.path("data").path("widgets").path("products_sold").asLong()).isEqualTo(4);
                write(server, admin, "orders", order("o2", "paid", 50, 5)); // pending -> paid: its revenue and its 3 units count now
                JsonNode change = ws.await(n -> n.path("event").asString().equals("change") && n.path("data").path("key").asString().equals("o2"), WAIT);
                assertThat(change.path("data").path("op").asString()).isEqualTo("u");
                assertThat(change.path("data").path("before").path("status").asString()).isEqualTo("pending");
                ws.await(n -> n.path("event").asString().equals("delta") && n.path("data").path("widgets").path("products_sold").asLong() == 7, WAIT);
                write(server, admin, "orders", order("o1", "refunded", 100, 4)); // refunded: its units go back out
                ws.await(n -> n.path("event").asString().equals("delta") && n.path("data").path("widgets").path("products_sold").asLong() == 4
                        && n.path("data").path("widgets").path("total_revenue").asDouble() == 80.0, WAIT);
                write(server, admin, "tickets", ticket("t5", "open", 40, 40, 0));
                JsonNode delta = ws.await(n -> n.path("event").asString().equals("delta")
                        && n.path("data").path("widgets").path("activity").toString().contains("New ticket T-t5: phone - Cracked screen"), WAIT);
                assertThat(delta.path("data").path("widgets").path("activity").get(0).path("type").asString()).isEqualTo("new_ticket");
            }
            Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                JsonNode m = TestServer.json(server.get("/api/admin/dashboard", "Authorization", "Bearer " + admin)).path("metrics");
                assertThat(m.path("newTickets").asLong()).isEqualTo(4);
                assertMetricsEqualSnapshotAndSql(server, m,
                        TestServer.json(server.get("/api/dashboards/shop/" + SHOP, "Authorization", "Bearer " + admin)).path("widgets"));
            });
        }
    }

    @Test
    void activityFeed_l61_sixEventTypes_withReadableLines_fromAnyWriter() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            write(server, null, "customers", customer("c1", "Grace Kim", 1));
            write(server, null, "tickets", ticket("t1", "open", 2, 2, 0));
            write(server, null, "tickets", ticket("t1", "diagnosing", 2, 3, 0));
            write(server, null, "tickets", ticket("t1", "diagnosing", 2, 4, 1));
            write(server, null, "products", product("p1", "Phone case", 19.99, 12, 5, 5));
            write(server, null, "products", product("p1", "Phone case", 21.5, 30, 5, 6));
            write(server, null, "orders", order("o1", "paid", 52.47, 7));
            // another writer (the shop's own app, here the sqlite3 shell) changes a ticket: the feed has it too
            Process p = new ProcessBuilder("sqlite3", server.db().toString(), "UPDATE tickets SET status = 'awaiting_parts', updated_at = '" + at(8)
                    + "' WHERE id = 't1'").redirectErrorStream(true).start();
            assertThat(new String(p.getInputStream().readAllBytes())).isEmpty();
            assertThat(p.waitFor()).isZero();
            List<String> want = List.of(
                    "ticket_status|Ticket T-t1 moved from diagnosing to awaiting parts",
                    "order_placed|Order O-o1 placed: 52.47 USD (paid)",
                    "product_updated|Product Phone case updated: price 19.99 -> 21.50, stock 12 -> 30",
                    "product_updated|Product added: Phone case at 19.99",
                    "ticket_viewed|Customer viewed ticket T-t1 (1 view)",
                    "ticket_status|Ticket T-t1 moved from open to diagnosing",
                    "new_ticket|New ticket T-t1: phone - Cracked screen",
                    "customer_registered|New customer: Grace Kim");
            Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                JsonNode d = TestServer.json(server.get("/api/admin/dashboard?shop_id=" + SHOP));
                List<String> got = new ArrayList<>();
                d.path("activity").forEach(a -> got.add(a.path("type").asString() + "|" + a.path("message").asString()));
                assertThat(got).containsExactlyElementsOf(want);
                assertThat(d.path("activity").get(0).path("timestamp").asString()).isEqualTo(at(8));
                assertThat(d.path("activity").get(0).path("entityId").asString()).isEqualTo("t1");
                // the same rows as the native snapshot's activity widget and as SQL
                JsonNode w = TestServer.json(server.get("/api/dashboards/shop/" + SHOP)).path("widgets");
                List<String> ids = new ArrayList<>();
                w.path("activity").forEach(a -> ids.add(a.path("id").asString()));
                List<String> compat = new ArrayList<>();
                d.path("activity").forEach(a -> compat.add(a.path("id").asString()));
                assertThat(compat).isEqualTo(ids);
                assertThat(w.path("activity_by_type").path("product_updated").asLong()).isEqualTo(2);
                assertThat((long) sql(server, "SELECT count(*) FROM shop_activity WHERE shop_id='fixit'")).isEqualTo(want.size());
            });
        }
    }

    /** l.93-99: each instance has its own connection, updates reach all, and all instances hold the same data. */
    @Test
    void testingMultipleInstances_l93_twoWebSocketDashboards_getTheSameEventsInTheSameOrder() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            seed(server, null);
            String url = "/api/events/" + SHOP + "?dashboards=shop&datasets=tickets,orders,customers,products";
            try (WsClient one = new WsClient(server.sb.port(), url); WsClient two = new WsClient(server.sb.port(), url)) {
                Map<String, JsonNode> a = new LinkedHashMap<>();
                Map<String, JsonNode> b = new LinkedHashMap<>();
                fold(a, one.await(event("snapshot"), WAIT));
                fold(b, two.await(event("snapshot"), WAIT));
                ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    int writer = w;
                    done.add(writers.submit(() -> {
                        for (int i = 0; i < 15; i++) {
                            String id = "w" + writer + "-" + i;
                            write(server, null, writer == 0 ? "tickets" : "orders", writer == 0 ? ticket(id, "open", 10 + i, 10 + i, 0)
                                    : order(id, i % 2 == 0 ? "paid" : "pending", 10 + i, 10 + i));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                writers.close();
                write(server, null, "customers", customer("last", "Last One", 50));
                List<String> changesOne = untilLast(one, a);
                List<String> changesTwo = untilLast(two, b);
                assertThat(changesOne).hasSize(45 + 1).isEqualTo(changesTwo);
                assertThat(a).isEqualTo(b);
                JsonNode now = TestServer.json(server.get("/api/dashboards/shop/" + SHOP)).path("widgets");
                for (String k : List.of("total_revenue", "active_repairs", "new_tickets", "products_sold", "activity")) {
                    assertThat(a.get(k)).as(k).isEqualTo(now.path(k));
                }
            }
        }
    }

    private static void fold(Map<String, JsonNode> state, JsonNode message) {
        message.path("data").path("widgets").properties().forEach(e -> state.put(e.getKey(), e.getValue()));
    }

    /** Each change as "id dataset/key op", up to the customer "last"; deltas folded into {@code state} up to the one showing it. */
    private static List<String> untilLast(WsClient c, Map<String, JsonNode> state) throws InterruptedException {
        List<String> changes = new ArrayList<>();
        boolean[] seen = {false};
        c.await(n -> {
            String type = n.path("event").asString();
            if (type.equals("change")) {
                JsonNode d = n.path("data");
                changes.add(n.path("id").asString() + " " + d.path("dataset").asString() + "/" + d.path("key").asString() + " " + d.path("op").asString());
                seen[0] |= d.path("key").asString().equals("last");
            } else if (type.equals("delta")) {
                fold(state, n);
                return seen[0] && state.get("activity").toString().contains("New customer: Last One");
            }
            return false;
        }, WAIT);
        return changes;
    }

    /** l.128-136: active connections, their duration, failed connection attempts and message errors. */
    @Test
    void connectionTracking_l128_inTheMetricsAndTheAdminDashboard() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String admin = admin();
            String url = "/api/events/" + SHOP + "?datasets=tickets";
            WsClient first = new WsClient(server.sb.port(), url, "Authorization", "Bearer " + admin);
            try (WsClient second = new WsClient(server.sb.port(), url, "Authorization", "Bearer " + admin)) {
                // failed attempts: no token, a wrong token, another shop's viewer, an unknown dashboard
                assertThat(server.get(url).statusCode()).isEqualTo(401);
                assertThat(server.get(url, "Authorization", "Bearer not-a-token").statusCode()).isEqualTo(401);
                String otherShop = AuthTest.token("other", "x", null, null, Instant.now().plusSeconds(600));
                assertThat(server.get(url, "Authorization", "Bearer " + otherShop).statusCode()).isEqualTo(403);
                assertThat(server.get("/api/events/" + SHOP + "?dashboards=nope", "Authorization", "Bearer " + admin).statusCode()).isEqualTo(404);
                // a message error
                first.send("not json");
                assertThat(first.await(event("error"), WAIT).path("data").path("status").asInt()).isEqualTo(400);
                JsonNode c = TestServer.json(server.get("/api/admin/dashboard", "Authorization", "Bearer " + admin)).path("connections");
                assertThat(c.path("active").asInt()).isEqualTo(2);
                assertThat(c.path("opened").asLong()).isEqualTo(2);
                assertThat(c.path("failedAttempts").asLong()).isEqualTo(4);
                assertThat(c.path("messageErrors").asLong()).isEqualTo(1);
                assertThat(c.path("longestDurationSeconds").asDouble()).isGreaterThanOrEqualTo(c.path("averageDurationSeconds").asDouble()).isNotNegative();
                first.closeNormally("bye");
                Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                    JsonNode after = TestServer.json(server.get("/api/admin/dashboard", "Authorization", "Bearer " + admin)).path("connections");
                    assertThat(after.path("active").asInt()).isEqualTo(1);
                    assertThat(after.path("ended").asLong()).isEqualTo(1);
                    assertThat(after.path("averageEndedDurationSeconds").asDouble()).isNotNegative();
                });
                String operator = AuthTest.token("*", "ops", null, "admin", Instant.now().plusSeconds(600));
                String metrics = server.get("/metrics", "Authorization", "Bearer " + operator).body();
                assertThat(metrics).contains("switchboard_stream_connections 1.0", "switchboard_stream_connections_opened_total 2.0",
                        "switchboard_stream_connections_ended_total 1.0", "switchboard_stream_message_errors_total 1.0",
                        "switchboard_stream_connection_seconds_total", "switchboard_stream_connection_longest_seconds");
                assertThat(metrics).containsPattern("switchboard_stream_connections_failed_total [4-9]\\.0");
            } finally {
                first.close();
            }
        }
    }

    @Test
    void wrongRolesAndBadParameters_getClearErrors() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            var none = server.get("/api/admin/dashboard");
            assertThat(none.statusCode()).isEqualTo(401);
            for (String role : List.of("viewer", "writer")) {
                var r = server.get("/api/admin/dashboard", "Authorization", "Bearer " + AuthTest.token(SHOP, "u", null, role, Instant.now().plusSeconds(600)));
                assertThat(r.statusCode()).as(role).isEqualTo(403);
                assertThat(TestServer.json(r).path("error").asString()).contains("admin token of shop 'fixit'");
                assertThat(TestServer.json(r).path("success").asBoolean(true)).isFalse();
            }
            String otherAdmin = AuthTest.token("other", "o", null, "admin", Instant.now().plusSeconds(600));
            assertThat(server.get("/api/admin/dashboard?shop_id=" + SHOP, "Authorization", "Bearer " + otherAdmin).statusCode()).isEqualTo(403);
            assertThat(server.get("/api/admin/dashboard?shop_id=bad%20name", "Authorization", "Bearer " + admin()).statusCode()).isEqualTo(400);
            assertThat(server.post("/api/admin/dashboard", "{}", "Authorization", "Bearer " + admin()).statusCode()).isEqualTo(405);
            var ok = server.get("/api/admin/dashboard", "Authorization", "Bearer " + admin());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(ok).path("metrics").path("productsSold").asLong()).isZero();
        }
    }
}
