package dev.switchboard.packs;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * When a pack's tenants act: each tenant's rate of simulator events at its busiest hour, a shape
 * over the week that the rate follows, and how much history the pack's dashboards show. The
 * demo's backfill and its live loop draw events from the same model over the same instants, so
 * the history of a chart has the density of what arrives live.
 *
 * <p>Events of a tenant arrive as a Poisson process of rate {@code perHour × shape(t) × scale}:
 * the number in any interval is drawn from its expected count, so cutting time into fine steps
 * (live, 250 ms) or coarse ones (backfill) gives the same density.
 *
 * @param perHour events per hour of each tenant at a shape of 1 (tenants are stepped in name order)
 * @param shape how busy each hour of the week is (UTC)
 * @param history how far back a new demo writes history: the longest window the pack's dashboards
 *     show by default, so their long charts start full
 * @param tick simulated time per backfill step: short enough that timed transitions (a call
 *     ending, a slot starting) and capacity limits act as they do live
 */
public record Arrivals(Map<String, Double> perHour, Shape shape, Duration history, Duration tick) {

    public Arrivals {
        perHour = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(perHour));
        perHour.forEach((tenant, rate) -> {
            if (!(rate > 0)) {
                throw new IllegalArgumentException("rate of tenant " + tenant + " must be positive, was " + rate);
            }
        });
        if (history.isNegative() || !tick.isPositive() || tick.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("history must be >= 0 and tick 1 ms-1 h, were " + history + " and " + tick);
        }
    }

    /** Tenants in the order they are stepped. */
    public List<String> tenants() {
        return List.copyOf(perHour.keySet());
    }

    /** Events per second of {@code tenant} at {@code at}, at scale 1. */
    public double rate(String tenant, Instant at) {
        return perHour.get(tenant) * shape.at(at) / 3600.0;
    }

    /**
     * Expected events of {@code tenant} in {@code [from, to)} at {@code scale}: the integral of its
     * rate, exact across hour boundaries (the shape is constant within an hour).
     */
    public double expected(String tenant, Instant from, Instant to, double scale) {
        double sum = 0;
        Instant t = from;
        while (t.isBefore(to)) {
            Instant hourEnd = t.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
            Instant end = hourEnd.isBefore(to) ? hourEnd : to;
            sum += rate(tenant, t) * Duration.between(t, end).toNanos() / 1e9;
            t = end;
        }
        return sum * scale;
    }

    /** How many events each tenant has in {@code [from, to)}: a Poisson draw of its expected count, per tenant in order. */
    public Map<String, Integer> draw(Instant from, Instant to, double scale, RandomGenerator random) {
        Map<String, Integer> events = new LinkedHashMap<>();
        for (String tenant : perHour.keySet()) {
            events.put(tenant, poisson(expected(tenant, from, to, scale), random));
        }
        return events;
    }

    /** A Poisson draw of mean {@code mean}: Knuth's product for small means, a rounded normal beyond 30. */
    static int poisson(double mean, RandomGenerator random) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 30) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int n = 0;
        while (product > limit) {
            product *= random.nextDouble();
            n++;
        }
        return n;
    }

    /**
     * How busy each hour of the week is, from 0 to 1: a weight per hour of the day (UTC) and a
     * factor for Saturdays and Sundays. Night and weekend weights stay above zero on purpose: a
     * demo opened at any hour still shows traffic arriving.
     *
     * @param hourly 24 weights, hour 0 first
     * @param weekend what Saturday and Sunday hours are multiplied by
     */
    public record Shape(List<Double> hourly, double weekend) {
        /** Open by day on weekdays: a shop counter, a clinic's front desk, a sales team. */
        public static final Shape BUSINESS_HOURS = new Shape(List.of(
                0.15, 0.12, 0.1, 0.1, 0.1, 0.12, 0.2, 0.35, 0.6, 0.85, 1.0, 1.0,
                0.9, 0.95, 1.0, 0.95, 0.85, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.18), 0.45);
        /** Lines answered around the clock, busiest in the day and evening. */
        public static final Shape AROUND_THE_CLOCK = new Shape(List.of(
                0.35, 0.32, 0.3, 0.3, 0.3, 0.35, 0.45, 0.65, 0.85, 1.0, 1.0, 1.0,
                0.95, 1.0, 1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35), 0.7);

        public Shape {
            hourly = List.copyOf(hourly);
            if (hourly.size() != 24 || hourly.stream().anyMatch(w -> !(w >= 0 && w <= 1)) || !(weekend >= 0 && weekend <= 1)) {
                throw new IllegalArgumentException("a shape needs 24 hourly weights and a weekend factor in 0..1, was "
                        + hourly + " and " + weekend);
            }
        }

        /** The weight at {@code at}. */
        public double at(Instant at) {
            ZonedDateTime t = at.atZone(ZoneOffset.UTC);
            DayOfWeek day = t.getDayOfWeek();
            double w = hourly.get(t.getHour());
            return day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY ? w * weekend : w;
        }
    }
}
