package dev.switchboard.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outbound queue's bound, in memory (no transport attached: packets wait for a poll). */
class EngineSessionTest {
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<String> closes = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private EngineSession session(int queue) {
        Settings s = new Settings("/socket.io/", Duration.ofMinutes(1), Duration.ofMinutes(1), 1_000_000, Duration.ofMinutes(1),
                Duration.ofSeconds(10), List.of(), false, queue);
        EngineSession e = new EngineSession("sid", s, timers, x -> { });
        e.listener(new EngineSession.Listener() {
            public void onMessage(String text) {
            }

            public void onBinary(byte[] bytes) {
            }

            public void onClose(String reason) {
                closes.add(reason);
            }
        });
        e.open(null);
        return e;
    }

    @Test
    void overflow_closesTheSession_soTheClientReconnects() {
        EngineSession e = session(3);
        assertThat(e.send(List.of(Frame.text("4a"), Frame.text("4b"), Frame.text("4c")), false)).isTrue();
        assertThat(e.send(List.of(Frame.text("4d")), false)).isFalse();
        assertThat(e.closed()).isTrue();
        assertThat(closes).containsExactly("outbound queue full");
    }

    @Test
    void opening_mayExceedTheBound_butLiveEventsAfterItMayNot() {
        EngineSession e = session(2);
        List<Frame> replay = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            replay.add(Frame.text("4r" + i));
        }
        assertThat(e.send(replay, true)).isTrue();
        assertThat(e.send(List.of(Frame.text("4x"), Frame.text("4y")), false)).as("the bound applies on top of the opening").isTrue();
        assertThat(e.send(List.of(Frame.text("4z")), false)).isFalse();
        assertThat(closes).containsExactly("outbound queue full");
    }
}
