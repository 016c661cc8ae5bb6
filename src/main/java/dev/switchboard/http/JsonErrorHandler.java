package dev.switchboard.http;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty raises itself (a malformed request line, a URI or headers too large, an
 * unsupported HTTP version, a failure outside our routes) in the same JSON shape as ours:
 * {@code {"error": "...", "status": N}}, never an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(Api.NOSNIFF);
        return ByteBuffer.wrap(body(status, reason));
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(Api.NOSNIFF);
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    private static byte[] body(int status, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        String text = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        body.put("error", text + hint(status));
        body.put("status", status);
        return Api.JSON.writeValueAsBytes(body);
    }

    private static String hint(int status) {
        return switch (status) {
            case 414 -> "; the URL is too long (at most 8 KiB with its query)";
            case 431 -> "; the request headers are too large (at most 8 KiB)";
            case 505 -> "; use HTTP/1.1";
            default -> "";
        };
    }
}
