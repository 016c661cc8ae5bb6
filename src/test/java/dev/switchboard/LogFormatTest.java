package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code --log-format json} writes each log line as one JSON object. */
class LogFormatTest {
    @TempDir
    Path dir;

    @Test
    void jsonLogFormat_writesOneJsonObjectPerLine() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.switchboard.Main",
                "demo", "--port", "0", "--data-dir", dir.toString(), "--simulate-rate", "1", "--log-format", "json"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // a new database logs that it writes simulated history first
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        if (l.contains("simulated history")) {
                            return l;
                        }
                    }
                    return "";
                } catch (java.io.IOException e) {
                    return "";
                }
            });
            String logged = line.get(60, TimeUnit.SECONDS);
            JsonNode json = TestServer.JSON.readTree(logged);
            assertThat(json.path("level").asString()).isEqualTo("INFO");
            assertThat(json.path("loggerName").asString()).isEqualTo("dev.switchboard.Switchboard");
            assertThat(json.path("formattedMessage").asString()).contains("simulated history");
            assertThat(json.path("timestamp").asLong()).isPositive();
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
