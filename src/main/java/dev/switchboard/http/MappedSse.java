package dev.switchboard.http;

import dev.switchboard.hub.Codec;
import dev.switchboard.hub.Event;
import dev.switchboard.push.SseSession;
import java.nio.ByteBuffer;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The SSE framing of a compatibility stream: each native event passed through the route's
 * {@link Routes.Frames} (a seed's event names and shapes), keeping the event's position as its
 * id so that {@code Last-Event-ID} resumes as on the native stream. An event the mapping leaves
 * out writes nothing. Encoded per client ({@link Codec#UNSHARED}): the mapping may depend on the
 * request, and such streams are mostly one client's own slice.
 */
final class MappedSse {
    private MappedSse() {}

    static Codec codec(Routes.Frames frames) {
        return new Codec() {
            @Override
            public int slot() {
                return UNSHARED;
            }

            @Override
            public ByteBuffer encode(Event e) {
                JsonNode data = Api.JSON.readTree(e.json());
                Optional<Routes.Frame> f = frames.frame(e.type(), data);
                if (f.isEmpty()) {
                    return ByteBuffer.allocate(0);
                }
                return SseSession.block(f.get().event(), e.ephemeral(), e.position(), Api.JSON.writeValueAsBytes(f.get().data()));
            }
        };
    }
}
