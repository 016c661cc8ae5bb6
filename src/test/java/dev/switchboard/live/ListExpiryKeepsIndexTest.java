package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Row;
import dev.switchboard.change.Times;
import dev.switchboard.dataset.DatasetCatalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression: when the window of a list moved, expired rows were removed from the buffer with the
 * iterator and their key read afterwards; TreeMap hands a removed inner node's entry to its
 * successor, so the key of the next row was dropped from the index instead. The expired row's
 * key stayed indexed and a later update of the surviving row left a stale copy in the list.
 */
class ListExpiryKeepsIndexTest {
    @Test
    void expiringRowsLeavesTheOthersUpdatable() {
        var dataset = DatasetCatalog.parse("""
                ev:
                  key: id
                  tenant: t
                  time: at
                  columns: { id: text, t: text, at: time, score: number }
                """, "test").get(0);
        long now = Instant.parse("2026-11-23T12:00:00Z").toEpochMilli();
        ListWidget list = new ListWidget("top", dataset, Filter.ALL, Window.parse("2h", "test"), java.time.ZoneOffset.UTC,
                "score", true, 20, List.of(), new Lookups("t"));
        list.refill(new Widget.Sql() {
            public dev.switchboard.store.Dialect dialect() {
                return new dev.switchboard.store.Dialect() {
                    public String name() {
                        return "test";
                    }

                    public Object time(Instant t) {
                        return Times.format(t);
                    }
                };
            }

            public List<Row> query(String sql, List<Object> params) {
                return List.of();
            }
        }, now);
        // a balanced tree of 15 rows: the odd scores are old and expire, the even ones stay
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            long at = now - (i % 2 == 1 ? 100 : 10) * 60_000L;
            rows.add(Row.of(Map.of("id", "r" + i, "t", "a", "at", Times.format(Instant.ofEpochMilli(at)), "score", (double) i)));
            list.apply(Row.NONE, rows.get(i));
        }
        list.advance(now + 30 * 60_000L); // rows 100 minutes old fall out of the 2h window
        for (int i = 0; i < 15; i += 2) { // every survivor moves to a new score
            Map<String, Object> moved = new java.util.HashMap<>(rows.get(i).values());
            moved.put("score", 100.0 + i);
            list.apply(rows.get(i), Row.of(moved));
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> value = (List<Map<String, Object>>) list.value(now);
        assertThat(value).extracting(m -> m.get("id")).containsExactly("r14", "r12", "r10", "r8", "r6", "r4", "r2", "r0");
    }
}
