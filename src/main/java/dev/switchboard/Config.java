package dev.switchboard;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything a Switchboard process is started with; immutable and validated once.
 *
 * @param demo open access plus simulated traffic
 * @param host interface to bind; demo binds loopback by default, serve all interfaces
 * @param port HTTP port (0 picks a free one). The default is 8080
 * @param dataDir where the SQLite file lives ({@code <dataDir>/switchboard.db}). The default is {@code ./data}
 * @param database a PostgreSQL URL; empty means the embedded SQLite store
 * @param simulateRate simulated row changes per second in demo mode; 0 turns the simulator off
 * @param dashboards an extra folder of dashboard definitions
 * @param jwtSecret HS256 secret for tokens; required by serve unless {@code insecureOpen}
 * @param insecureOpen serve without authentication (never in production)
 * @param node this node's name, unique among nodes sharing a database
 * @param allowedOrigins web origins (e.g. {@code https://app.example.com}, or {@code *}) whose pages
 *     may call the API and open streams from the browser (CORS); none by default
 */
public record Config(boolean demo, String host, int port, Path dataDir, Optional<String> database, double simulateRate,
                     Optional<Path> dashboards, Optional<String> jwtSecret, boolean insecureOpen, String node,
                     List<String> allowedOrigins) {

    /** A config that allows no other origins. */
    public Config(boolean demo, String host, int port, Path dataDir, Optional<String> database, double simulateRate,
                  Optional<Path> dashboards, Optional<String> jwtSecret, boolean insecureOpen, String node) {
        this(demo, host, port, dataDir, database, simulateRate, dashboards, jwtSecret, insecureOpen, node, List.of());
    }

    public Config {
        allowedOrigins = List.copyOf(allowedOrigins);
        for (String o : allowedOrigins) {
            if (!o.equals("*") && !o.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                throw new IllegalArgumentException("allowed origin must be scheme://host[:port] with no path, or *; was '" + o + "'");
            }
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
        if (simulateRate < 0 || simulateRate > 100_000) {
            throw new IllegalArgumentException("simulate-rate must be 0-100000 events per second, was " + simulateRate);
        }
        if (database.isPresent() && !database.get().matches("(jdbc:)?postgres(ql)?://.+")) {
            throw new IllegalArgumentException("database must be a postgresql:// URL, was " + database.get());
        }
        if (!demo && jwtSecret.isEmpty() && !insecureOpen) {
            throw new IllegalArgumentException("serve needs authentication: set SWITCHBOARD_JWT_SECRET (32+ bytes) "
                    + "or pass --insecure-open-access for a trusted network only");
        }
        if (!node.matches("[a-z0-9_]{1,40}")) {
            throw new IllegalArgumentException("node name must be 1-40 of a-z, 0-9, _; was '" + node + "'");
        }
    }

    /** Whether requests need a token. */
    public boolean open() {
        return demo || insecureOpen;
    }
}
