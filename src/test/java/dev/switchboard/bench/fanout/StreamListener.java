package dev.switchboard.bench.fanout;

/** What a protocol decoder reports about one connection's incoming bytes. Called on the connection's thread. */
interface StreamListener {
    /** The handshake finished: the client is subscribed (SSE: 200 headers; Socket.IO: the namespace's connect ack). */
    void ready();

    /** An event that should carry a writer's stamp (SSE {@code change}; Socket.IO {@code 42["change",...]}). */
    void change(byte[] b, int off, int len);

    /** Any other event or message (snapshot, delta, retry, heartbeat, ping). */
    void other();

    /** Bytes the protocol must send back (Socket.IO connect, pong). */
    void send(byte[] bytes);

    /** The stream cannot continue; the connection is closed. */
    void fail(String why);
}
