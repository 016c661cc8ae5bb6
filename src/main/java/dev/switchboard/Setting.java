package dev.switchboard;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One operator setting: its name in the config file ({@code key}), as a flag ({@code --key}) and
 * as an environment variable ({@code SWITCHBOARD_KEY}), its type, its default and what it means.
 * Every value arrives as text (flags, environment, YAML scalars) and is parsed and range-checked
 * here, so a bad value is refused with the setting's name and where the value came from.
 *
 * @param <T> the value's type
 */
final class Setting<T> {
    /** Which commands a setting applies to. */
    enum Scope { ALL, DEMO, SERVE }

    final String key;
    final String description;
    final Scope scope;
    final boolean secret;
    final boolean booleanFlag;
    private final Function<Boolean, String> defaultText;
    private final Function<String, T> parser;
    private final Function<T, String> printer;

    private Setting(String key, String description, Scope scope, boolean secret, boolean booleanFlag,
                    Function<Boolean, String> defaultText, Function<String, T> parser, Function<T, String> printer) {
        this.key = key;
        this.description = description;
        this.scope = scope;
        this.secret = secret;
        this.booleanFlag = booleanFlag;
        this.defaultText = defaultText;
        this.parser = parser;
        this.printer = printer;
    }

    String flag() {
        return "--" + key;
    }

    String env() {
        return "SWITCHBOARD_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    boolean appliesTo(boolean demo) {
        return scope == Scope.ALL || (scope == Scope.DEMO) == demo;
    }

    /** The default as text, for {@code demo} or {@code serve}; empty text means "not set". */
    String defaultText(boolean demo) {
        return defaultText.apply(demo);
    }

    /** Parses {@code text}; an {@link IllegalArgumentException} names the setting and {@code origin}. */
    T parse(String text, String origin) {
        try {
            return parser.apply(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " (" + origin + "): " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    String print(Object value) {
        return printer.apply((T) value);
    }

    // ---- factories -------------------------------------------------------------------------

    static Setting<Integer> integer(String key, int def, int min, int max, String description) {
        return new Setting<>(key, description, Scope.ALL, false, false, d -> Integer.toString(def), s -> {
            int v;
            try {
                v = Integer.parseInt(s.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number, was '" + s + "'");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("must be " + min + "-" + max + ", was " + v);
            }
            return v;
        }, String::valueOf);
    }

    static Setting<Double> decimal(String key, double def, double min, double max, Scope scope, String description) {
        return new Setting<>(key, description, scope, false, false, d -> plain(def), s -> {
            double v;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number, was '" + s + "'");
            }
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException("must be " + plain(min) + "-" + plain(max) + ", was " + s);
            }
            return v;
        }, Setting::plain);
    }

    static Setting<Duration> duration(String key, Duration def, Duration min, Duration max, String description) {
        return new Setting<>(key, description, Scope.ALL, false, false, d -> print(def), s -> {
            Duration v = parseDuration(s);
            if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
                throw new IllegalArgumentException("must be " + print(min) + " to " + print(max) + ", was " + s);
            }
            return v;
        }, Setting::print);
    }

    static Setting<Boolean> bool(String key, Scope scope, String description) {
        return new Setting<>(key, description, scope, false, true, d -> "false", s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false, was '" + s + "'");
        }, String::valueOf);
    }

    static Setting<String> text(String key, Function<Boolean, String> def, String pattern, String description) {
        return new Setting<>(key, description, Scope.ALL, false, false, def, s -> {
            if (!s.matches(pattern)) {
                throw new IllegalArgumentException("must match " + pattern + ", was '" + s + "'");
            }
            return s;
        }, s -> s);
    }

    static Setting<String> choice(String key, String def, List<String> choices, String description) {
        return new Setting<>(key, description, Scope.ALL, false, false, d -> def, s -> {
            if (!choices.contains(s)) {
                throw new IllegalArgumentException("must be one of " + String.join(", ", choices) + ", was '" + s + "'");
            }
            return s;
        }, s -> s);
    }

    static Setting<Path> path(String key, String def, String description) {
        return new Setting<>(key, description, Scope.ALL, false, false, d -> def, Path::of, Path::toString);
    }

    /** An optional value: empty text (the default) means not set. */
    static <V> Setting<Optional<V>> optional(String key, Scope scope, boolean secret, Function<String, V> parser,
                                             Function<V, String> printer, String description) {
        return new Setting<>(key, description, scope, secret, false, d -> "",
                s -> s.isEmpty() ? Optional.empty() : Optional.of(parser.apply(s)), v -> v.map(printer).orElse(""));
    }

    /** A comma-separated list (a YAML list, or a flag repeated, arrives as the same). */
    /** A value of any type, parsed and validated by {@code parse} and written back by {@code format}; empty by default. */
    static <T> Setting<T> custom(String key, String description, java.util.function.Function<String, T> parse, java.util.function.Function<T, String> format) {
        return new Setting<>(key, description, Scope.ALL, false, false, d -> "", parse, format);
    }

    static Setting<List<String>> list(String key, String description) {
        return new Setting<>(key, description, Scope.ALL, false, false, d -> "",
                s -> Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList(), v -> String.join(",", v));
    }

    // ---- durations -------------------------------------------------------------------------

    private static final Pattern DURATION = Pattern.compile("([0-9]+)\\s*(ms|s|m|min|h|d)");

    /** {@code 500ms}, {@code 15s}, {@code 5m} (or {@code 5min}), {@code 2h}, {@code 1d}, or ISO-8601 {@code PT15S}. */
    static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(s.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(s.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 15s, 5m, 2h or PT15S, was '" + s + "'");
        }
    }

    static String print(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        } else if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
