package dev.switchboard.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** The real npm socket.io-client 4.8 (Node) against the server over a real port. */
class SocketIoClientTest {
    private Server server;
    private ServerConnector connector;
    private final List<Recovery> recoveries = new CopyOnWriteArrayList<>();
    /** The application's stream: tick i has offset "i". */
    private final List<Integer> ticks = new ArrayList<>();
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        SocketIoServer io = SocketIoServer.builder().connectionStateRecovery(true).build();
        Namespace main = io.of("/");
        main.onConnect((socket, auth, recovery) -> {
            if (!auth.path("token").asString("").equals("good")) {
                return Namespace.Admission.refuse("not authorized", Map.of("reason", "bad token"));
            }
            recovery.ifPresent(recoveries::add);
            socket.on("echo", (args, ack) -> ack.send(args.toArray()));
            socket.on("ask-me", (args, ack) -> socket.emitWithAck(Duration.ofSeconds(5), "question", "q1")
                    .thenAccept(reply -> socket.emit("answer-was", reply.get(0))));
            socket.on("join", (args, ack) -> {
                socket.join(args.get(0).asString());
                ack.send();
            });
            socket.on("leave", (args, ack) -> {
                socket.leave(args.get(0).asString());
                ack.send();
            });
            socket.on("to-room", (args, ack) -> {
                main.emitTo(args.get(0).asString(), "room-message", args.get(1));
                ack.send();
            });
            socket.on("ticks", (args, ack) -> {
                publish(main, args.get(0).asInt());
                ack.send();
            });
            socket.on("ticks-later", (args, ack) -> {
                later.schedule(() -> publish(main, args.get(0).asInt()), args.get(1).asInt(), TimeUnit.MILLISECONDS);
                ack.send();
            });
            socket.on("kick-me", (args, ack) -> socket.disconnect());
            socket.on("stream", (args, ack) -> {
                int n = args.get(0).asInt();
                long everyMs = args.get(1).asLong();
                Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < n; i++) {
                        publish(main, 1);
                        try {
                            Thread.sleep(everyMs);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            });
            // join the stream and replay under the publisher's lock: nothing falls between replay and live
            synchronized (ticks) {
                socket.join("ticks");
                if (recovery.isPresent()) {
                    int from = Integer.parseInt(recovery.get().offset());
                    for (int i = from + 1; i <= ticks.size(); i++) {
                        socket.emit("tick", ticks.get(i - 1), String.valueOf(i));
                    }
                    return Namespace.Admission.recovered();
                }
                String since = auth.path("since").asString("");
                if (!since.isEmpty()) {
                    // no offset yet (cut before its first event): the position the client asked to start from
                    for (int i = Integer.parseInt(since) + 1; i <= ticks.size(); i++) {
                        socket.emit("tick", ticks.get(i - 1), String.valueOf(i));
                    }
                } else {
                    // a fresh subscriber learns where it starts (as an SSE snapshot carries its id)
                    socket.emit("position", String.valueOf(ticks.size()));
                }
            }
            return Namespace.Admission.accept();
        });
        server.setHandler(io);
        server.start();
    }

    private void publish(Namespace ns, int n) {
        synchronized (ticks) {
            for (int k = 0; k < n; k++) {
                ticks.add(ticks.size() + 1);
                ns.emitTo("ticks", "tick", ticks.size(), String.valueOf(ticks.size()));
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        later.shutdownNow();
        server.stop();
    }

    private JsonNode scenario(String name) throws Exception {
        JsonNode out = NodeClient.run("scenarios.mjs", List.of("http://127.0.0.1:" + connector.getLocalPort() + "/", name), 60);
        assertThat(out.path("ok").asBoolean()).as("scenario %s: %s", name, out.path("error").asString("")).isTrue();
        return out.get("result");
    }

    private static void assertRoundTrips(JsonNode r) {
        assertThat(r.get("echo").toString()).isEqualTo("[1,\"two\",{\"three\":[true]}]");
        assertThat(r.get("answer").asString()).isEqualTo("answer to q1");
        assertThat(r.get("binary").toString()).isEqualTo("[1,2,3]");
    }

    @Test
    void pollingOnly_connects_emitsAndAcksBothWays() throws Exception {
        JsonNode r = scenario("transport-polling");
        assertThat(r.get("transport").asString()).isEqualTo("polling");
        assertRoundTrips(r);
    }

    @Test
    void websocketOnly_connects_emitsAndAcksBothWays() throws Exception {
        JsonNode r = scenario("transport-websocket");
        assertThat(r.get("transport").asString()).isEqualTo("websocket");
        assertRoundTrips(r);
    }

    @Test
    void defaultTransports_upgradeFromPollingToWebsocket() throws Exception {
        JsonNode r = scenario("transport-upgrade");
        assertThat(r.get("transport").asString()).isEqualTo("websocket");
        assertRoundTrips(r);
    }

    @Test
    void roomEmit_reachesMembersOnly_untilTheyLeave() throws Exception {
        JsonNode r = scenario("rooms");
        assertThat(r.get("a").toString()).isEqualTo("[\"hello r1\"]");
        assertThat(r.get("b").toString()).isEqualTo("[]");
    }

    @Test
    void refusedAuth_andUnknownNamespace_reachTheClientAsConnectError() throws Exception {
        JsonNode r = scenario("refused");
        assertThat(r.at("/badToken/message").asString()).isEqualTo("not authorized");
        assertThat(r.at("/badToken/data/reason").asString()).isEqualTo("bad token");
        assertThat(r.at("/unknownNamespace/message").asString()).isEqualTo("Invalid namespace");
    }

    @Test
    void serverDisconnect_reachesTheClient_whichDoesNotReconnect() throws Exception {
        JsonNode r = scenario("server-disconnect");
        assertThat(r.get("reason").asString()).isEqualTo("io server disconnect");
        assertThat(r.get("active").asBoolean()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"polling", "websocket", "polling,websocket"})
    void randomDrops_whileEventsFlow_clientEndsWithEveryEventOnceInOrder(String transports) throws Exception {
        int n = 300;
        JsonNode r = NodeClient.run("recorder.mjs", List.of("--url", "http://127.0.0.1:" + connector.getLocalPort() + "/",
                "--auth", "{\"token\":\"good\",\"since\":\"0\"}", "--transports", transports, "--events", "tick", "--emit", "stream:[" + n + ",4]",
                "--until-offset", String.valueOf(n), "--drops", "4", "--drop-min-ms", "80", "--drop-max-ms", "300",
                "--seed", "7", "--timeout-ms", "60000"), 90);
        assertThat(r.path("ok").asBoolean()).as("recorder: %s", r.path("error").asString("")).isTrue();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            expected.add(String.valueOf(i));
        }
        List<String> offsets = new ArrayList<>();
        r.get("offsets").forEach(o -> offsets.add(o.asString()));
        System.out.println(transports + " summary: " + r + " recoveries " + recoveries);
        System.out.printf("%s: %d events, %d drops, %d connections, recovered flags %s%n", transports, offsets.size(),
                r.get("drops").asInt(), r.get("connections").size(), r.get("connections").findValuesAsString("recovered"));
        assertThat(offsets).containsExactlyElementsOf(expected);
        assertThat(r.get("drops").asInt()).as("the connection was cut while events flowed").isPositive();
        for (int c = 1; c < r.get("connections").size(); c++) {
            // a client cut before its first event has no offset to send (it restarts from auth.since)
            if (!r.get("disconnects").get(c - 1).get("lastOffset").isNull()) {
                assertThat(r.get("connections").get(c).get("recovered").asBoolean()).as("reconnect %d recovered", c).isTrue();
            }
        }
    }

    @Test
    void reconnect_sendsPidAndOffset_andTheApplicationReplaysExactlyWhatWasMissed() throws Exception {
        JsonNode r = scenario("recovery");
        System.out.println("recovery scenario: " + r + "; server received " + recoveries);
        assertThat(r.get("firstRecovered").asBoolean()).isFalse();
        assertThat(r.get("recovered").asBoolean()).as("socket.recovered after the reconnect").isTrue();
        assertThat(recoveries).containsExactly(new Recovery(r.get("pid").asString(), r.get("lastOffset").asString()));
        List<Integer> values = new ArrayList<>();
        List<String> offsets = new ArrayList<>();
        r.get("ticks").forEach(t -> {
            values.add(t.get("value").asInt());
            offsets.add(t.get("offset").asString());
        });
        assertThat(values).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(offsets).containsExactly("1", "2", "3", "4", "5", "6");
    }
}
