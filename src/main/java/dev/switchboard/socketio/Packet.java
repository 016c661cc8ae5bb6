package dev.switchboard.socketio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.BinaryNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Socket.IO v5 packet: {@code <type>[<attachments>-][<nsp>,][<id>][<json>]}, carried in an
 * Engine.IO message. Binary values ({@link BinaryNode}) travel as attachments: the JSON holds
 * {@code {"_placeholder":true,"num":n}} and the bytes follow as n binary Engine.IO messages.
 *
 * @param id the ack id, or -1 when none
 * @param data the payload, or null when the packet has none
 */
record Packet(int type, String nsp, long id, JsonNode data, int attachments) {
    static final int CONNECT = 0, DISCONNECT = 1, EVENT = 2, ACK = 3, CONNECT_ERROR = 4, BINARY_EVENT = 5, BINARY_ACK = 6;
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** As the reference parser: more attachments than this is refused. */
    static final int MAX_ATTACHMENTS = 10;
    private static final Set<String> RESERVED = Set.of("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

    /**
     * Parses the text of an Engine.IO message.
     *
     * @throws IllegalArgumentException naming what is wrong (unknown type, bad namespace, bad JSON, invalid payload)
     */
    static Packet decode(String s) {
        if (s.isEmpty() || s.charAt(0) < '0' || s.charAt(0) > '6') {
            throw new IllegalArgumentException("unknown packet type in " + abbreviate(s));
        }
        int type = s.charAt(0) - '0';
        int i = 1;
        int attachments = 0;
        if (type == BINARY_EVENT || type == BINARY_ACK) {
            int dash = s.indexOf('-', i);
            if (dash < 0 || dash == i || dash - i > 2 || !digits(s, i, dash)) {
                throw new IllegalArgumentException("illegal attachments in " + abbreviate(s));
            }
            attachments = Integer.parseInt(s, i, dash, 10);
            if (attachments > MAX_ATTACHMENTS) {
                throw new IllegalArgumentException("too many attachments: " + attachments);
            }
            i = dash + 1;
        }
        String nsp = "/";
        if (i < s.length() && s.charAt(i) == '/') {
            int comma = s.indexOf(',', i);
            int end = comma < 0 ? s.length() : comma;
            nsp = s.substring(i, end);
            i = comma < 0 ? end : comma + 1;
        }
        int idStart = i;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && i - idStart < 16) {
            i++;
        }
        long id = i > idStart ? Long.parseLong(s, idStart, i, 10) : -1;
        JsonNode data = null;
        if (i < s.length()) {
            try {
                data = JSON.readTree(s.substring(i));
            } catch (JacksonException e) {
                throw new IllegalArgumentException("invalid JSON payload in " + abbreviate(s));
            }
        }
        Packet p = new Packet(type, nsp, id, data, attachments);
        p.validate();
        return p;
    }

    private void validate() {
        boolean ok = switch (type) {
            case CONNECT -> data == null || data.isObject();
            case DISCONNECT -> data == null;
            case EVENT, BINARY_EVENT -> data != null && data.isArray() && !data.isEmpty()
                    && (data.get(0).isNumber() || data.get(0).isString() && !RESERVED.contains(data.get(0).asString()));
            case ACK, BINARY_ACK -> data != null && data.isArray() && id >= 0;
            default -> false; // CONNECT_ERROR is server to client only
        };
        if (!ok) {
            throw new IllegalArgumentException("invalid payload for packet type " + type);
        }
    }

    /** The Engine.IO messages of this packet: the text (with placeholders) and then each attachment. */
    List<Frame> encode() {
        List<byte[]> buffers = new ArrayList<>();
        JsonNode json = data == null ? null : deconstruct(data, buffers);
        int t = type;
        if (!buffers.isEmpty()) {
            t = type == EVENT ? BINARY_EVENT : type == ACK ? BINARY_ACK : type;
        }
        StringBuilder out = new StringBuilder("4").append(t);
        if (!buffers.isEmpty()) {
            out.append(buffers.size()).append('-');
        }
        if (!nsp.equals("/")) {
            out.append(nsp).append(',');
        }
        if (id >= 0) {
            out.append(id);
        }
        if (json != null) {
            out.append(JSON.writeValueAsString(json));
        }
        List<Frame> frames = new ArrayList<>(1 + buffers.size());
        frames.add(Frame.text(out.toString()));
        buffers.forEach(b -> frames.add(Frame.binary(b)));
        return frames;
    }

    /** Replaces binary values by placeholders; copies only when there is something to replace. */
    private static JsonNode deconstruct(JsonNode node, List<byte[]> buffers) {
        if (node instanceof BinaryNode b) {
            ObjectNode placeholder = JsonNodeFactory.instance.objectNode();
            placeholder.put("_placeholder", true);
            placeholder.put("num", buffers.size());
            buffers.add(b.binaryValue());
            return placeholder;
        }
        if (!hasBinary(node)) {
            return node;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(a.size());
            a.forEach(v -> copy.add(deconstruct(v, buffers)));
            return copy;
        }
        ObjectNode copy = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            copy.set(e.getKey(), deconstruct(e.getValue(), buffers));
        }
        return copy;
    }

    private static boolean hasBinary(JsonNode node) {
        if (node instanceof BinaryNode) {
            return true;
        }
        if (node.isContainer()) {
            for (JsonNode v : node.values()) {
                if (hasBinary(v)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * This packet with its placeholders replaced by the attachments received after it.
     *
     * @throws IllegalArgumentException on a placeholder whose number is out of range
     */
    Packet reconstruct(List<byte[]> buffers) {
        return new Packet(type == BINARY_EVENT ? EVENT : type == BINARY_ACK ? ACK : type, nsp, id, fill(data, buffers), 0);
    }

    private static JsonNode fill(JsonNode node, List<byte[]> buffers) {
        if (node.isObject() && node.path("_placeholder").asBoolean(false) && node.path("num").isInt()) {
            int num = node.get("num").asInt();
            if (num < 0 || num >= buffers.size()) {
                throw new IllegalArgumentException("placeholder " + num + " out of range");
            }
            return JsonNodeFactory.instance.binaryNode(buffers.get(num));
        }
        if (node instanceof ArrayNode a) {
            for (int k = 0; k < a.size(); k++) {
                a.set(k, fill(a.get(k), buffers));
            }
        } else if (node instanceof ObjectNode o) {
            for (String name : List.copyOf(o.propertyNames())) {
                o.set(name, fill(o.get(name), buffers));
            }
        }
        return node;
    }

    private static boolean digits(String s, int from, int to) {
        for (int k = from; k < to; k++) {
            if (!Character.isDigit(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
