package dev.switchboard.packs;

import java.nio.charset.StandardCharsets;

/** Lets tests sign a webhook body as the voice-agent provider would. */
public final class BookingsCompatAccess {
    private BookingsCompatAccess() {}

    public static String hmac(String secret, String body) {
        return dev.switchboard.auth.Signatures.hmacSha256Hex(secret, body.getBytes(StandardCharsets.UTF_8));
    }
}
