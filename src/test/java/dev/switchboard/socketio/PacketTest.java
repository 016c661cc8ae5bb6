package dev.switchboard.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** The Socket.IO and Engine.IO codecs in memory (the compliance suite checks them on the wire). */
class PacketTest {
    @Test
    void decode_readsTypeNamespaceAckIdAndPayload() {
        Packet p = Packet.decode("2/admin,13[\"hello\",1]");
        assertThat(p.type()).isEqualTo(Packet.EVENT);
        assertThat(p.nsp()).isEqualTo("/admin");
        assertThat(p.id()).isEqualTo(13);
        assertThat(p.data().toString()).isEqualTo("[\"hello\",1]");

        Packet connect = Packet.decode("0/custom");
        assertThat(connect.nsp()).isEqualTo("/custom");
        assertThat(connect.data()).isNull();
        assertThat(Packet.decode("0{\"token\":\"1\"}").data().path("token").asString()).isEqualTo("1");
    }

    @Test
    void decode_refusesWhatTheReferenceParserRefuses() {
        for (String bad : List.of("abc", "2{}", "2abc[\"a\"]", "2[]", "2[\"connect\"]", "1{}", "4{\"message\":\"x\"}", "3[1]",
                "52[\"a\"]", "5a-[\"a\"]", "599-[\"a\"]", "0[1]", "")) {
            assertThatThrownBy(() -> Packet.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void binaryArguments_travelAsPlaceholdersAndAttachments_andComeBack() {
        var data = JsonNodeFactory.instance.arrayNode().add("file")
                .add(JsonNodeFactory.instance.objectNode().set("bytes", JsonNodeFactory.instance.binaryNode(new byte[] {1, 2})))
                .add(JsonNodeFactory.instance.binaryNode(new byte[] {3}));
        List<Frame> frames = new Packet(Packet.EVENT, "/x", 7, data, 0).encode();
        assertThat(frames).hasSize(3);
        assertThat(frames.get(0).text())
                .isEqualTo("452-/x,7[\"file\",{\"bytes\":{\"_placeholder\":true,\"num\":0}},{\"_placeholder\":true,\"num\":1}]");
        assertThat(frames.get(1).binary()).containsExactly(1, 2);
        assertThat(frames.get(2).binary()).containsExactly(3);

        Packet back = Packet.decode(frames.get(0).text().substring(1));
        assertThat(back.attachments()).isEqualTo(2);
        Packet whole = back.reconstruct(List.of(frames.get(1).binary(), frames.get(2).binary()));
        assertThat(whole.type()).isEqualTo(Packet.EVENT);
        assertThat(whole.data().get(1).get("bytes").binaryValue()).containsExactly(1, 2);
        assertThat(whole.data().get(2).binaryValue()).containsExactly(3);
    }

    @Test
    void reconstruct_refusesAPlaceholderBeyondTheAttachments() {
        Packet p = Packet.decode("51-[\"a\",{\"_placeholder\":true,\"num\":1}]");
        assertThatThrownBy(() -> p.reconstruct(List.of(new byte[] {1}))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encode_leavesTheMainNamespaceImplicit_andEmbedsRawJson() {
        var data = JsonNodeFactory.instance.arrayNode().add("delta").add(SocketIoServer.rawJson("{\"a\":[1,2]}")).add("42-7");
        assertThat(new Packet(Packet.EVENT, "/", -1, data, 0).encode().get(0).text()).isEqualTo("42[\"delta\",{\"a\":[1,2]},\"42-7\"]");
    }

    @Test
    void pollingPayload_joinsWithTheRecordSeparator_andCarriesBinaryAsBase64() {
        byte[] body = Frame.encodePayload(List.of(Frame.text("4hello"), Frame.binary(new byte[] {1, 2, 3}), Frame.PING));
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("4hello\u001ebAQID\u001e2");
        List<Frame> back = Frame.decodePayload(text);
        assertThat(back.get(0).text()).isEqualTo("4hello");
        assertThat(back.get(1).binary()).containsExactly(1, 2, 3);
        assertThat(back.get(2).text()).isEqualTo("2");
        assertThatThrownBy(() -> Frame.decodePayload("4a\u001e")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Frame.decodePayload("b!!")).isInstanceOf(IllegalArgumentException.class);
    }
}
