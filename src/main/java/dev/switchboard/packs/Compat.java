package dev.switchboard.packs;

import dev.switchboard.http.Routes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/** What the seeds' compatibility routes share: parameter checks in the seeds' error shape, and field naming. */
final class Compat {
    private Compat() {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The seeds' error body: {@code {"success": false, "error": "...", "status": 400}}. */
    static RuntimeException error(Routes.Call call, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", message);
        body.put("status", status);
        return call.reject(status, body);
    }

    /** A whole-number query parameter in [{@code min}, {@code max}], {@code dflt} when absent. */
    static int intParam(Routes.Call call, String name, int dflt, int min, int max) {
        Optional<String> raw = call.query(name).filter(s -> !s.isBlank());
        if (raw.isEmpty()) {
            return dflt;
        }
        int v;
        try {
            v = Integer.parseInt(raw.get().trim());
        } catch (NumberFormatException e) {
            throw error(call, 400, name + " must be a whole number between " + min + " and " + max + "; was '" + raw.get() + "'");
        }
        if (v < min || v > max) {
            throw error(call, 400, name + " must be between " + min + " and " + max + "; was " + v);
        }
        return v;
    }

    /**
     * The tenant named by a required query parameter (the seed's {@code user_id}): with open access
     * it must be given; with tokens it may be left out (the token names it) and must agree.
     */
    static String requiredTenant(Routes.Call call, String parameter) {
        Optional<String> given = call.query(parameter).filter(s -> !s.isBlank());
        if (given.isEmpty() && call.open()) {
            throw error(call, 400, parameter + " is required (the tenant, e.g. ?" + parameter + "=demo-call-center)");
        }
        return call.tenant(given, "");
    }

    /** {@code agent_config_id} → {@code agentConfigId}. */
    static String camel(String snake) {
        StringBuilder b = new StringBuilder(snake.length());
        boolean up = false;
        for (char ch : snake.toCharArray()) {
            if (ch == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return b.toString();
    }

    /**
     * A row with camelCase field names; JSON columns (stored as text) parsed back into objects. Fields
     * a dashboard looks up in another dataset ({@code lead.name}) are Switchboard's, not the seed's:
     * they are left out, so a seed's shapes stay its own.
     */
    static Map<String, Object> camelRow(Map<?, ?> row, Map<String, String> renames) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((k, v) -> {
            String key = String.valueOf(k);
            if (key.contains(".")) {
                return;
            }
            out.put(renames.getOrDefault(key, camel(key)), v);
        });
        return out;
    }

    /** A JSON column's value as an object, when it is stored as JSON text. */
    static Object json(Object v) {
        if (v instanceof String s && (s.startsWith("{") || s.startsWith("["))) {
            try {
                return JSON.readTree(s);
            } catch (RuntimeException e) {
                return s;
            }
        }
        return v;
    }
}
