package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** One configuration story: flag > environment > file > default, secrets masked, unknown keys refused. */
class ConfigTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("switchboard.yaml"), yaml);
    }

    @Test
    void precedence_flagOverEnvOverFileOverDefault() throws Exception {
        Path f = file("port: 7001\nring-size: 2048\nheartbeat: 20s\nview-idle: 2m\n");
        Map<String, String> env = Map.of("SWITCHBOARD_PORT", "7002", "SWITCHBOARD_RING_SIZE", "1000");
        Config c = Config.resolve(false, Map.of("port", "7003"), env, Optional.of(f));
        assertThat(c.port()).isEqualTo(7003);             // flag beats env and file
        assertThat(c.ringSize()).isEqualTo(1000);         // env beats file
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(20)); // file beats default
        assertThat(c.viewIdle()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.sseQueue()).isEqualTo(1024);         // default
        assertThat(String.join("\n", c.describe()))
                .containsPattern("port +7003 +flag --port")
                .containsPattern("ring-size +1000 +env SWITCHBOARD_RING_SIZE")
                .containsPattern("heartbeat +20s +file switchboard.yaml")
                .containsPattern("sse-queue +1024 +default");
    }

    @Test
    void defaults_matchTodaysConstants() {
        Config c = Config.resolve(false, Map.of(), Map.of(), Optional.empty());
        assertThat(c.ringSize()).isEqualTo(dev.switchboard.hub.Hub.RING);
        assertThat(c.sseQueue()).isEqualTo(dev.switchboard.push.SseSession.QUEUE);
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.httpThreads()).isEqualTo(200);
        assertThat(c.httpSendBuffer()).isEqualTo(dev.switchboard.http.HttpServer.Tuning.SEND_BUFFER).isEqualTo(128 * 1024);
        assertThat(c.pgPoolSize()).isEqualTo(dev.switchboard.store.postgres.PostgresStore.DEFAULT_POOL_SIZE);
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(Config.resolve(true, Map.of(), Map.of(), Optional.empty()).host()).isEqualTo("127.0.0.1");
    }

    @Test
    void roles_needDatabaseAndBroker_brokerNeedsARole_andItsCredentialsAreMasked() {
        Map<String, String> env = Map.of("SWITCHBOARD_DATABASE", "postgres://sb@db:5432/sb", "SWITCHBOARD_INSECURE_OPEN_ACCESS", "true");
        assertThatThrownBy(() -> Config.resolve(false, Map.of("role", "edge"), env, Optional.empty()).validated())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--broker");
        assertThatThrownBy(() -> Config.resolve(false, Map.of("broker", "nats://127.0.0.1:4222"), env, Optional.empty()).validated())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--role");
        assertThatThrownBy(() -> Config.resolve(false, Map.of("role", "broker"), env, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node, capture, edge");
        assertThatThrownBy(() -> Config.resolve(false, Map.of("role", "edge", "broker", "http://nats:4222"), env, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nats://");
        Config c = Config.resolve(false, Map.of("role", "capture", "broker", "nats://user:hunter2@n1:4222,nats://tok@n2:4222",
                "broker-retention", "2h"), env, Optional.empty()).validated();
        assertThat(c.role()).isEqualTo("capture");
        assertThat(c.brokerRetention()).isEqualTo(Duration.ofHours(2));
        assertThat(c.brokerStream()).isEqualTo("switchboard");
        assertThat(String.join("\n", c.describe())).doesNotContain("hunter2").doesNotContain("tok@")
                .containsPattern("broker +nats://\\*\\*\\*@n1:4222,nats://\\*\\*\\*@n2:4222");
        assertThat(c.with(Map.of("role", "node", "broker", "")).role()).isEqualTo("node");
        // a capture node serves no tenant data: it needs no token secret
        assertThat(Config.resolve(false, Map.of("role", "capture", "broker", "nats://n1:4222"),
                Map.of("SWITCHBOARD_DATABASE", "postgres://sb@db:5432/sb"), Optional.empty()).validated().role()).isEqualTo("capture");
    }

    @Test
    void secrets_areMasked_inTheDescription() throws Exception {
        Path f = file("jwt-secret: file-secret-0123456789\n");
        Config c = Config.resolve(false, Map.of(), Map.of("SWITCHBOARD_DATABASE", "postgres://sb:hunter%402@db:5432/sb?sslmode=require"),
                Optional.of(f));
        String text = String.join("\n", c.describe());
        assertThat(text).doesNotContain("file-secret").doesNotContain("hunter")
                .containsPattern("jwt-secret +\\*\\*\\*\\* +file switchboard.yaml")
                .contains("postgresql://sb:****@db:5432/sb?sslmode=require");
        assertThat(c.toString()).doesNotContain("hunter");
    }

    @Test
    void unknownKeyInFile_isRefused_namingItAndSuggesting() throws Exception {
        Path f = file("prot: 8080\n");
        assertThatThrownBy(() -> Config.resolve(false, Map.of(), Map.of(), Optional.of(f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown setting 'prot'").hasMessageContaining("did you mean 'port'");
    }

    @Test
    void badValue_namesTheSettingAndWhereItCameFrom() {
        assertThatThrownBy(() -> Config.resolve(false, Map.of(), Map.of("SWITCHBOARD_HEARTBEAT", "soon"), Optional.empty()))
                .hasMessageContaining("heartbeat (env SWITCHBOARD_HEARTBEAT)").hasMessageContaining("expected a duration");
    }

    @Test
    void oldAllowOriginsVariable_stillWorks() {
        Config c = Config.resolve(false, Map.of(), Map.of("SWITCHBOARD_ALLOW_ORIGINS", "https://a.example.com, https://b.example.com"),
                Optional.empty());
        assertThat(c.allowedOrigins()).containsExactly("https://a.example.com", "https://b.example.com");
    }

    @Test
    void nodeNames_acceptHyphens_butNotAmbiguousForms() {
        Config.validateNode("node-a");
        Config.validateNode("node_a");
        Config.validateNode("node1");
        for (String bad : new String[] {"-a", "a-", "a__b", "a-_b", "a_-b", "Node", "a b", ""}) {
            assertThatThrownBy(() -> Config.validateNode(bad)).as(bad).hasMessageContaining("node name must be");
        }
    }

    @Test
    void configCommand_printsEffectiveConfig_withSourcesAndMaskedSecrets() throws Exception {
        Path f = file("ring-size: 2048\n");
        StringWriter out = new StringWriter();
        CommandLine cmd = Main.commandLine(Map.of("SWITCHBOARD_JWT_SECRET", "env-secret-0123456789abcdef"));
        cmd.setOut(new PrintWriter(out));
        assertThat(cmd.execute("config", "--config", f.toString(), "--port", "9001")).isEqualTo(0);
        assertThat(out.toString()).doesNotContain("env-secret")
                .containsPattern("port +9001 +flag --port").containsPattern("ring-size +2048 +file").containsPattern("jwt-secret +\\*\\*\\*\\*");
    }

    @Test
    void serveHelp_listsEveryEnvironmentVariable() {
        StringWriter out = new StringWriter();
        CommandLine cmd = Main.commandLine(Map.of());
        cmd.setOut(new PrintWriter(out));
        cmd.execute("serve", "--help");
        for (Setting<?> s : Config.settings()) {
            if (s.appliesTo(false)) {
                assertThat(out.toString()).contains(s.env()).contains(s.flag());
            }
        }
        assertThat(out.toString()).contains("SWITCHBOARD_ALLOW_ORIGINS").contains("flag > environment > file > default");
    }

    @Test
    void rootHelp_listsEveryCommand_andHelpAndVersionWork() {
        StringWriter out = new StringWriter();
        CommandLine cmd = Main.commandLine(Map.of());
        cmd.setOut(new PrintWriter(out));
        assertThat(cmd.execute("help")).isEqualTo(0);
        assertThat(out.toString()).contains("demo").contains("serve").contains("test").contains("bench").contains("config");
        StringWriter version = new StringWriter();
        cmd.setOut(new PrintWriter(version));
        assertThat(cmd.execute("--version")).isEqualTo(0);
        assertThat(version.toString()).startsWith("switchboard ").contains("(commit ");
    }

    @Test
    void unknownSwitchboardVariables_areReported_withASuggestion() {
        assertThat(Config.unknownEnvironment(Map.of("SWITCHBOARD_PROT", "1", "SWITCHBOARD_PORT", "2", "SWITCHBOARD_CONFIG", "f",
                "SWITCHBOARD_ALLOW_ORIGINS", "*", "HOME", "/root")))
                .containsExactly("SWITCHBOARD_PROT (did you mean SWITCHBOARD_PORT?)");
    }

    @Test
    void everyTunable_isReadByTheServer_noneWarnsAsNotInEffect() {
        Config c = Config.resolve(false, Map.of("ring-size", "8192", "sse-queue", "64", "view-idle", "1m", "heartbeat", "5s"), Map.of(),
                Optional.empty());
        assertThat(c.notYetInEffect()).isEmpty();
        assertThat(c.ringSize()).isEqualTo(8192);
        assertThat(c.sseQueue()).isEqualTo(64);
    }
}
