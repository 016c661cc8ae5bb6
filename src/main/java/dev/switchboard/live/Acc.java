package dev.switchboard.live;

import dev.switchboard.change.Row;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An accumulator that can take a row's contribution back: the heart of exactness under updates
 * and deletes. Sums keep integers in a long so that adding and removing the same rows returns
 * exactly to where it started.
 */
interface Acc {
    void add(Row row);

    void remove(Row row);

    /** The JSON value: a number, or null where SQL gives NULL. */
    Object value();

    /** Adds everything {@code other} (an accumulator of the same kind) holds, as if its rows had been added here. */
    void absorb(Acc other);

    final class Count implements Acc {
        private final Filter filter;
        long n;

        Count(Filter filter) {
            this.filter = filter;
        }

        public void add(Row row) {
            if (filter.test(row)) {
                n++;
            }
        }

        public void remove(Row row) {
            if (filter.test(row)) {
                n--;
            }
        }

        public Object value() {
            return n;
        }

        public void absorb(Acc other) {
            n += ((Count) other).n;
        }
    }

    /** Sum or average of a numeric field over the rows where it is not NULL. */
    final class Sum implements Acc {
        private final String field;
        private final boolean average;
        private long longSum;
        private double doubleSum;
        private long doubles;
        private long n;

        Sum(String field, boolean average) {
            this.field = field;
            this.average = average;
        }

        public void add(Row row) {
            step(row.raw(field), 1);
        }

        public void remove(Row row) {
            step(row.raw(field), -1);
        }

        private void step(Object v, int sign) {
            if (v instanceof Long l) {
                longSum += sign * l;
                n += sign;
            } else if (Values.number(v) instanceof Double d && !(v instanceof String)) {
                doubleSum += sign * d;
                doubles += sign;
                n += sign;
                if (doubles == 0) {
                    doubleSum = 0; // forget float residue once no fractional values remain
                }
            }
        }

        public Object value() {
            if (average) {
                return n == 0 ? null : (longSum + doubleSum) / n;
            }
            return doubles == 0 ? (Object) longSum : (Object) (longSum + doubleSum);
        }

        public void absorb(Acc other) {
            Sum o = (Sum) other;
            longSum += o.longSum;
            doubleSum += o.doubleSum;
            doubles += o.doubles;
            n += o.n;
        }
    }

    /** Minimum or maximum, surviving deletes by counting every value still present. */
    final class Extreme implements Acc {
        private final String field;
        private final boolean max;
        private final TreeMap<Double, Integer> counts = new TreeMap<>();

        Extreme(String field, boolean max) {
            this.field = field;
            this.max = max;
        }

        public void add(Row row) {
            Double d = numeric(row.raw(field));
            if (d != null) {
                counts.merge(d, 1, Integer::sum);
            }
        }

        public void remove(Row row) {
            Double d = numeric(row.raw(field));
            if (d != null) {
                counts.computeIfPresent(d, (k, c) -> c == 1 ? null : c - 1);
            }
        }

        public Object value() {
            if (counts.isEmpty()) {
                return null;
            }
            return max ? counts.lastKey() : counts.firstKey();
        }

        public void absorb(Acc other) {
            ((Extreme) other).counts.forEach((k, c) -> counts.merge(k, c, Integer::sum));
        }
    }

    final class Distinct implements Acc {
        private final String field;
        private final Map<Object, Integer> counts = new HashMap<>();

        Distinct(String field) {
            this.field = field;
        }

        public void add(Row row) {
            Object v = key(row.raw(field));
            if (v != null) {
                counts.merge(v, 1, Integer::sum);
            }
        }

        public void remove(Row row) {
            Object v = key(row.raw(field));
            if (v != null) {
                counts.computeIfPresent(v, (k, c) -> c == 1 ? null : c - 1);
            }
        }

        public Object value() {
            return (long) counts.size();
        }

        public void absorb(Acc other) {
            ((Distinct) other).counts.forEach((k, c) -> counts.merge(k, c, Integer::sum));
        }

        private static Object key(Object v) {
            return v instanceof Number n ? (Object) n.doubleValue() : v;
        }
    }

    /** Percentage (0-100) of rows that match the numerator; null when there are no rows. */
    final class Ratio implements Acc {
        private final Filter numerator;
        private long num;
        private long den;

        Ratio(Filter numerator) {
            this.numerator = numerator;
        }

        public void add(Row row) {
            den++;
            if (numerator.test(row)) {
                num++;
            }
        }

        public void remove(Row row) {
            den--;
            if (numerator.test(row)) {
                num--;
            }
        }

        public Object value() {
            return den == 0 ? null : 100.0 * num / den;
        }

        public void absorb(Acc other) {
            num += ((Ratio) other).num;
            den += ((Ratio) other).den;
        }
    }

    private static Double numeric(Object v) {
        return v instanceof String ? null : Values.number(v);
    }
}
