package dev.switchboard;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: {@code demo} and {@code serve}. */
@Command(name = "switchboard", mixinStandardHelpOptions = true, version = "switchboard 0.1",
        description = "Real-time dashboard server.", subcommands = {Main.Demo.class, Main.Serve.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with settings errors reported as one line and exit code 2 rather than a stack trace. */
    static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                cmd.getErr().println("switchboard: " + e.getMessage());
                return 2;
            }
            throw e;
        });
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static class Common {
        @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--data-dir", defaultValue = "./data", description = "Folder of the SQLite database (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--dashboards", description = "Extra folder of dashboard definitions (*.yaml).")
        Optional<Path> dashboards;

        @Option(names = "--node", defaultValue = "${env:SWITCHBOARD_NODE:-node1}", description = "This node's name (default: ${DEFAULT-VALUE}).")
        String node;

        @Option(names = "--allow-origin", split = ",", defaultValue = "${env:SWITCHBOARD_ALLOW_ORIGINS}",
                description = "Web origins whose pages may use the API from a browser (CORS), e.g. https://app.example.com; "
                        + "comma-separated or repeated; * for any. Default: none (same origin only).")
        List<String> allowOrigins;

        List<String> origins() {
            return allowOrigins == null ? List.of() : allowOrigins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true, description = "Server, embedded database, simulated traffic, open access.")
    static final class Demo extends Common implements Callable<Integer> {
        @Option(names = "--simulate-rate", defaultValue = "20", description = "Simulated events per second; 0 turns it off (default: ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind (default: ${DEFAULT-VALUE}).")
        String host;

        @Override
        public Integer call() throws Exception {
            return runServer(new Config(true, host, port, dataDir, Optional.empty(), rate, dashboards, Optional.empty(), false, node, origins()));
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Server only; tokens required unless --insecure-open-access.")
    static final class Serve extends Common implements Callable<Integer> {
        @Option(names = "--database", defaultValue = "${env:SWITCHBOARD_DATABASE}", description = "PostgreSQL URL; default is embedded SQLite.")
        Optional<String> database;

        @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to bind (default: ${DEFAULT-VALUE}).")
        String host;

        @Option(names = "--insecure-open-access", description = "Serve without authentication. Never on an untrusted network.")
        boolean insecure;

        @Override
        public Integer call() throws Exception {
            Optional<String> secret = Optional.ofNullable(System.getenv("SWITCHBOARD_JWT_SECRET")).filter(s -> !s.isBlank());
            return runServer(new Config(false, host, port, dataDir, database, 0, dashboards, secret, insecure, node, origins()));
        }
    }

    /** Where the server really listens: a wildcard bind says so rather than printing localhost. */
    static String listening(String host, int port) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            return "http://0.0.0.0:" + port + "/ (every interface; e.g. http://127.0.0.1:" + port + "/ from this machine)";
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/";
    }

    static int runServer(Config config) throws InterruptedException {
        Switchboard sb;
        try {
            sb = Switchboard.start(config, Clock.systemUTC());
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("switchboard: " + e.getMessage());
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sb.close();
            stop.countDown();
        }));
        System.out.println();
        System.out.println("  Switchboard " + (config.demo() ? "demo" : "server") + " is running: " + listening(config.host(), sb.port()));
        if (config.open()) {
            System.out.println("  Open access: no tokens; anyone who can reach this address can read and write every tenant.");
        }
        System.out.println("  Store: " + sb.store().dialect().name() + (config.database().isEmpty() ? " at " + config.dataDir().resolve("switchboard.db") : ""));
        System.out.println("  Press Ctrl+C to stop.");
        System.out.println();
        stop.await();
        return 0;
    }
}
