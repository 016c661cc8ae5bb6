package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, finding 17: an open-access server on loopback cannot be reached through DNS rebinding, and says where it listens. */
class DemoExposureTest {
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String hostAnswer(String host) throws Exception {
        return HttpHardeningTest.raw(server.sb.port(), "GET /api/health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    }

    @Test
    void foreignHostNames_areRefused_loopbackNamesServed() throws Exception {
        int port = server.sb.port();
        for (String host : new String[] {"evil.example.com", "evil.example.com:" + port, "192.168.1.5:" + port, "localhost.evil.com"}) {
            String answer = hostAnswer(host);
            assertThat(answer).as(host).startsWith("HTTP/1.1 403");
            assertThat(answer).as(host).contains("DNS rebinding").contains("\"status\":403");
        }
        for (String host : new String[] {"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "app.localhost:" + port, "localhost"}) {
            assertThat(hostAnswer(host)).as(host).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void theStartLine_namesTheRealAddress() {
        assertThat(Main.listening("0.0.0.0", 8080)).startsWith("http://0.0.0.0:8080/").contains("every interface");
        assertThat(Main.listening("127.0.0.1", 8080)).isEqualTo("http://127.0.0.1:8080/");
        assertThat(Main.listening("::1", 8080)).isEqualTo("http://[::1]:8080/");
    }
}
