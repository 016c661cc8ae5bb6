package dev.switchboard.packs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Seed 002's call center: AI agents take inbound and place outbound calls. A call starts active
 * with no outcome, may be updated while it runs, and ends with ended_at, duration and an outcome.
 * The outcome is drawn when the call starts so its length fits it (a busy line ends in seconds).
 */
final class CallsSimulator implements Simulator {
    static final String DATASET = "call_logs";
    /** A tenant's voice agents: id, name, team (the agents dataset, which the calls dashboard shows and groups by). */
    private static final Map<String, List<List<String>>> ROSTER = Map.of(
            "demo-call-center", List.of(List.of("agent-sales-ava", "Ava Thompson", "Sales"), List.of("agent-sales-noah", "Noah Williams", "Sales"),
                    List.of("agent-support-leo", "Leo Martin", "Support"), List.of("agent-support-ivy", "Ivy Chen", "Support"),
                    List.of("agent-billing-mia", "Mia Rossi", "Billing")),
            "northwind-support", List.of(List.of("agent-triage-kai", "Kai Nakamura", "Triage"), List.of("agent-triage-sam", "Sam Ortiz", "Triage"),
                    List.of("agent-returns-zoe", "Zoe Fischer", "Returns")));
    private static final Map<String, List<String>> AGENTS = Map.of(
            "demo-call-center", ROSTER.get("demo-call-center").stream().map(List::getFirst).toList(),
            "northwind-support", ROSTER.get("northwind-support").stream().map(List::getFirst).toList());
    /** Busy lines around the clock; the dashboard's default window is 24 hours. */
    static final Arrivals ARRIVALS = new Arrivals(Map.of("demo-call-center", 300.0, "northwind-support", 150.0),
            Arrivals.Shape.AROUND_THE_CLOCK, Duration.ofHours(48), Duration.ofSeconds(10));
    private static final Sim.Weighted OUTCOMES =
            Sim.Weighted.of("completed", 62, "no_answer", 13, "voicemail", 10, "busy", 6, "failed", 9);
    private static final int MAX_ACTIVE_PER_TENANT = 6;

    private record Active(String tenant, Map<String, Object> row, String outcome, Instant ends) {}

    private final Map<String, Active> active = new LinkedHashMap<>();
    /** Failed zero-length calls, which operators purge as noise. */
    private final Map<String, String> junk = new LinkedHashMap<>();
    /** Tenants whose agents are written (by this run, or found by {@link #resume}). */
    private final java.util.Set<String> staffed = new java.util.HashSet<>();

    @Override
    public Arrivals arrivals() {
        return ARRIVALS;
    }

    @Override
    public String pack() {
        return "calls";
    }

    @Override
    public void step(Instant now, Map<String, Integer> events, RandomGenerator random, Writer writer) {
        for (String tenant : ARRIVALS.tenants()) {
            if (staffed.add(tenant)) {
                List<Map<String, Object>> agents = new ArrayList<>();
                // the same agents in every run: a restart on the same data writes none again
                ROSTER.get(tenant).forEach(a -> agents.add(Sim.row("id", a.get(0), "user_id", tenant, "name", a.get(1), "team", a.get(2),
                        "created_at", Sim.time(now), "updated_at", Sim.time(now))));
                writer.upsert(tenant, "agents", agents);
            }
        }
        for (Active call : List.copyOf(active.values())) {
            if (!call.ends().isAfter(now)) {
                end(call, writer);
            }
        }
        for (String tenant : Sim.turns(events)) {
            long running = active.values().stream().filter(a -> a.tenant().equals(tenant)).count();
            boolean full = running >= MAX_ACTIVE_PER_TENANT;
            // A tenant at its limit of running calls waits (the last weight) rather than spending the
            // budget on other kinds, so calls an hour stay near what the lines can carry.
            switch (Sim.choose(random, full ? 0 : 6, running > 0 ? 1.5 : 0, 0.1, junk.isEmpty() ? 0 : 0.3, full ? 6 : 0)) {
                case 0 -> start(tenant, now, random, writer);
                case 1 -> update(tenant, now, random, writer);
                case 2 -> late(tenant, now, random, writer);
                case 3 -> purge(random, writer);
                default -> { }
            }
        }
    }

    /** Calls a previous run left active end when their drawn length says, from when they started. */
    @Override
    public void resume(Stored stored, RandomGenerator random) {
        stored.rows("agents", "user_id", ARRIVALS.tenants()).forEach(a -> staffed.add((String) a.get("user_id")));
        for (Map<String, Object> row : stored.rows(DATASET, "status", List.of("active"))) {
            String outcome = OUTCOMES.pick(random);
            Instant started = Instant.parse((String) row.get("started_at"));
            active.put((String) row.get("id"), new Active((String) row.get("user_id"), row, outcome, started.plus(length(outcome, random))));
        }
    }

    private void start(String tenant, Instant now, RandomGenerator random, Writer writer) {
        String outcome = OUTCOMES.pick(random);
        Map<String, Object> row = newCall(tenant, now, random);
        active.put((String) row.get("id"), new Active(tenant, row, outcome, now.plus(length(outcome, random))));
        Sim.put(writer, tenant, DATASET, row);
    }

    private Map<String, Object> newCall(String tenant, Instant started, RandomGenerator random) {
        String id = Sim.id(random, "call");
        return Sim.row("id", id, "user_id", tenant, "agent_config_id", Sim.pick(random, AGENTS.get(tenant)),
                "phone_number", Sim.phone(random), "direction", Sim.chance(random, 0.6) ? "inbound" : "outbound",
                "status", "active", "outcome", null, "started_at", Sim.time(started), "ended_at", null, "duration", null,
                "livekit_room_name", "room-" + id.substring(5), "livekit_room_sid", "RM_" + id.substring(5), "sip_call_id",
                "sip-" + id.substring(5), "recording_url", null, "metadata", null, "created_at", Sim.time(started),
                "updated_at", Sim.time(started));
    }

    private static Duration length(String outcome, RandomGenerator random) {
        return switch (outcome) {
            case "completed" -> Sim.seconds(random, 20, 300);
            case "no_answer" -> Sim.seconds(random, 25, 45);
            case "voicemail" -> Sim.seconds(random, 20, 60);
            case "busy" -> Sim.seconds(random, 2, 8);
            default -> Sim.seconds(random, 0, 5);
        };
    }

    /** The seed's call_updated event: the agent tags the running call. */
    private void update(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, active.values(), a -> a.tenant().equals(tenant)).ifPresent(call -> {
            call.row().put("metadata", Sim.row("sentiment", Sim.pick(random, List.of("positive", "neutral", "negative")),
                    "language", "en", "tagged_at", Sim.time(now)));
            call.row().put("updated_at", Sim.time(now));
            Sim.put(writer, tenant, DATASET, call.row());
        });
    }

    private void end(Active call, Writer writer) {
        active.remove((String) call.row().get("id"));
        finish(call.row(), call.outcome(), call.ends());
        Sim.put(writer, call.tenant(), DATASET, call.row());
        if (call.outcome().equals("failed") && call.row().get("duration").equals(0L)) {
            junk.put((String) call.row().get("id"), call.tenant());
            Sim.trim(junk, 50);
        }
    }

    private static void finish(Map<String, Object> row, String outcome, Instant ended) {
        Instant started = Instant.parse((String) row.get("started_at"));
        row.put("status", "ended");
        row.put("outcome", outcome);
        row.put("ended_at", Sim.time(ended));
        row.put("updated_at", Sim.time(ended));
        row.put("duration", Duration.between(started, ended).toSeconds());
        if (outcome.equals("completed")) {
            row.put("recording_url", "https://recordings.example.com/" + row.get("id") + ".ogg");
        }
    }

    /** A whole call reported after the fact, e.g. a webhook retried long after the call ended. */
    private void late(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Instant started = Sim.late(random, now);
        String outcome = OUTCOMES.pick(random);
        Map<String, Object> row = newCall(tenant, started, random);
        Instant ended = started.plus(length(outcome, random));
        finish(row, outcome, ended.isAfter(now) ? now : ended);
        Sim.put(writer, tenant, DATASET, row);
    }

    private void purge(RandomGenerator random, Writer writer) {
        String id = Sim.pick(random, new ArrayList<>(junk.keySet()));
        Sim.delete(writer, junk.remove(id), DATASET, id);
    }
}
