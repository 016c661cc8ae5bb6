package dev.switchboard.socketio;

/**
 * What a reconnecting client claims (Socket.IO connection state recovery): the private id
 * ({@code pid}) the server gave its previous connection to the namespace, and the offset of the
 * last event it received, i.e. the last argument of that event, a string the application chose.
 * The application decides what to replay from {@code offset}; see {@link Namespace.Admission#recovered()}.
 */
public record Recovery(String pid, String offset) {
}
