package dev.switchboard.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The heartbeat on a real timer with short intervals and bounded waits. */
class HeartbeatTest {
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void missingPong_timesOut_andExpiredSaysSoBeforeTheTimerRuns() throws Exception {
        CountDownLatch timedOut = new CountDownLatch(1);
        AtomicInteger pings = new AtomicInteger();
        Heartbeat h = new Heartbeat(timers, Duration.ofMillis(50), Duration.ofMillis(50), pings::incrementAndGet, timedOut::countDown);
        h.start();
        assertThat(h.expired()).isFalse();
        assertThat(timedOut.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(pings.get()).isEqualTo(1);
        assertThat(h.expired()).as("past the deadline").isTrue();
        h.stop();
        assertThat(h.expired()).as("a stopped heartbeat is not expired, it is over").isFalse();
    }

    @Test
    void pongs_keepItAlive_withPingsAtTheInterval() throws Exception {
        CountDownLatch fivePings = new CountDownLatch(5);
        AtomicInteger timeouts = new AtomicInteger();
        Heartbeat[] h = new Heartbeat[1];
        h[0] = new Heartbeat(timers, Duration.ofMillis(30), Duration.ofMillis(500), () -> {
            fivePings.countDown();
            h[0].pong();
        }, timeouts::incrementAndGet);
        long start = System.nanoTime();
        h[0].start();
        assertThat(fivePings.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - start).as("fixed rate: five pings take at least five intervals")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        h[0].stop();
        assertThat(timeouts.get()).isZero();
    }
}
