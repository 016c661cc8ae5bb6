package dev.switchboard.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Verified tokens are remembered to spare a signature check per request, but never past their expiry. */
class VerifiedTokensTest {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-verified".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRememberedToken_isRefusedFromItsExpiryOn() throws Exception {
        Instant start = Instant.parse("2026-12-02T12:00:00Z");
        AtomicReference<Instant> now = new AtomicReference<>(start);
        Clock clock = new Clock() {
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return now.get();
            }
        };
        Access access = Access.jwt(SECRET, clock, Duration.ofHours(24));
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().claim("tenant", "a").subject("u1")
                .issueTime(Date.from(start)).expirationTime(Date.from(start.plusSeconds(60))).build());
        jwt.sign(new MACSigner(SECRET));
        String token = jwt.serialize();
        assertThat(access.authenticate(token)).hasValueSatisfying(p -> assertThat(p.subject()).isEqualTo("u1"));
        assertThat(access.authenticate(token)).isPresent(); // remembered
        now.set(start.plusSeconds(60));
        assertThat(access.authenticate(token)).isEmpty();
        assertThat(access.authenticate(token.substring(0, token.length() - 2) + "xx")).isEmpty(); // a forged signature is never remembered
    }
}
