package dev.switchboard.live;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Compares widget values as SQL and the engine produce them: numbers by value with a relative
 * tolerance (float sums and averages round differently), everything else exactly.
 */
public final class Equality {
    private Equality() {}

    public static boolean sameValues(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            double p = x.doubleValue();
            double q = y.doubleValue();
            return p == q || Math.abs(p - q) <= 1e-9 * Math.max(1, Math.max(Math.abs(p), Math.abs(q)));
        }
        if (a instanceof Map<?, ?> m && b instanceof Map<?, ?> n) {
            if (!m.keySet().equals(n.keySet())) {
                return false;
            }
            for (var e : m.entrySet()) {
                if (!sameValues(e.getValue(), n.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List<?> l && b instanceof List<?> r) {
            if (l.size() != r.size()) {
                return false;
            }
            Iterator<?> i = l.iterator();
            Iterator<?> j = r.iterator();
            while (i.hasNext()) {
                if (!sameValues(i.next(), j.next())) {
                    return false;
                }
            }
            return true;
        }
        return a == null ? b == null : a.equals(b);
    }
}
