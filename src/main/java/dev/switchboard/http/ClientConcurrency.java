package dev.switchboard.http;

import dev.switchboard.limits.Admission;
import dev.switchboard.limits.Rejection;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Caps the requests of one client address that are in progress at once (from arrival until the
 * response is complete), so that one client holding many slow requests cannot occupy the server
 * for everyone. Streams ({@code /api/events}) are long-lived by design and are not counted here;
 * neither is {@code /api/health}, which is cheap and must answer probes while a client misbehaves.
 * A request over the cap gets 429 with {@code Retry-After} and does no work. Every request but
 * health is also admitted under the address's request rate ({@link Admission#tryRequest(String)}).
 */
final class ClientConcurrency extends Handler.Wrapper {
    private final int perClient;
    private final Admission admission;
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

    ClientConcurrency(Handler next, int perClient, Admission admission) {
        super(next);
        this.perClient = perClient;
        this.admission = admission;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (path.equals("/api/health")) {
            return super.handle(request, response, callback);
        }
        String ip = Request.getRemoteAddr(request);
        Optional<Rejection> rate = admission.tryRequest(ip);
        if (rate.isPresent()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(rate.get().retryAfterSeconds()));
            Api.closeIfBodyUnread(request, response);
            Api.error(response, callback, 429, rate.get().message(), List.of());
            return true;
        }
        if (path.startsWith("/api/events/")) {
            return super.handle(request, response, callback);
        }
        if (!acquire(ip)) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            Api.closeIfBodyUnread(request, response);
            Api.error(response, callback, 429, "too many requests in progress from " + ip + " (limit " + perClient
                    + "); wait for some to finish, then retry", List.of());
            return true;
        }
        Callback done = Callback.from(callback, () -> release(ip));
        try {
            if (!super.handle(request, response, done)) {
                release(ip);
                return false;
            }
            return true;
        } catch (Exception | Error e) {
            release(ip);
            throw e;
        }
    }

    private boolean acquire(String ip) {
        boolean[] ok = {false};
        inFlight.compute(ip, (k, n) -> {
            int now = n == null ? 0 : n;
            ok[0] = now < perClient;
            return ok[0] ? now + 1 : n;
        });
        return ok[0];
    }

    private void release(String ip) {
        inFlight.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Client addresses with requests in progress (for tests and metrics). */
    int clients() {
        return inFlight.size();
    }
}
