package dev.switchboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The command line: {@code demo}, {@code serve}, {@code config}, {@code help}, and the
 * {@code test} and {@code bench} commands that the {@code ./switchboard} launcher runs from the
 * source tree. Every {@link Config} setting is an option of {@code demo} and {@code serve}
 * (and {@code config}), generated from its declaration.
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Real-time dashboard server.",
        subcommands = {Main.Demo.class, Main.Serve.class, Main.ShowConfig.class, Main.Test.class, Main.Bench.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static final String PRECEDENCE = "Every option is also an environment variable (SWITCHBOARD_<OPTION>, e.g. SWITCHBOARD_RING_SIZE) "
            + "and a key of the YAML file given by --config (e.g. ring-size: 4096). Precedence: flag > environment > file > default.";

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    static CommandLine commandLine() {
        return commandLine(System.getenv());
    }

    /**
     * The command line reading {@code env} as its environment, with settings errors reported as one
     * line and exit code 2 rather than a stack trace.
     */
    static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new Main());
        for (String name : List.of("demo", "serve", "config")) {
            CommandLine sub = cl.getSubcommands().get(name);
            ((Runner) sub.getCommand()).env = env;
            addSettings(sub.getCommandSpec(), name.equals("demo"));
        }
        return cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                cmd.getErr().println("switchboard: " + e.getMessage());
                return 2;
            }
            throw e;
        });
    }

    /** One option per setting that applies to the command, described with its variable and default. */
    private static void addSettings(CommandSpec spec, boolean demo) {
        boolean both = spec.name().equals("config");
        for (Setting<?> s : Config.settings()) {
            if (!both && !s.appliesTo(demo)) {
                continue;
            }
            String def = s.defaultText(demo);
            String aliases = Config.ENV_ALIASES.entrySet().stream().filter(a -> a.getValue() == s).map(a -> " or " + a.getKey())
                    .collect(java.util.stream.Collectors.joining());
            String scope = s.scope == Setting.Scope.ALL ? "" : " (" + s.scope.name().toLowerCase(java.util.Locale.ROOT) + " only)";
            OptionSpec.Builder o = OptionSpec.builder(s.flag())
                    .description(s.description + scope, "  Env: " + s.env() + aliases + (def.isEmpty() ? "" : "; default: " + def + "."));
            if (s.booleanFlag) {
                o.type(String.class).arity("0..1").fallbackValue("true").paramLabel("<true|false>");
            } else if (s.key.equals("allow-origin")) {
                o.type(String[].class).arity("1").paramLabel("<origin>");
            } else {
                o.type(String.class).arity("1").paramLabel("<" + s.key + ">");
            }
            spec.addOption(o.build());
        }
        spec.usageMessage().footer("", PRECEDENCE);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Shared by the commands that resolve a {@link Config}. */
    abstract static class Runner {
        Map<String, String> env = Map.of();

        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "<file>", description = {"YAML file of settings (keys as the option names).",
                "  Env: SWITCHBOARD_CONFIG."})
        Optional<Path> configFile;

        Config resolve(boolean demo) {
            ParseResult parsed = spec.commandLine().getParseResult();
            Map<String, String> flags = new LinkedHashMap<>();
            for (Setting<?> s : Config.settings()) {
                OptionSpec o = parsed.matchedOption(s.flag());
                if (o != null) {
                    Object v = o.getValue();
                    flags.put(s.key, v instanceof String[] a ? String.join(",", a) : String.valueOf(v));
                }
            }
            Config.unknownEnvironment(env).forEach(v -> spec.commandLine().getErr().println("switchboard: warning: ignoring unknown variable " + v));
            Optional<Path> file = configFile.or(() -> Optional.ofNullable(env.get("SWITCHBOARD_CONFIG")).filter(f -> !f.isBlank()).map(Path::of));
            Config config = Config.resolve(demo, flags, env, file);
            config.notYetInEffect().forEach(w -> spec.commandLine().getErr().println("switchboard: warning: " + w));
            return config;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Server, embedded database, simulated traffic, open access.")
    static final class Demo extends Runner implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return runServer(resolve(true).validated());
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Server only; tokens required unless --insecure-open-access.")
    static final class Serve extends Runner implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return runServer(resolve(false).validated());
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Print the effective configuration of serve (or --demo) with secrets masked, and where each value came from.")
    static final class ShowConfig extends Runner implements Callable<Integer> {
        @Option(names = "--demo", description = "Show the demo's configuration instead of serve's.")
        boolean demo;

        @Override
        public Integer call() {
            Config config = resolve(demo);
            PrintWriter out = spec.commandLine().getOut();
            out.println("# switchboard " + (demo ? "demo" : "serve") + ": effective configuration (flag > env > file > default)");
            config.describe().forEach(out::println);
            out.flush();
            try {
                config.validated();
                return 0;
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("switchboard: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "test", description = "Run the whole test suite, as CI does (./switchboard test [maven args]; needs the source tree).")
    static final class Test implements Callable<Integer> {
        @Override
        public Integer call() {
            return launcherOnly("test");
        }
    }

    @Command(name = "bench", description = "Run the benchmarks (./switchboard bench [...]; see BENCHMARKS.md; needs the source tree).")
    static final class Bench implements Callable<Integer> {
        @Override
        public Integer call() {
            return launcherOnly("bench");
        }
    }

    private static int launcherOnly(String command) {
        System.err.println("switchboard: '" + command + "' is run by the ./switchboard launcher in the source tree: ./switchboard " + command);
        return 2;
    }

    /** Version and commit, baked in at build time ({@code switchboard-version.properties}, filtered by Maven). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/switchboard-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException ignored) {
                // unknown then
            }
            return new String[] {"switchboard " + known(p.getProperty("version")) + " (commit " + known(p.getProperty("commit")) + ")"};
        }

        private static String known(String value) {
            return value == null || value.isBlank() || value.contains("${") ? "unknown" : value;
        }
    }

    /** Where the server really listens: a wildcard bind says so rather than printing localhost. */
    static String listening(String host, int port) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            return "http://0.0.0.0:" + port + "/ (every interface; e.g. http://127.0.0.1:" + port + "/ from this machine)";
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/";
    }

    /** The exit status when a stop overran {@code shutdown-timeout} and the process was halted. */
    static final int HALTED = 1;

    /** Halts the process when a graceful stop has not finished within {@code bound} (a close that hangs must not keep it alive). */
    private static void haltAfter(java.time.Duration bound) {
        try {
            Thread.sleep(bound);
        } catch (InterruptedException finished) {
            return;
        }
        System.err.println("switchboard: the stop did not finish within shutdown-timeout (" + bound.toMillis() + " ms); halting");
        Runtime.getRuntime().halt(HALTED);
    }

    static int runServer(Config config) throws InterruptedException {
        Logs.configure(config.logFormat());
        if (config.role().equals("capture")) {
            return runCapture(config);
        }
        // a settings or connection problem propagates to the handler in commandLine(): one line, exit 2
        Switchboard sb = Switchboard.start(config, Clock.systemUTC());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM or Ctrl+C: a graceful stop, bounded; the JVM then exits with 143 (SIGTERM) or 130 (SIGINT)
            Thread watchdog = Thread.ofPlatform().daemon().name("sb-shutdown-watchdog").start(() -> haltAfter(config.shutdownTimeout()));
            sb.shutdown();
            watchdog.interrupt();
            stop.countDown();
        }, "sb-shutdown"));
        System.out.println();
        System.out.println("  Switchboard " + (config.demo() ? "demo" : "server") + " is running: " + listening(config.host(), sb.port()));
        if (config.open()) {
            System.out.println("  Open access: no tokens; anyone who can reach this address can read and write every tenant.");
        }
        System.out.println("  Store: " + sb.store().dialect().name() + (config.database().isEmpty()
                ? " at " + config.dataDir().resolve("switchboard.db") : " at " + DatabaseUrl.parse(config.database().get()).target()));
        System.out.println("  Press Ctrl+C to stop.");
        System.out.println();
        stop.await();
        return 0;
    }

    /** {@code serve --role capture}: capture and publish to the broker; health and metrics only. */
    static int runCapture(Config config) throws InterruptedException {
        CaptureNode node = CaptureNode.start(config, Clock.systemUTC());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // what is in flight lands; a standby takes the lease once this node's connection closes
            Thread watchdog = Thread.ofPlatform().daemon().name("sb-shutdown-watchdog").start(() -> haltAfter(config.shutdownTimeout()));
            node.close();
            watchdog.interrupt();
            stop.countDown();
        }, "sb-shutdown"));
        System.out.println();
        System.out.println("  Switchboard capture node " + config.node() + " is running: " + listening(config.host(), node.port()));
        System.out.println("  It serves /api/health (active or standby) and /metrics; dashboards and streams are on the edge nodes.");
        System.out.println("  Publishing to JetStream stream " + config.brokerStream() + " at " + Config.redactBroker(config.broker().orElseThrow())
                + " while it holds the capture lease; standing by otherwise.");
        System.out.println("  Press Ctrl+C to stop.");
        System.out.println();
        stop.await();
        return 0;
    }
}
