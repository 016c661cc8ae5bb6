package dev.switchboard.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.JettyWs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Wire bytes over a real port with raw JDK clients: the write paths of both transports under volume. */
class WireTest {
    private static final int EVENTS = 5000;
    private Server server;
    private ServerConnector connector;
    private final HttpClient http = HttpClient.newHttpClient();

    private void start(int maxPayload) throws Exception {
        start(maxPayload, List.of());
    }

    private void start(int maxPayload, List<String> origins) throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        SocketIoServer io = SocketIoServer.builder().maxPayload(maxPayload).allowedOrigins(origins).build();
        io.of("/").onConnect((socket, auth, recovery) -> {
            for (int i = 0; i < EVENTS; i++) {
                socket.emit("e", i); // a long opening: may exceed the queue bound, must arrive whole and in order
            }
            return Namespace.Admission.accept();
        });
        server.setHandler(io);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    private String base() {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/socket.io/?EIO=4&transport=";
    }

    @Test
    void websocket_longOpening_arrivesWholeAndInOrder_oneSendAtATime() throws Exception {
        start(1_000_000);
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        // Jetty's client: the JDK's mis-reads a first frame that arrives with the 101 (JettyWs)
        Session ws = JettyWs.client().connect(new JettyWs.Listener(got::add, (status, reason) -> { }, error -> { }),
                URI.create(base().replace("http", "ws") + "websocket"), new ClientUpgradeRequest()).get(10, TimeUnit.SECONDS);
        assertThat(got.poll(10, TimeUnit.SECONDS)).startsWith("0{").contains("\"upgrades\":[]");
        Callback.Completable.with(sent -> ws.sendText("40", sent)).get(10, TimeUnit.SECONDS);
        assertThat(got.poll(10, TimeUnit.SECONDS)).startsWith("40{\"sid\":");
        for (int i = 0; i < EVENTS; i++) {
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("42[\"e\"," + i + "]");
        }
        ws.close(1000, "", Callback.NOOP);
    }

    @Test
    void polling_batchesWhatIsQueued_withinMaxPayload_inOrder() throws Exception {
        start(2000);
        String open = http.send(HttpRequest.newBuilder(URI.create(base() + "polling")).build(), BodyHandlers.ofString()).body();
        assertThat(open).startsWith("0{").contains("\"upgrades\":[\"websocket\"]", "\"maxPayload\":2000");
        int at = open.indexOf("\"sid\":\"") + 7;
        String sid = open.substring(at, open.indexOf('"', at));
        String post = http.send(HttpRequest.newBuilder(URI.create(base() + "polling&sid=" + sid)).POST(BodyPublishers.ofString("40")).build(),
                BodyHandlers.ofString()).body();
        assertThat(post).isEqualTo("ok");
        List<String> packets = new ArrayList<>();
        int polls = 0;
        while (packets.size() < EVENTS + 1) {
            var r = http.send(HttpRequest.newBuilder(URI.create(base() + "polling&sid=" + sid)).build(), BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(2000);
            packets.addAll(List.of(r.body().split("\u001e")));
            polls++;
        }
        assertThat(packets.get(0)).startsWith("40{\"sid\":");
        for (int i = 0; i < EVENTS; i++) {
            assertThat(packets.get(i + 1)).isEqualTo("42[\"e\"," + i + "]");
        }
        assertThat(polls).as("several packets per response").isLessThan(EVENTS / 10);
    }

    @Test
    void origins_sameOriginAndConfiguredOnesAreServed_othersRefused_onBothTransports() throws Exception {
        start(1_000_000, List.of("https://app.example.com"));
        String host = "127.0.0.1:" + connector.getLocalPort();
        var allowed = http.send(HttpRequest.newBuilder(URI.create(base() + "polling")).header("Origin", "https://app.example.com").build(),
                BodyHandlers.ofString());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        var same = http.send(HttpRequest.newBuilder(URI.create(base() + "polling")).header("Origin", "http://" + host).build(),
                BodyHandlers.ofString());
        assertThat(same.statusCode()).isEqualTo(200);
        var other = http.send(HttpRequest.newBuilder(URI.create(base() + "polling")).header("Origin", "https://evil.example").build(),
                BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).contains("\"status\":403", "https://evil.example");
        var preflight = http.send(HttpRequest.newBuilder(URI.create(base() + "polling")).method("OPTIONS", BodyPublishers.noBody())
                .header("Origin", "https://app.example.com").header("Access-Control-Request-Headers", "content-type").build(),
                BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, POST");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValue("content-type");
        var ws = http.newWebSocketBuilder().header("Origin", "https://evil.example")
                .buildAsync(URI.create(base().replace("http", "ws") + "websocket"), new WebSocket.Listener() { });
        assertThat(ws).failsWithin(10, TimeUnit.SECONDS);
    }

    @Test
    void badRequests_getJsonErrorsNamingTheProblem() throws Exception {
        start(1_000_000);
        String root = "http://127.0.0.1:" + connector.getLocalPort() + "/socket.io/";
        for (String[] c : new String[][] {{"?transport=polling", "EIO=4"}, {"?EIO=3&transport=polling", "EIO=4"},
                {"?EIO=4&transport=jsonp", "transport"}, {"?EIO=4&transport=polling&sid=nope", "Session ID unknown"},
                {"?EIO=4&transport=websocket", "upgrade"}}) {
            var r = http.send(HttpRequest.newBuilder(URI.create(root + c[0])).build(), BodyHandlers.ofString());
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(r.body()).as(c[0]).contains("\"status\":400", c[1]);
        }
        var other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/elsewhere")).build(),
                BodyHandlers.ofString());
        assertThat(other.statusCode()).as("other paths are declined").isEqualTo(404);
    }
}
