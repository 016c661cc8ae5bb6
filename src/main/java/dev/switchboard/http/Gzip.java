package dev.switchboard.http;

import org.eclipse.jetty.compression.gzip.GzipCompression;
import org.eclipse.jetty.compression.gzip.GzipEncoderConfig;
import org.eclipse.jetty.compression.server.CompressionConfig;
import org.eclipse.jetty.compression.server.CompressionHandler;
import org.eclipse.jetty.server.Handler;

/**
 * gzip for clients that send {@code Accept-Encoding: gzip}: JSON answers (snapshots, polls,
 * errors), SSE streams, and the UI's files. Jetty's {@link CompressionHandler} negotiates it and
 * sets {@code Content-Encoding} and {@code Vary}; other clients get the same bytes uncompressed.
 *
 * <p>Every write is sync-flushed ({@code Deflater.SYNC_FLUSH}): a stream writes each batch of
 * events as one write, and the flush puts all of it on the wire at once instead of holding it in
 * the compressor until more arrives. An SSE stream keeps its compressor (about 120 KB more resident
 * memory, BENCHMARKS.md) for as long as it is open; clients that do not ask for gzip pay nothing.
 *
 * <p>Request bodies are never decompressed (a gzip body would get around the body size limit's
 * meaning); WebSocket has its own compression (permessage-deflate), and Socket.IO's responses are
 * not compressed.
 */
final class Gzip {
    /** Smallest answer worth compressing. The default is 256 bytes. */
    static final int MIN_SIZE = 256;

    private Gzip() {}

    static Handler wrap(Handler handler) {
        GzipEncoderConfig encoder = new GzipEncoderConfig();
        encoder.setSyncFlush(true);
        GzipCompression gzip = new GzipCompression();
        gzip.setDefaultEncoderConfig(encoder);
        gzip.setMinCompressSize(MIN_SIZE);
        CompressionHandler compression = new CompressionHandler(handler);
        compression.putCompression(gzip);
        CompressionConfig.Builder config = CompressionConfig.builder()
                .compressIncludeEncoding("gzip")
                .compressIncludeMethod("GET")
                .compressIncludeMethod("POST")
                .compressIncludeMethod("DELETE")
                .compressExcludePath("/socket.io/*")
                .decompressIncludeMethod("NONE"); // no request method is called NONE: bodies stay as sent
        for (String type : new String[] {"application/json", "text/event-stream", "text/html", "text/javascript", "text/css",
                "text/plain", "image/svg+xml"}) {
            config.compressIncludeMimeType(type);
        }
        compression.putConfiguration("/*", config.build());
        return compression;
    }
}
