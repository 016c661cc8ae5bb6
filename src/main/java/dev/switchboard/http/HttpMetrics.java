package dev.switchboard.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Times every request by method, route and status ({@code http_server_requests_seconds}) and
 * counts the refused ones ({@code switchboard_http_rejected_total}, status 400 and up) by route
 * and status. Routes are the first two path segments ({@code /api/ingest}), so label values stay
 * few; a stream's time is its connection's lifetime.
 */
final class HttpMetrics extends Handler.Wrapper {
    private final MeterRegistry registry;

    HttpMetrics(Handler handler, MeterRegistry registry) {
        super(handler);
        this.registry = registry;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        String method = request.getMethod();
        String route = route(request.getHttpURI().getPath());
        Callback timed = new Callback() {
            @Override
            public void succeeded() {
                record(method, route, response.getStatus(), start);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                record(method, route, response.isCommitted() ? response.getStatus() : 500, start);
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
        boolean handled = super.handle(request, response, timed);
        if (!handled) {
            record(method, route, 404, start);
        }
        return handled;
    }

    private void record(String method, String route, int status, long start) {
        String code = Integer.toString(status);
        Timer.builder("http_server_requests").description("HTTP requests (streams: their connection's lifetime)")
                .tags("method", method, "route", route, "status", code)
                .publishPercentileHistogram().maximumExpectedValue(java.time.Duration.ofSeconds(30)).register(registry)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        if (status >= 400) {
            Counter.builder("switchboard_http_rejected").description("Requests answered with an error status, by route and status")
                    .tags("route", route, "status", code).register(registry).increment();
        }
    }

    /** {@code /api/<name>} for API routes, {@code /metrics}, or {@code static} for pages and assets. */
    static String route(String path) {
        if (path == null) {
            return "static";
        }
        if (path.equals("/metrics")) {
            return path;
        }
        if (path.startsWith("/api/")) {
            String[] parts = path.split("/", 4);
            return parts.length > 2 && parts[2].matches("[a-z.]{1,20}") ? "/api/" + parts[2] : "/api/other";
        }
        return "static";
    }
}
