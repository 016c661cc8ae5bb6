package dev.switchboard.live;

import dev.switchboard.change.Row;
import dev.switchboard.change.Times;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An expression per time bucket across the window. A late row lands in its own (earlier) bucket;
 * buckets empty of rows show 0 for counts and sums, null otherwise. Minute and hour buckets are
 * aligned to UTC, day and week buckets to midnight in the dashboard's zone.
 */
final class SeriesWidget implements Widget, RowSet.Sink {
    private final String name;
    private final Expr expr;
    private final Duration bucket;
    private final RowSet rows;
    private final ZoneId zone;
    private final Map<Long, Acc> buckets = new HashMap<>();
    private final Map<Long, Long> counts = new HashMap<>();

    SeriesWidget(String name, Expr expr, Duration bucket, RowSet rows, ZoneId zone) {
        this.name = name;
        this.expr = expr;
        this.bucket = bucket;
        this.rows = rows;
        this.zone = zone;
        rows.attach(this);
    }

    public String name() {
        return name;
    }

    long floor(long t) {
        if (bucket.toMillis() % 86_400_000L != 0) {
            return Math.floorDiv(t, bucket.toMillis()) * bucket.toMillis();
        }
        var day = Instant.ofEpochMilli(t).atZone(zone).toLocalDate();
        long days = bucket.toDays();
        if (days == 7) {
            day = day.with(java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY));
        } else if (days > 1) {
            day = day.minusDays(Math.floorMod(day.toEpochDay(), days));
        }
        return day.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    private long next(long start) {
        if (bucket.toMillis() % 86_400_000L != 0) {
            return start + bucket.toMillis();
        }
        return Instant.ofEpochMilli(start).atZone(zone).plusDays(bucket.toDays()).toInstant().toEpochMilli();
    }

    public void enter(Row row) {
        long b = floor(RowSet.time(row, rows.dataset.time()));
        buckets.computeIfAbsent(b, k -> expr.accumulator().get()).add(row);
        counts.merge(b, 1L, Long::sum);
    }

    public void leave(Row row) {
        long b = floor(RowSet.time(row, rows.dataset.time()));
        Acc acc = buckets.get(b);
        if (acc == null) {
            return;
        }
        acc.remove(row);
        if (counts.merge(b, -1L, Long::sum) == 0) {
            counts.remove(b);
            buckets.remove(b);
        }
    }

    /** Bucket starts shown at {@code now}: from the window's start to now (or the window's end). */
    List<Long> range(long now) {
        long lower = rows.window.lower(now, zone);
        long upper = rows.window.upper(now, zone);
        long last = floor(upper == Long.MAX_VALUE ? now : upper - 1);
        List<Long> out = new ArrayList<>();
        for (long b = floor(lower); b <= last; b = next(b)) {
            out.add(b);
        }
        return out;
    }

    public Object value(long now) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (long b : range(now)) {
            Acc acc = buckets.get(b);
            out.add(point(b, acc == null ? empty() : acc.value()));
        }
        return out;
    }

    private Object empty() {
        return switch (expr.fn()) {
            case "count", "rate", "distinct" -> 0L;
            case "sum" -> 0L;
            default -> null;
        };
    }

    private static Map<String, Object> point(long bucketStart, Object v) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("t", Times.format(Instant.ofEpochMilli(bucketStart)));
        p.put("v", v);
        return p;
    }

    /** SQLite refuses compound SELECTs of more than 500 terms; a series may have up to 5000 buckets. */
    static final int TERMS_PER_QUERY = 400;

    public Object sqlValue(Sql sql, long now) {
        List<Long> range = range(now);
        long lower = rows.window.lower(now, zone);
        long upper = rows.window.upper(now, zone);
        Object[] values = new Object[range.size()];
        for (int start = 0; start < range.size(); start += TERMS_PER_QUERY) {
            List<Object> params = new ArrayList<>();
            StringBuilder union = new StringBuilder();
            for (int i = start; i < Math.min(range.size(), start + TERMS_PER_QUERY); i++) {
                long from = Math.max(range.get(i), lower);
                long to = Math.min(next(range.get(i)), upper);
                if (i > start) {
                    union.append(" UNION ALL ");
                }
                union.append("SELECT ").append(i).append(" AS i, ").append(expr.sql(params, sql.dialect())).append(" AS v FROM ")
                        .append(rows.dataset.name()).append(" WHERE ");
                rows.filter.sql(union, params, sql.dialect());
                union.append(" AND ").append(rows.dataset.time()).append(" >= ? AND ").append(rows.dataset.time()).append(" < ?");
                params.add(sql.dialect().time(Instant.ofEpochMilli(from)));
                params.add(sql.dialect().time(Instant.ofEpochMilli(to)));
            }
            for (Row r : sql.query(union.toString(), params)) {
                Object v = Widget.number(r.raw("v"));
                String fn = expr.fn();
                values[((Number) r.raw("i")).intValue()] = v instanceof Number n && (fn.equals("count") || fn.equals("distinct")) ? (Object) n.longValue() : v;
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < range.size(); i++) {
            out.add(point(range.get(i), values[i]));
        }
        return out;
    }
}
