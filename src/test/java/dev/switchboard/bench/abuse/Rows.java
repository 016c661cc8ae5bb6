package dev.switchboard.bench.abuse;

import java.time.Instant;

/** Rows of the calls pack's call_logs as JSON. */
final class Rows {
    private Rows() {}

    static String call(String id, String status) {
        return "{\"id\":\"" + id + "\",\"status\":\"" + status + "\",\"started_at\":\"" + Instant.now().minusSeconds(30)
                + "\",\"duration\":42,\"outcome\":\"completed\",\"phone_number\":\"+15550100\"}";
    }
}
