package dev.switchboard.packs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ArrivalsTest {
    /** A Wednesday. */
    private static final Instant START = Instant.parse("2026-11-25T00:00:00Z");
    private static final Arrivals MODEL = new Arrivals(Map.of("b", 1800.0, "a", 3600.0), Arrivals.Shape.BUSINESS_HOURS,
            Duration.ofDays(7), Duration.ofSeconds(60));

    /** Events drawn over [from, to) in steps of {@code step}, per tenant. */
    private static Map<String, Long> drawn(Instant from, Instant to, Duration step, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Long> total = new java.util.TreeMap<>();
        for (Instant t = from; t.isBefore(to); t = t.plus(step)) {
            MODEL.draw(t, t.plus(step), 1, random).forEach((tenant, n) -> total.merge(tenant, (long) n, Long::sum));
        }
        return total;
    }

    @Test
    void expected_isTheIntegralOfTheShapedRate_acrossHoursAndWeekends() {
        Instant saturday = Instant.parse("2026-11-28T10:00:00Z");
        assertThat(MODEL.expected("a", saturday, saturday.plus(Duration.ofHours(1)), 1)).isCloseTo(3600 * 1.0 * 0.45, Percentage.withPercentage(1e-9));
        assertThat(MODEL.expected("b", START.plus(Duration.ofMinutes(630)), START.plus(Duration.ofMinutes(690)), 2))
                .as("10:30-11:30 on a weekday, at scale 2").isCloseTo(2 * (900 * 1.0 + 900 * 1.0), Percentage.withPercentage(1e-9));
        double week = MODEL.expected("a", START, START.plus(Duration.ofDays(7)), 1);
        double byHour = 0;
        for (Instant t = START; t.isBefore(START.plus(Duration.ofDays(7))); t = t.plus(Duration.ofHours(1))) {
            byHour += MODEL.rate("a", t) * 3600;
        }
        assertThat(week).isCloseTo(byHour, Percentage.withPercentage(1e-9));
    }

    @Test
    void backfillSteps_andLiveSteps_drawTheSameDensity() {
        Instant end = START.plus(Duration.ofDays(2));
        Map<String, Long> backfill = drawn(START, end, Duration.ofSeconds(60), 1);
        Map<String, Long> live = drawn(START, end, Duration.ofMillis(250), 2);
        for (String tenant : MODEL.tenants()) {
            double expected = MODEL.expected(tenant, START, end, 1);
            assertThat((double) backfill.get(tenant)).as("backfill events of " + tenant).isCloseTo(expected, Percentage.withPercentage(3));
            assertThat((double) live.get(tenant)).as("live events of " + tenant).isCloseTo(expected, Percentage.withPercentage(3));
        }
        assertThat(backfill.get("a")).as("tenant a is twice as busy as b").isCloseTo(2 * backfill.get("b"), Percentage.withPercentage(5));
    }

    @Test
    void theShape_followsBusinessHours_andWeekends() {
        Map<String, Long> night = drawn(START.plus(Duration.ofHours(2)), START.plus(Duration.ofHours(3)), Duration.ofSeconds(60), 3);
        Map<String, Long> noon = drawn(START.plus(Duration.ofHours(11)), START.plus(Duration.ofHours(12)), Duration.ofSeconds(60), 3);
        Instant saturdayNoon = Instant.parse("2026-11-28T11:00:00Z");
        Map<String, Long> weekend = drawn(saturdayNoon, saturdayNoon.plus(Duration.ofHours(1)), Duration.ofSeconds(60), 3);
        assertThat(noon.get("a")).isGreaterThan(5 * night.get("a"));
        assertThat(weekend.get("a")).isLessThan(noon.get("a") * 6 / 10).isGreaterThan(noon.get("a") * 3 / 10);
    }

    @Test
    void aModel_refusesNonPositiveRates_andBadShapes() {
        assertThatThrownBy(() -> new Arrivals(Map.of("a", 0.0), Arrivals.Shape.BUSINESS_HOURS, Duration.ofDays(1), Duration.ofSeconds(1)))
                .hasMessageContaining("rate of tenant a must be positive, was 0.0");
        assertThatThrownBy(() -> new Arrivals.Shape(List.of(1.0), 1)).hasMessageContaining("24 hourly weights");
    }

    static List<String> packs() {
        return PackFiles.packs();
    }

    private static final Pattern WINDOW = Pattern.compile("window:\\s*\"?([^\\s,}\"]+)\"?");
    /** A dashboard's {@code range:} block: its widgets over {@code ${range}} show the default range first. */
    private static final Pattern RANGE_DEFAULT = Pattern.compile("(?m)^range:\\s*\\n\\s+default:\\s*(\\S+)");
    private static final Pattern PARAM_DEFAULT = Pattern.compile("(\\w+):\\s*\\{\\s*default:\\s*(\\d+)");

    /**
     * The longest span a pack's dashboards show by default: trailing windows, today and this week
     * (up to 7 days back). Parameters take their defaults; upcoming and all-time windows need no history.
     */
    static Duration longestWindow(String pack) {
        Duration longest = Duration.ZERO;
        for (Path file : PackFiles.dashboards(pack)) {
            String yaml = PackFiles.read(file);
            Matcher r = RANGE_DEFAULT.matcher(yaml);
            if (r.find()) {
                yaml = yaml.replace("${range}", r.group(1));
            }
            Matcher p = PARAM_DEFAULT.matcher(yaml);
            while (p.find()) {
                yaml = yaml.replace("${" + p.group(1) + "}", p.group(2));
            }
            Matcher m = WINDOW.matcher(yaml);
            while (m.find()) {
                String w = m.group(1);
                Duration d = switch (w) {
                    case "today" -> Duration.ofDays(1);
                    case "this_week" -> Duration.ofDays(7);
                    case "this_month" -> Duration.ofDays(31);
                    case "upcoming", "past", "all" -> Duration.ZERO;
                    default -> {
                        long n = Long.parseLong(w.substring(0, w.length() - 1));
                        yield switch (w.charAt(w.length() - 1)) {
                            case 's' -> Duration.ofSeconds(n);
                            case 'm' -> Duration.ofMinutes(n);
                            case 'h' -> Duration.ofHours(n);
                            case 'd' -> Duration.ofDays(n);
                            default -> Duration.ofDays(7 * n);
                        };
                    }
                };
                longest = d.compareTo(longest) > 0 ? d : longest;
            }
        }
        return longest;
    }

    @ParameterizedTest
    @MethodSource("packs")
    void eachPacksHistory_coversTheLongestWindowItsDashboardsShow(String pack) {
        Simulator simulator = Simulators.forPack(pack).orElseThrow();
        Duration longest = longestWindow(pack);
        assertThat(longest).as(pack + " windows").isPositive();
        // every windowed stat is compared with its previous period (range), which must be history too
        assertThat(simulator.arrivals().history()).as(pack + " history").isGreaterThanOrEqualTo(longest.multipliedBy(2));
    }

    @Test
    void theShopsRevenueChart_isThirtyDays_soItsHistoryIs() {
        assertThat(longestWindow("shop")).isEqualTo(Duration.ofDays(30));
        assertThat(Simulators.forPack("shop").orElseThrow().arrivals().history()).isEqualTo(Duration.ofDays(60));
    }
}
