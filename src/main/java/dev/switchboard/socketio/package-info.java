/**
 * A small Socket.IO v5 server (over Engine.IO v4) on Jetty 12: HTTP long-polling, WebSocket and
 * the upgrade between them, heartbeats, namespaces, events with acks both ways, binary
 * attachments, rooms, and the hooks of connection state recovery.
 *
 * <h2>Application API</h2>
 * <ul>
 *   <li>{@link dev.switchboard.socketio.SocketIoServer}: built with
 *       {@code SocketIoServer.builder()...build()}, mounted as a Jetty handler (it handles its
 *       path, {@code /socket.io/}, and declines the rest); {@code of(name)} creates a namespace.
 *       Clients may connect only to namespaces created with {@code of}.</li>
 *   <li>{@link dev.switchboard.socketio.Namespace}: {@code onConnect((socket, auth, recovery) -> Admission)}
 *       decides (accept, recovered, or refuse with a message the client sees in
 *       {@code connect_error}); {@code emit} to all, {@code emitTo(room, ...)} to a room.</li>
 *   <li>{@link dev.switchboard.socketio.Socket}: {@code on(event, (args, ack) -> ...)},
 *       {@code emit}, {@code emitWithAck}, {@code join}/{@code leave}, {@code onDisconnect},
 *       {@code disconnect()}.</li>
 *   <li>{@link dev.switchboard.socketio.Recovery}: the {@code pid} and {@code offset} a
 *       reconnecting client sends.</li>
 * </ul>
 *
 * <h2>Connection state recovery, application-driven</h2>
 * With {@code connectionStateRecovery(true)} every CONNECT reply carries a {@code pid}. The
 * application puts an offset (a string, e.g. a stream position) as the last argument of each
 * event it wants resumable; the client keeps the last one it received. On reconnect the client
 * sends {@code pid} and {@code offset} in its CONNECT payload and the connect handler receives
 * them as a {@link dev.switchboard.socketio.Recovery}. The server keeps no event history: the
 * application replays from the offset by emitting on the socket inside the handler (those emits
 * are sent right after the CONNECT reply and before anything emitted later, and may exceed the
 * outbound queue bound) and answers {@code Admission.recovered()} so that the client sees
 * {@code socket.recovered === true}, or {@code Admission.accept()} when it could not replay
 * (e.g. the offset is too old: then it sends a fresh state instead). A client cut before its
 * first event has no offset to send back: let it put a starting position in its {@code auth}
 * and replay from that when there is no {@code Recovery}. Clients should drop events whose
 * offset is not after the last they applied (docs/SOCKETIO.md explains the client-side race).
 * To avoid a gap between replay and live events, join the rooms (or register the live
 * subscription) inside the handler before reading what to replay, and let the application
 * drop duplicates by offset, or register under the same lock the publisher holds.
 *
 * <h2>Threads and writes</h2>
 * Handlers run on the thread that read the packet (a Jetty thread), one packet at a time per
 * connection. Emits never block: each connection has one bounded outbound queue; a WebSocket has
 * at most one send outstanding, a held poll takes what is queued in one response. A connection
 * whose queue overflows is closed, and its client reconnects (and may recover).
 *
 * <h2>Not implemented</h2>
 * Engine.IO v3 / Socket.IO v2 clients (EIO=3), the JSONP and WebTransport transports,
 * {@code permessage-deflate} settings beyond Jetty's defaults, HTTP compression of polling
 * responses, sticky sessions or an adapter for several nodes (a polling client must reach the
 * node holding its session), server-side session restoring (rooms and socket id after a
 * reconnect: the application re-joins), broadcast acks, and catch-all listeners.
 */
package dev.switchboard.socketio;
