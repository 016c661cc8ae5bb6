package dev.switchboard.packs;

import dev.switchboard.http.Routes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seed 003's admin dashboard API (its file lines 36, 41-68, 128-136): {@code GET /api/admin/dashboard},
 * the initial load of the dashboard page, from the shop pack's live view (the same widgets as
 * {@code GET /api/dashboards/shop/{shop}}): the four live metrics, the revenue overview, the
 * merged activity feed, and the shop's stream connections. Updates come over the native
 * WebSocket ({@code /api/events/{shop}?dashboards=shop&datasets=tickets,orders,customers,products}).
 * The tenant is the shop: the token's, or in open access {@code ?shop_id=} (default
 * {@code fixit-downtown}). With tokens it needs an admin of the shop.
 */
final class ShopCompat {
    private ShopCompat() {}

    static final String DEMO_TENANT = "fixit-downtown";

    static void register(Routes routes) {
        routes.get("/api/admin/dashboard", "Seed 003: the admin dashboard's initial load: live metrics, revenue overview, "
                + "activity feed and connections (admin token of the shop)", call -> {
            String shop = call.tenant(call.query("shop_id").filter(s -> !s.isBlank()), DEMO_TENANT);
            if (!call.principal(shop).administers(shop)) {
                throw Compat.error(call, 403, "the admin dashboard needs an admin token of shop '" + shop + "' (role \"admin\")");
            }
            call.json(200, dashboard(call.widgets("shop", shop, Map.of()), call.connections(shop), shop, call.now().toString()));
        });
    }

    /** The response, from the shop dashboard's widgets and the shop's connections. */
    static Map<String, Object> dashboard(Map<String, Object> w, Routes.Connections c, String shop, String now) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("totalRevenue", w.get("total_revenue"));
        metrics.put("activeRepairs", w.get("active_repairs"));
        metrics.put("newTickets", w.get("new_tickets"));
        metrics.put("productsSold", w.get("products_sold"));
        List<Map<String, Object>> revenue = new ArrayList<>();
        for (Map<?, ?> p : CallsCompat.rows(w.get("revenue_overview"))) {
            Map<String, Object> day = new LinkedHashMap<>();
            day.put("date", String.valueOf(p.get("t")).substring(0, 10));
            day.put("revenue", p.get("v"));
            revenue.add(day);
        }
        List<Map<String, Object>> activity = new ArrayList<>();
        for (Map<?, ?> r : CallsCompat.rows(w.get("activity"))) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", r.get("id"));
            a.put("type", r.get("type"));
            a.put("message", r.get("message"));
            a.put("entity", r.get("entity"));
            a.put("entityId", r.get("entity_id"));
            a.put("timestamp", r.get("at"));
            activity.add(a);
        }
        Map<String, Object> connections = new LinkedHashMap<>();
        connections.put("active", c.active());
        connections.put("averageDurationSeconds", c.averageOpenSeconds());
        connections.put("longestDurationSeconds", c.longestOpenSeconds());
        connections.put("opened", c.opened());
        connections.put("ended", c.ended());
        connections.put("averageEndedDurationSeconds", c.ended() == 0 ? 0 : c.endedSeconds() / c.ended());
        connections.put("failedAttempts", c.failed());
        connections.put("messageErrors", c.messageErrors());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("shop", shop);
        body.put("metrics", metrics);
        body.put("revenueOverview", revenue);
        body.put("activity", activity);
        body.put("connections", connections);
        body.put("timestamp", now);
        return body;
    }
}
