package dev.switchboard.socketio;

import java.time.Duration;
import java.util.List;

/** The server's configuration, fixed once built (see {@link SocketIoServer.Builder} for the defaults). */
record Settings(String path, Duration pingInterval, Duration pingTimeout, int maxPayload, Duration connectTimeout,
                Duration upgradeTimeout, List<String> allowedOrigins, boolean recovery, int outboundQueue) {
}
