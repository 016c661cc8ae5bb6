package dev.switchboard.http;

import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Guards an open-access server bound to loopback against DNS rebinding: a web page on another
 * site whose name is made to resolve to 127.0.0.1 would otherwise reach it from the visitor's
 * browser. Only requests whose {@code Host} names a loopback address ({@code localhost},
 * {@code *.localhost}, {@code 127.x.x.x}, {@code [::1]}) are served; others get 403.
 */
final class LoopbackHost extends Handler.Wrapper {

    LoopbackHost(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String host = Request.getServerName(request);
        if (!loopback(host)) {
            Api.closeIfBodyUnread(request, response);
            Api.error(response, callback, 403, "this open-access server answers only requests for localhost or 127.0.0.1, not '"
                    + host + "' (protection against DNS rebinding); open it as http://127.0.0.1:" + Request.getLocalPort(request) + "/",
                    List.of());
            return true;
        }
        return super.handle(request, response, callback);
    }

    static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}
