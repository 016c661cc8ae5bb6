package dev.switchboard.socketio;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Engine.IO v4 heartbeat of one session: the server pings every {@code pingInterval}, at a
 * fixed rate from the open whenever the pongs come back, and the peer is gone when it has not
 * answered {@code pingTimeout} after the ping was due (or sent, when a busy timer sent it later).
 * Any incoming packet also shows the peer alive: a pending deadline moves to at least
 * {@code pingTimeout} from then. Requests can check {@link #expired()} themselves, so a late
 * timeout task cannot keep a dead session visible.
 *
 * <p>The callbacks run on the timer thread, outside this object's lock.
 */
final class Heartbeat {
    private final ScheduledExecutorService timers;
    private final long interval;
    private final long timeout;
    private final Runnable sendPing;
    private final Runnable onTimeout;
    // guarded by this
    private long nextPing;
    private long deadline;
    private boolean stopped;
    private ScheduledFuture<?> pingTask, timeoutTask;

    Heartbeat(ScheduledExecutorService timers, Duration pingInterval, Duration pingTimeout, Runnable sendPing, Runnable onTimeout) {
        this.timers = timers;
        this.interval = pingInterval.toNanos();
        this.timeout = pingTimeout.toNanos();
        this.sendPing = sendPing;
        this.onTimeout = onTimeout;
    }

    synchronized void start() {
        schedule(System.nanoTime() + interval);
    }

    private void schedule(long due) {
        long now = System.nanoTime();
        nextPing = due - now < 0 ? now : due;
        deadline = nextPing + timeout;
        pingTask = timers.schedule(this::ping, nextPing - now, TimeUnit.NANOSECONDS);
        timeoutTask = timers.schedule(this::check, deadline - now, TimeUnit.NANOSECONDS);
    }

    private void ping() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            atLeast(System.nanoTime() + timeout);
        }
        sendPing.run();
    }

    private void check() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            long left = deadline - System.nanoTime();
            if (left > 0) {
                timeoutTask = timers.schedule(this::check, left, TimeUnit.NANOSECONDS);
                return;
            }
        }
        onTimeout.run();
    }

    /** The pong: the next ping keeps the rhythm. */
    synchronized void pong() {
        if (stopped) {
            return;
        }
        cancel();
        schedule(nextPing + interval);
    }

    /** A packet arrived. */
    synchronized void alive() {
        atLeast(System.nanoTime() + timeout);
    }

    private void atLeast(long t) {
        if (t - deadline > 0) {
            deadline = t;
        }
    }

    /** True when the peer missed its pong deadline (the timeout task may not have run yet). */
    synchronized boolean expired() {
        return !stopped && deadline - System.nanoTime() <= 0;
    }

    synchronized void stop() {
        stopped = true;
        cancel();
    }

    private void cancel() {
        if (pingTask != null) {
            pingTask.cancel(false);
        }
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
        }
    }
}
