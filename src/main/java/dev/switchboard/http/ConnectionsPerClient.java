package dev.switchboard.http;

import dev.switchboard.limits.Admission;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;

/**
 * Caps the open TCP connections of one client address ({@code Limits.connectionsPerIp}): a
 * connection over the cap is closed as soon as it is accepted, before anything is read from it.
 * Without it, a client sending its request heads a byte at a time (slowloris) holds as many
 * connections as it opens, since no request exists yet for the other limits to count. Connections
 * are counted until they close or are upgraded to a WebSocket (whose stream counts as a stream).
 */
final class ConnectionsPerClient implements Connection.Listener {
    private final Admission admission;
    /** The counted connections and their client address (unknown once the socket is closed). */
    private final Map<Connection, String> counted = new ConcurrentHashMap<>();

    ConnectionsPerClient(Admission admission) {
        this.admission = admission;
    }

    @Override
    public void onOpened(Connection connection) {
        String ip = connection.getEndPoint().getRemoteSocketAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() : String.valueOf(connection.getEndPoint().getRemoteSocketAddress());
        if (admission.tryOpenConnection(ip).isPresent()) {
            connection.getEndPoint().close();
            return;
        }
        counted.put(connection, ip);
    }

    @Override
    public void onClosed(Connection connection) {
        String ip = counted.remove(connection);
        if (ip != null) {
            admission.closeConnection(ip);
        }
    }
}
