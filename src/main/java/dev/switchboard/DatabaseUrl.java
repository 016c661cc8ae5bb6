package dev.switchboard;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import org.postgresql.PGProperty;

/**
 * A PostgreSQL connection URL as users write it, translated for pgjdbc.
 *
 * <p>Accepted forms: libpq URIs {@code postgres://} and {@code postgresql://} (the usual
 * {@code DATABASE_URL}) and pgjdbc's {@code jdbc:postgresql://}, each as
 * {@code scheme://[user[:password]@]host[:port][,host[:port]...]/database[?param=value&...]}.
 * User, password and database are percent-decoded; a raw {@code @} or {@code :} in the password is
 * tolerated, while {@code /}, {@code ?} and {@code #} in it must be percent-encoded (as libpq
 * requires). libpq parameters ({@code sslmode}, {@code application_name}, {@code connect_timeout},
 * {@code target_session_attrs}, ...) are mapped to pgjdbc's properties; pgjdbc's own property
 * names pass through; anything else is refused.
 *
 * <p>The password (and {@code sslpassword}) travel only in {@link #credentials()}, never in
 * {@link #jdbcUrl()} (pgjdbc reports its URL as given, and libraries log it); {@link #toString()}
 * and {@link #redacted()} mask them, and error messages never quote the URL.
 *
 * @param hosts one or more {@code host:port} (IPv6 in brackets); the port defaults to 5432
 * @param database the database name
 * @param user the user, when the URL names one
 * @param password the password, when the URL carries one
 * @param properties further pgjdbc properties, in pgjdbc's names
 */
record DatabaseUrl(List<String> hosts, String database, Optional<String> user, Optional<String> password,
                   Map<String, String> properties) {

    /** libpq parameter names and the pgjdbc properties they become. */
    private static final Map<String, String> LIBPQ = Map.ofEntries(
            Map.entry("sslmode", "sslmode"), Map.entry("sslrootcert", "sslrootcert"), Map.entry("sslcert", "sslcert"),
            Map.entry("sslkey", "sslkey"), Map.entry("sslpassword", "sslpassword"),
            Map.entry("application_name", "ApplicationName"), Map.entry("connect_timeout", "connectTimeout"),
            Map.entry("options", "options"), Map.entry("target_session_attrs", "targetServerType"),
            Map.entry("keepalives", "tcpKeepAlive"), Map.entry("gssencmode", "gssEncMode"),
            Map.entry("load_balance_hosts", "loadBalanceHosts"), Map.entry("channel_binding", "channelBinding"),
            Map.entry("user", "user"), Map.entry("password", "password"), Map.entry("dbname", "dbname"));
    private static final List<String> SSLMODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    private static final Map<String, String> SESSION_ATTRS = Map.of("any", "any", "read-write", "primary", "primary", "primary",
            "read-only", "secondary", "standby", "secondary", "prefer-standby", "preferSecondary");

    DatabaseUrl {
        hosts = List.copyOf(hosts);
        properties = Map.copyOf(properties);
    }

    /**
     * Parses {@code url}; a malformed one is refused with an {@link IllegalArgumentException}
     * saying what is wrong, never quoting the password.
     */
    static DatabaseUrl parse(String url) {
        String rest;
        if (url.startsWith("jdbc:postgresql://")) {
            rest = url.substring("jdbc:postgresql://".length());
        } else if (url.startsWith("postgresql://")) {
            rest = url.substring("postgresql://".length());
        } else if (url.startsWith("postgres://")) {
            rest = url.substring("postgres://".length());
        } else {
            String scheme = url.contains("://") ? url.substring(0, url.indexOf("://") + 3) : "";
            throw bad("must start with postgres://, postgresql:// or jdbc:postgresql://"
                    + (scheme.isEmpty() ? "" : " (it starts with " + scheme + ")"));
        }
        int end = indexOfAny(rest, "/?#", 0);
        String authority = end < 0 ? rest : rest.substring(0, end);
        String tail = end < 0 ? "" : rest.substring(end);
        if (tail.startsWith("#")) {
            throw bad("has a '#' after the host: percent-encode '#' in the password as %23");
        }
        int at = authority.lastIndexOf('@');
        if (at < 0 && tail.contains("@") && tail.indexOf('@') < firstOr(tail.indexOf('?', 1), tail.length())) {
            throw bad("has an '@' after the host: percent-encode '/', '?' and '#' in the password (e.g. '/' as %2F)");
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (at >= 0) {
            String userinfo = authority.substring(0, at);
            int colon = userinfo.indexOf(':');
            user = Optional.of(decode(colon < 0 ? userinfo : userinfo.substring(0, colon), "user")).filter(u -> !u.isEmpty());
            if (colon >= 0) {
                password = Optional.of(decode(userinfo.substring(colon + 1), "password"));
            }
        }
        List<String> hosts = hosts(authority.substring(at + 1));
        int q = tail.indexOf('?');
        String path = q < 0 ? tail : tail.substring(0, q);
        String database = decode(path.startsWith("/") ? path.substring(1) : path, "database name");
        Map<String, String> props = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : tail.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), "parameter name");
                String value = decode(eq < 0 ? "" : pair.substring(eq + 1), "value of " + name);
                String prop = property(name, value);
                switch (prop) {
                    case "user" -> user = Optional.of(value);
                    case "password" -> password = Optional.of(value);
                    case "dbname" -> database = value;
                    default -> props.put(prop, translate(name, value));
                }
            }
        }
        if (database.isEmpty()) {
            throw bad("names no database: add /<database> after the host");
        }
        return new DatabaseUrl(hosts, database, user, password, props);
    }

    private static List<String> hosts(String list) {
        List<String> hosts = new ArrayList<>();
        for (String spec : list.isEmpty() ? new String[] {""} : list.split(",", -1)) {
            String host;
            String port;
            if (spec.startsWith("[")) {
                int close = spec.indexOf(']');
                if (close < 0) {
                    throw bad("has an IPv6 host without its closing ']'");
                }
                host = spec.substring(0, close + 1);
                port = spec.substring(close + 1);
                if (!port.isEmpty() && !port.startsWith(":")) {
                    throw bad("has text after the IPv6 host " + host + ": expected :port");
                }
                port = port.isEmpty() ? "" : port.substring(1);
            } else {
                int colon = spec.indexOf(':');
                host = colon < 0 ? spec : spec.substring(0, colon);
                port = colon < 0 ? "" : spec.substring(colon + 1);
            }
            host = host.isEmpty() ? "localhost" : host;
            if (!host.matches("\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+")) {
                throw bad("has an invalid host name '" + host + "'");
            }
            if (!port.isEmpty() && (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
                throw bad("has an invalid port '" + port + "' for host " + host + " (expected 1-65535)");
            }
            hosts.add(host + ":" + (port.isEmpty() ? "5432" : port));
        }
        return hosts;
    }

    private static String property(String name, String value) {
        if (LIBPQ.containsKey(name)) {
            return LIBPQ.get(name);
        }
        if (PGProperty.forName(name) != null) {
            return name;
        }
        throw bad("has an unsupported parameter '" + name + "' (libpq: " + String.join(", ", new java.util.TreeSet<>(LIBPQ.keySet()))
                + "; or a pgjdbc property name)");
    }

    /** libpq values that pgjdbc spells differently. */
    private static String translate(String name, String value) {
        return switch (name) {
            case "sslmode" -> {
                if (!SSLMODES.contains(value)) {
                    throw bad("has sslmode=" + value + "; expected one of " + String.join(", ", SSLMODES));
                }
                yield value;
            }
            case "target_session_attrs" -> {
                if (!SESSION_ATTRS.containsKey(value)) {
                    throw bad("has target_session_attrs=" + value + "; expected one of " + String.join(", ", new java.util.TreeSet<>(SESSION_ATTRS.keySet())));
                }
                yield SESSION_ATTRS.get(value);
            }
            case "connect_timeout" -> {
                if (!value.matches("[0-9]{1,6}")) {
                    throw bad("has connect_timeout=" + value + "; expected whole seconds");
                }
                yield value;
            }
            case "keepalives" -> "1".equals(value) ? "true" : "0".equals(value) ? "false" : value;
            case "load_balance_hosts" -> "random".equals(value) ? "true" : "disable".equals(value) ? "false" : value;
            default -> value;
        };
    }

    /**
     * The URL for pgjdbc with every property as a query parameter except the password, which
     * goes in {@link #credentials()}: pgjdbc reports its URL as given (connection metadata), and
     * libraries log it.
     */
    String jdbcUrl() {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        user.ifPresent(u -> query.add("user=" + encode(u)));
        properties.forEach((k, v) -> {
            if (!secret(k)) {
                query.add(encode(k) + "=" + encode(v));
            }
        });
        return "jdbc:postgresql://" + String.join(",", hosts) + "/" + encode(database) + query;
    }

    /** The connection properties kept out of {@link #jdbcUrl()}: the password and {@code sslpassword}, if any. */
    java.util.Properties credentials() {
        java.util.Properties p = new java.util.Properties();
        password.ifPresent(pw -> p.setProperty("password", pw));
        properties.forEach((k, v) -> {
            if (secret(k)) {
                p.setProperty(k, v);
            }
        });
        return p;
    }

    private static boolean secret(String property) {
        return property.toLowerCase(java.util.Locale.ROOT).contains("password");
    }

    /** The URL in libpq form with the password masked, for logs and {@code switchboard config}. */
    String redacted() {
        String userinfo = user.map(DatabaseUrl::encode).orElse("") + password.map(p -> ":****").orElse("");
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        properties.forEach((k, v) -> query.add(encode(k) + "=" + (secret(k) ? "****" : encode(v))));
        return "postgresql://" + (userinfo.isEmpty() ? "" : userinfo + "@") + String.join(",", hosts) + "/" + encode(database) + query;
    }

    /** Where this URL points, for error messages: hosts, database and user; never the password. */
    String target() {
        return String.join(",", hosts) + ", database " + database + user.map(u -> ", user " + u).orElse("");
    }

    @Override
    public String toString() {
        return redacted();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Percent-decoding as in URIs: '+' stays '+'. */
    private static String decode(String s, String what) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw bad("has a bad percent-encoding in the " + what + " (a '%' must start %XX)");
                }
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                int cp = s.codePointAt(i);
                byte[] b = Character.toString(cp).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i += Character.charCount(cp) - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw bad("has a percent-encoding in the " + what + " that is not UTF-8");
        }
    }

    private static int indexOfAny(String s, String chars, int from) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static int firstOr(int index, int fallback) {
        return index < 0 ? fallback : index;
    }

    private static IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("database URL " + what);
    }
}
