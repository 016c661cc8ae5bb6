package dev.switchboard.packs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Seed 003's repair shop: customers register, bring devices in (tickets move open -> diagnosing
 * -> [awaiting_parts] -> in_repair -> ready_for_pickup -> completed, and a completed repair is
 * paid as an order), check their ticket online (views), and buy parts and accessories (orders
 * with items, which draw down stock). Abandoned online orders are deleted with their items;
 * the in-store till syncs some sales late.
 */
final class ShopSimulator implements Simulator {
    /** A repair counter is slow: few events an hour, thirty days of history for the revenue chart. */
    static final Arrivals ARRIVALS = new Arrivals(Map.of("fixit-downtown", 16.0, "gadget-garage", 10.0),
            Arrivals.Shape.BUSINESS_HOURS, Duration.ofDays(60), Duration.ofSeconds(120));
    /**
     * What a shop may stock: name, category, list price. A shop carries each at most once (one
     * product id per name), so its lists and top products name each product once.
     */
    private static final List<List<Object>> CATALOG = List.of(
            List.of("Screen protector", "accessories", 12.99), List.of("USB-C cable", "accessories", 9.99),
            List.of("Phone case", "accessories", 19.99), List.of("iPhone 13 screen", "parts", 89.00),
            List.of("Galaxy S22 battery", "parts", 39.00), List.of("Laptop charger 65W", "accessories", 34.50),
            List.of("Refurbished iPad 9", "devices", 249.00), List.of("SSD 1TB", "parts", 79.90),
            List.of("Lightning cable", "accessories", 14.99), List.of("Wireless charging pad", "accessories", 24.99),
            List.of("iPhone 12 battery", "parts", 45.00), List.of("Pixel 7 screen", "parts", 109.00),
            List.of("MacBook keyboard", "parts", 129.00), List.of("Tempered glass (tablet)", "accessories", 17.50),
            List.of("Charging port flex", "parts", 29.00), List.of("Car phone mount", "accessories", 21.99),
            List.of("Refurbished Galaxy A54", "devices", 219.00), List.of("8GB DDR4 RAM", "parts", 34.90),
            List.of("Earbuds", "accessories", 39.99), List.of("Watch strap", "accessories", 15.99));
    private static final List<String> DEVICES = List.of("phone", "tablet", "laptop", "console", "watch");
    private static final List<String> ISSUES = List.of("Cracked screen", "Battery drains fast", "Won't charge",
            "Water damage", "No sound", "Keeps rebooting");

    private final Map<String, List<String>> customers = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> products = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> tickets = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> orders = new LinkedHashMap<>();
    private final Map<String, List<String>> orderItems = new LinkedHashMap<>();
    private int sequence;

    @Override
    public Arrivals arrivals() {
        return ARRIVALS;
    }

    @Override
    public String pack() {
        return "shop";
    }

    @Override
    public void step(Instant now, Map<String, Integer> events, RandomGenerator random, Writer writer) {
        for (String tenant : Sim.turns(events)) {
            long catalog = products.values().stream().filter(p -> p.get("shop_id").equals(tenant)).count();
            // A bench holds so many repairs: past that, new tickets wait until some are done.
            long bench = tickets.values().stream().filter(t -> t.get("shop_id").equals(tenant)).count();
            switch (Sim.choose(random, catalog < 6 ? 10 : catalog < CATALOG.size() ? 0.2 : 0, 2, bench < 30 ? 3 : 0, bench > 0 ? 4 : 0,
                    bench > 0 ? 1 : 0, catalog > 0 ? 3 : 0, orders.isEmpty() ? 0 : 4, catalog > 0 ? 1 : 0, catalog > 0 ? 0.4 : 0)) {
                case 0 -> addProduct(tenant, now, random, writer);
                case 1 -> customer(tenant, now, random, writer);
                case 2 -> openTicket(tenant, now, random, writer);
                case 3 -> advanceTicket(tenant, now, random, writer);
                case 4 -> viewTicket(tenant, now, random, writer);
                case 5 -> placeOrder(tenant, now, now, random, writer);
                case 6 -> advanceOrder(tenant, now, random, writer);
                case 7 -> updateProduct(tenant, now, random, writer);
                case 8 -> placeOrder(tenant, Sim.late(random, now), now, random, writer);
                default -> { }
            }
        }
    }

    /**
     * Takes back the catalogue, the repairs on the bench, orders not yet fulfilled (with their
     * items) and the numbering, so tickets and orders go on from where they stood.
     */
    @Override
    public void resume(Stored stored, RandomGenerator random) {
        stored.rows("products", "active", List.of("true")).forEach(p -> products.put((String) p.get("id"), p));
        stored.rows("tickets", "status", List.of("open", "diagnosing", "awaiting_parts", "in_repair", "ready_for_pickup"))
                .forEach(t -> tickets.put((String) t.get("id"), t));
        stored.rows("orders", "status", List.of("pending", "paid")).forEach(o -> orders.put((String) o.get("id"), o));
        for (Map<String, Object> item : stored.rows("order_items", "order_id", List.copyOf(orders.keySet()))) {
            orderItems.computeIfAbsent((String) item.get("order_id"), k -> new ArrayList<>()).add((String) item.get("id"));
        }
        int lastTicket = stored.highest("tickets", "ticket_number").map(n -> Integer.parseInt(n.substring(2)) - 10_000).orElse(0);
        int lastOrder = stored.highest("orders", "order_number").map(n -> Integer.parseInt(n.substring(2)) - 50_000).orElse(0);
        sequence = Math.max(sequence, Math.max(lastTicket, lastOrder));
    }

    /** A catalogue item the shop does not carry yet (by name), if any. */
    private void addProduct(String tenant, Instant now, RandomGenerator random, Writer writer) {
        java.util.Set<Object> carried = new java.util.HashSet<>();
        products.values().forEach(p -> {
            if (p.get("shop_id").equals(tenant)) {
                carried.add(p.get("name"));
            }
        });
        List<List<Object>> missing = CATALOG.stream().filter(i -> !carried.contains(i.get(0))).toList();
        if (missing.isEmpty()) {
            return;
        }
        List<Object> item = Sim.pick(random, missing);
        double price = (Double) item.get(2);
        Map<String, Object> product = Sim.row("id", Sim.id(random, "prod"), "shop_id", tenant,
                "sku", "SKU-" + (1000 + random.nextInt(9000)), "name", item.get(0), "category", item.get(1),
                "price", price, "cost", Sim.money(price * 0.55), "stock_quantity", (long) random.nextInt(10, 40),
                "active", true, "created_at", Sim.time(now), "updated_at", Sim.time(now));
        products.put((String) product.get("id"), product);
        Sim.put(writer, tenant, "products", product);
    }

    private String customer(String tenant, Instant now, RandomGenerator random, Writer writer) {
        String name = Sim.person(random); // one of 750, so a shop's customers rarely share a name
        String id = Sim.id(random, "cust");
        Sim.put(writer, tenant, "customers", Sim.row("id", id, "shop_id", tenant, "name", name,
                "email", name.toLowerCase().replace(' ', '.') + "." + id.substring(5, 9) + "@example.com",
                "phone", Sim.phone(random), "marketing_opt_in", Sim.chance(random, 0.4),
                "created_at", Sim.time(now), "updated_at", Sim.time(now)));
        List<String> ids = customers.computeIfAbsent(tenant, t -> new ArrayList<>());
        ids.add(id);
        if (ids.size() > 300) {
            ids.removeFirst();
        }
        return id;
    }

    /** A returning customer most of the time, a new registration otherwise. */
    private String someCustomer(String tenant, Instant now, RandomGenerator random, Writer writer) {
        List<String> known = customers.getOrDefault(tenant, List.of());
        return known.isEmpty() || Sim.chance(random, 0.35) ? customer(tenant, now, random, writer) : Sim.pick(random, known);
    }

    private void openTicket(String tenant, Instant now, RandomGenerator random, Writer writer) {
        String customer = someCustomer(tenant, now, random, writer);
        Map<String, Object> ticket = Sim.row("id", Sim.id(random, "tkt"), "shop_id", tenant,
                "ticket_number", "T-" + (10_000 + ++sequence), "customer_id", customer, "device_type", Sim.pick(random, DEVICES),
                "device_model", null, "issue", Sim.pick(random, ISSUES), "status", "open",
                "priority", Sim.Weighted.of("low", 2, "normal", 6, "high", 2, "urgent", 1).pick(random),
                "technician_id", null, "estimated_cost", Sim.money(random.nextDouble(40, 320)), "final_cost", null,
                "customer_views", 0L, "last_viewed_at", null, "created_at", Sim.time(now), "updated_at", Sim.time(now),
                "completed_at", null);
        tickets.put((String) ticket.get("id"), ticket);
        Sim.put(writer, tenant, "tickets", ticket);
    }

    private void advanceTicket(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, tickets.values(), t -> t.get("shop_id").equals(tenant)).ifPresent(ticket -> {
            String status = (String) ticket.get("status");
            String next = switch (status) {
                case "open" -> Sim.chance(random, 0.05) ? "cancelled" : "diagnosing";
                case "diagnosing" -> Sim.chance(random, 0.4) ? "awaiting_parts" : "in_repair";
                case "awaiting_parts" -> "in_repair";
                case "in_repair" -> "ready_for_pickup";
                default -> "completed";
            };
            ticket.put("status", next);
            ticket.put("updated_at", Sim.time(now));
            if (next.equals("diagnosing")) {
                ticket.put("technician_id", Sim.pick(random, List.of("tech-sam", "tech-ana", "tech-raj")));
            }
            if (next.equals("completed")) {
                double cost = Sim.money((Double) ticket.get("estimated_cost") * random.nextDouble(0.8, 1.2));
                ticket.put("final_cost", cost);
                ticket.put("completed_at", Sim.time(now));
            }
            Sim.put(writer, tenant, "tickets", ticket);
            if (next.equals("completed") || next.equals("cancelled")) {
                tickets.remove((String) ticket.get("id"));
            }
            if (next.equals("completed")) {
                payRepair(tenant, ticket, now, random, writer);
            }
        });
    }

    private void payRepair(String tenant, Map<String, Object> ticket, Instant now, RandomGenerator random, Writer writer) {
        double total = (Double) ticket.get("final_cost");
        double subtotal = Sim.money(total / 1.08);
        Sim.put(writer, tenant, "orders", order(tenant, (String) ticket.get("customer_id"), ticket.get("id"), "paid", "in_store",
                0, subtotal, Sim.money(total - subtotal), total, now, now, random));
    }

    private void viewTicket(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, tickets.values(), t -> t.get("shop_id").equals(tenant)).ifPresent(ticket -> {
            ticket.put("customer_views", (Long) ticket.get("customer_views") + 1);
            ticket.put("last_viewed_at", Sim.time(now));
            Sim.put(writer, tenant, "tickets", ticket);
        });
    }

    /** An order of 1-3 in-stock products; {@code at} is in the past for a till synced late. */
    private void placeOrder(String tenant, Instant at, Instant now, RandomGenerator random, Writer writer) {
        List<Map<String, Object>> stock = new ArrayList<>();
        products.values().forEach(p -> {
            if (p.get("shop_id").equals(tenant) && (Long) p.get("stock_quantity") > 0 && (Boolean) p.get("active")) {
                stock.add(p);
            }
        });
        if (stock.isEmpty()) {
            return;
        }
        boolean online = at.equals(now) && Sim.chance(random, 0.5);
        String customer = someCustomer(tenant, now, random, writer);
        Map<String, Object> order = order(tenant, customer, null, online ? "pending" : "paid", online ? "online" : "in_store",
                0, 0, 0, 0, at, now, random);
        String orderId = (String) order.get("id");
        List<Map<String, Object>> items = new ArrayList<>();
        double subtotal = 0;
        for (int n = random.nextInt(1, 4); n > 0 && !stock.isEmpty(); n--) {
            Map<String, Object> product = stock.remove(random.nextInt(stock.size()));
            long quantity = Math.min((Long) product.get("stock_quantity"), random.nextInt(1, 4));
            double price = (Double) product.get("price");
            subtotal += quantity * price;
            items.add(Sim.row("id", Sim.id(random, "item"), "shop_id", tenant, "order_id", orderId,
                    "product_id", product.get("id"), "quantity", quantity, "unit_price", price, "created_at", Sim.time(at)));
            product.put("stock_quantity", (Long) product.get("stock_quantity") - quantity);
            product.put("updated_at", Sim.time(now));
        }
        double tax = Sim.money(subtotal * 0.08);
        order.putAll(Sim.row("item_count", (long) items.size(), "subtotal", Sim.money(subtotal), "tax", tax,
                "total", Sim.money(subtotal + tax)));
        Sim.put(writer, tenant, "orders", order);
        // Items and their stock changes follow the order, in one batch each as a checkout writes them.
        List<Map<String, Object>> copies = new ArrayList<>();
        items.forEach(item -> copies.add(new LinkedHashMap<>(item)));
        writer.upsert(tenant, "order_items", copies);
        for (Map<String, Object> item : items) {
            Sim.put(writer, tenant, "products", products.get((String) item.get("product_id")));
        }
        orders.put(orderId, order);
        orderItems.put(orderId, items.stream().map(i -> (String) i.get("id")).toList());
        Sim.trim(orders, 200);
        Sim.trim(orderItems, 200);
    }

    private Map<String, Object> order(String tenant, String customer, Object ticket, String status, String channel, long itemCount,
                                      double subtotal, double tax, double total, Instant at, Instant now, RandomGenerator random) {
        return Sim.row("id", Sim.id(random, "ord"), "shop_id", tenant, "order_number", "O-" + (50_000 + ++sequence),
                "customer_id", customer, "ticket_id", ticket, "status", status, "channel", channel, "item_count", itemCount,
                "subtotal", subtotal, "tax", tax, "total", total, "currency", "USD",
                "payment_method", status.equals("pending") ? null : Sim.pick(random, List.of("card", "cash", "apple_pay")),
                "created_at", Sim.time(at), "updated_at", Sim.time(now));
    }

    /** pending -> paid, or abandoned and deleted with its items; paid -> fulfilled; rarely refunded. */
    private void advanceOrder(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, orders.values(), o -> o.get("shop_id").equals(tenant)).ifPresent(order -> {
            String id = (String) order.get("id");
            switch ((String) order.get("status")) {
                case "pending" -> {
                    if (Sim.chance(random, 0.15)) {
                        orders.remove(id);
                        writer.delete(tenant, "order_items", orderItems.getOrDefault(id, List.of()));
                        orderItems.remove(id);
                        Sim.delete(writer, tenant, "orders", id);
                        return;
                    }
                    order.put("status", "paid");
                    order.put("payment_method", "card");
                }
                case "paid" -> order.put("status", "fulfilled");
                default -> {
                    orders.remove(id);
                    orderItems.remove(id);
                    if (!Sim.chance(random, 0.05)) {
                        return;
                    }
                    order.put("status", "refunded");
                }
            }
            order.put("updated_at", Sim.time(now));
            Sim.put(writer, tenant, "orders", order);
        });
    }

    private void updateProduct(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, products.values(), p -> p.get("shop_id").equals(tenant)).ifPresent(product -> {
            if ((Long) product.get("stock_quantity") < 5 || Sim.chance(random, 0.5)) {
                product.put("stock_quantity", (Long) product.get("stock_quantity") + random.nextInt(10, 30));
            } else {
                product.put("price", Sim.money((Double) product.get("price") * random.nextDouble(0.9, 1.1)));
            }
            product.put("updated_at", Sim.time(now));
            Sim.put(writer, tenant, "products", product);
        });
    }
}
