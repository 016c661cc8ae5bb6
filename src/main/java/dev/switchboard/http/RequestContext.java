package dev.switchboard.http;

import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.MDC;

/**
 * Gives every request an id ({@code X-Request-Id}: the caller's, if it sends a plausible one, else
 * a new one), answers it in the response header, and puts it with the tenant (from
 * {@code /api/<route>/<tenant>/...} or {@code /api/dashboards/<name>/<tenant>}) into the logging
 * MDC while the request is handled on this thread, so JSON logs carry {@code request_id} and
 * {@code tenant}.
 */
final class RequestContext extends Handler.Wrapper {
    RequestContext(Handler handler) {
        super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String given = request.getHeaders().get("X-Request-Id");
        String id = given != null && given.matches("[A-Za-z0-9._:-]{1,64}") ? given
                : Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        response.getHeaders().put("X-Request-Id", id);
        MDC.put("request_id", id);
        tenant(request.getHttpURI().getPath()).ifPresent(t -> MDC.put("tenant", t));
        try {
            return super.handle(request, response, callback);
        } finally {
            MDC.remove("request_id");
            MDC.remove("tenant");
        }
    }

    static java.util.Optional<String> tenant(String path) {
        if (path == null || !path.startsWith("/api/")) {
            return java.util.Optional.empty();
        }
        String[] parts = path.split("/");
        int at = parts.length > 2 && parts[2].equals("dashboards") ? 4 : 3;
        return parts.length > at && !parts[at].isEmpty() ? java.util.Optional.of(parts[at]) : java.util.Optional.empty();
    }
}
