package dev.switchboard.live;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Thresholds on a view's stat widgets ({@code alert: {above: 100, for: 2m, message: "..."}}),
 * evaluated on the live value each time the view's values move (a change, or time passing): an
 * alert fires once its condition has held for {@code for}, and resolves as soon as it stops
 * holding. A null value (no rows) holds no condition. Owner thread only.
 */
final class Alerts {
    /** One threshold. */
    record Rule(String widget, boolean above, double threshold, Duration hold, String message, String severity) {}

    private static final class State {
        long pendingSince = Long.MIN_VALUE;
        long firingSince = Long.MIN_VALUE;
        Object value;
    }

    private final List<Rule> rules;
    private final Map<String, State> states = new LinkedHashMap<>();

    Alerts(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        rules.forEach(r -> states.put(r.widget(), new State()));
    }

    static final Alerts NONE = new Alerts(List.of());

    boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The rule a widget declares, if any: {@code above} or {@code below} a number, held {@code for} a duration (default 0). */
    static Optional<Rule> parse(String widget, JsonNode node, String where) {
        JsonNode a = node.path("alert");
        if (a.isMissingNode()) {
            return Optional.empty();
        }
        boolean above = a.has("above");
        if (above == a.has("below")) {
            throw new IllegalArgumentException(where + ": an alert needs exactly one of 'above' or 'below', e.g. alert: { above: 100, for: 2m }");
        }
        JsonNode t = a.path(above ? "above" : "below");
        if (!t.isNumber()) {
            throw new IllegalArgumentException(where + ": the alert's threshold must be a number");
        }
        Duration hold = Duration.ZERO;
        if (a.has("for")) {
            var m = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(a.path("for").asString(""));
            if (!m.matches()) {
                throw new IllegalArgumentException(where + ": the alert's 'for' must look like 30s, 2m or 1h");
            }
            long n = Long.parseLong(m.group(1));
            hold = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        String severity = a.path("severity").asString("warning");
        if (!List.of("info", "warning", "critical").contains(severity)) {
            throw new IllegalArgumentException(where + ": the alert's severity must be info, warning or critical");
        }
        String message = a.path("message").asString(widget + (above ? " above " : " below ") + t.asDouble());
        return Optional.of(new Rule(widget, above, t.asDouble(), hold, message, severity));
    }

    /** Evaluates every rule on {@code values} at {@code now}; returns the alerts that fired or resolved. */
    List<Map<String, Object>> evaluate(ViewKey key, Map<String, Object> values, long now) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Rule r : rules) {
            State s = states.get(r.widget());
            Object v = values.get(r.widget());
            boolean holds = v instanceof Number n && (r.above() ? n.doubleValue() > r.threshold() : n.doubleValue() < r.threshold());
            s.value = v;
            if (!holds) {
                s.pendingSince = Long.MIN_VALUE;
                if (s.firingSince != Long.MIN_VALUE) {
                    out.add(event(key, r, s, "resolved", now));
                    s.firingSince = Long.MIN_VALUE;
                }
                continue;
            }
            if (s.pendingSince == Long.MIN_VALUE) {
                s.pendingSince = now;
            }
            if (s.firingSince == Long.MIN_VALUE && now - s.pendingSince >= r.hold().toMillis()) {
                s.firingSince = now;
                out.add(event(key, r, s, "firing", now));
            }
        }
        return out;
    }

    /** The alerts firing now. */
    List<Map<String, Object>> firing(ViewKey key) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Rule r : rules) {
            State s = states.get(r.widget());
            if (s.firingSince != Long.MIN_VALUE) {
                out.add(event(key, r, s, "firing", s.firingSince));
            }
        }
        return out;
    }

    /** How long the clock has to move for a pending alert to fire; empty when none is pending. */
    boolean pending() {
        return states.values().stream().anyMatch(s -> s.pendingSince != Long.MIN_VALUE && s.firingSince == Long.MIN_VALUE);
    }

    private static Map<String, Object> event(ViewKey key, Rule r, State s, String state, long at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", key.topic() + "#" + r.widget());
        e.put("state", state);
        e.put("dashboard", key.dashboard());
        e.put("tenant", key.tenant());
        if (!key.scope().isEmpty()) {
            e.put("scope", key.scope());
            e.put("subject", key.subject());
        }
        if (!key.params().isEmpty()) {
            e.put("params", key.params());
        }
        e.put("widget", r.widget());
        e.put("value", s.value);
        e.put(r.above() ? "above" : "below", r.threshold());
        e.put("for", r.hold().toString());
        e.put("severity", r.severity());
        e.put("message", r.message());
        e.put("since", Instant.ofEpochMilli(state.equals("firing") ? s.firingSince == Long.MIN_VALUE ? at : s.firingSince : at).toString());
        e.put("at", Instant.ofEpochMilli(at).toString());
        return e;
    }
}
