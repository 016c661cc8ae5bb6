package dev.switchboard.limits;

import java.time.Duration;

/**
 * Why a request or stream was refused: answer 429 with {@code message} and {@code Retry-After}.
 *
 * @param limit which limit was hit, e.g. {@code rate_per_ip}, {@code streams_per_tenant} (the metric tag)
 * @param message what happened and what to do, for the client
 * @param retryAfter when trying again can succeed (at least one second)
 */
public record Rejection(String limit, String message, Duration retryAfter) {

    /** {@code Retry-After} in whole seconds, at least 1. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
