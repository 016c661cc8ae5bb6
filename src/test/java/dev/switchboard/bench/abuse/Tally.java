package dev.switchboard.bench.abuse;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What one kind of abusive client got: answers by status (or what happened instead), and connections held now and at most. */
final class Tally {
    final String name;
    final String what;
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger maxHeld = new AtomicInteger();

    Tally(String name, String what) {
        this.name = name;
        this.what = what;
    }

    void count(String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    void count(int status) {
        count(String.valueOf(status));
    }

    void opened() {
        maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
    }

    void closed() {
        held.decrementAndGet();
    }

    int maxHeld() {
        return maxHeld.get();
    }

    String outcomes() {
        Map<String, Long> sorted = new TreeMap<>();
        outcomes.forEach((k, v) -> sorted.put(k, v.sum()));
        StringBuilder b = new StringBuilder();
        sorted.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(k).append(": ").append(String.format("%,d", v)));
        return b.toString();
    }
}
