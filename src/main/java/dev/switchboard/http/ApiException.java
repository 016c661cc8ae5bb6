package dev.switchboard.http;

import java.util.List;
import java.util.Map;

/** A request we refuse, with the status and a message the sender can act on. */
final class ApiException extends RuntimeException {
    final int status;
    final List<Map<String, Object>> details;
    /** Extra response headers, e.g. {@code Retry-After} or {@code WWW-Authenticate}. */
    final Map<String, String> headers;

    ApiException(int status, String message) {
        this(status, message, List.of());
    }

    ApiException(int status, String message, List<Map<String, Object>> details) {
        this(status, message, details, Map.of());
    }

    ApiException(int status, String message, List<Map<String, Object>> details, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.details = details;
        this.headers = Map.copyOf(headers);
    }
}
