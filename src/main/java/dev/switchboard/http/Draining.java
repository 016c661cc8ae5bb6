package dev.switchboard.http;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Counts the requests in progress (from arrival until their response is complete; a stream's
 * lasts as long as the stream) and, once the server is draining, refuses new ones: 503 with
 * {@code Retry-After: 1} and {@code Connection: close}, so a client or load balancer retries on
 * another node and the keep-alive connection does not bring it back here. Requests of a Socket.IO
 * connection already open ({@code /socket.io/?sid=...}) still pass: they carry that connection's
 * last packets, among them the {@code reconnect} notice.
 */
final class Draining extends Handler.Wrapper {
    /** What a refused request is told. */
    static final String MESSAGE = "this server is shutting down; retry on another node (or here once it is back)";

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    Draining(Handler next) {
        super(next);
    }

    /** From now on new requests are refused. */
    void refuseNew() {
        draining = true;
    }

    /** Requests in progress, streams included. */
    int inFlight() {
        return inFlight.get();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (draining && !continuesSocketIo(request)) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            Api.error(response, callback, 503, MESSAGE, List.of());
            return true;
        }
        inFlight.incrementAndGet();
        AtomicBoolean counted = new AtomicBoolean(true);
        Runnable done = () -> {
            if (counted.compareAndSet(true, false)) {
                inFlight.decrementAndGet();
            }
        };
        try {
            if (!super.handle(request, response, Callback.from(callback, done))) {
                done.run();
                return false;
            }
            return true;
        } catch (Exception | Error e) {
            done.run();
            throw e;
        }
    }

    private static boolean continuesSocketIo(Request request) {
        return Request.getPathInContext(request).startsWith("/socket.io/") && request.getHttpURI().getQuery() != null
                && Request.extractQueryParameters(request).getValue("sid") != null;
    }
}
