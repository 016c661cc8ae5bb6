package dev.switchboard.http;

import dev.switchboard.push.MessageSession;
import dev.switchboard.push.Streams;
import dev.switchboard.push.Subscription;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket of a pack's protocol ({@link Routes#socket}): a {@link MessageSession} watching
 * what the connection asked for at the upgrade, and the client's messages handed to the
 * connection, whose replies go out behind what is queued. Public only because Jetty calls
 * endpoint methods through a public lookup.
 */
public final class ProtocolEndpoint implements Session.Listener.AutoDemanding {
    private static final Logger LOG = LoggerFactory.getLogger(ProtocolEndpoint.class);

    private final ProtocolSocket socket;
    private final Routes.Connection connection;
    private final Subscription subscription;
    private final Streams streams;
    private final Sessions sessions;
    private final Owner owner;
    private final Runnable release;
    private final List<dev.switchboard.live.ViewKey> keys;
    private MessageSession session;

    /** Whose connection it is, for the session counts and the token's expiry; {@code path} labels it. */
    record Owner(String tenant, dev.switchboard.auth.Principal who, String path) {}

    ProtocolEndpoint(ProtocolSocket socket, Routes.Connection connection, Subscription subscription, List<dev.switchboard.live.ViewKey> keys,
                     Streams streams, Sessions sessions, Owner owner, Runnable release) {
        this.socket = socket;
        this.connection = connection;
        this.subscription = subscription;
        this.keys = keys;
        this.streams = streams;
        this.sessions = sessions;
        this.owner = owner;
        this.release = release;
    }

    @Override
    public void onWebSocketOpen(Session ws) {
        ws.setMaxTextMessageSize(WsEndpoint.MAX_MESSAGE);
        session = new MessageSession(ws, subscription, streams.queue(), socket.codec, socket.translator(connection, keys));
        sessions.add(session, owner.tenant(), owner.who(), "websocket", owner.path() + " " + String.join(" ", subscription.topics()));
        streams.expireAt(session, owner.who().expiresAt());
        session.open(Optional.empty());
    }

    @Override
    public void onWebSocketText(String text) {
        List<String> replies;
        try {
            synchronized (connection) {
                replies = connection.received(text);
            }
        } catch (RuntimeException e) {
            LOG.error("{}: handling a client message failed", socket.template, e);
            sessions.messageError(owner.tenant());
            return;
        }
        replies.forEach(session::send);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        end(Optional.empty());
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        end(Optional.of(cause));
    }

    private void end(Optional<Throwable> cause) {
        if (session != null) {
            session.close(cause);
            sessions.remove(session);
        }
        release.run();
    }
}
