package dev.switchboard.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a request's credentials into a {@link Principal}. Production uses HS256 JWTs with claims
 * {@code tenant} (or {@code tenants}), {@code sub}, optional {@code scope} and {@code role}
 * ({@code viewer} default, {@code writer} may ingest); demo mode lets everyone in.
 */
public interface Access {

    /** The caller for a bearer token (empty when none was sent), or empty when it is not valid. */
    Optional<Principal> authenticate(String token);

    /** Whether requests without a token are let in. */
    boolean isOpen();

    static Access anyone() {
        return new Access() {
            public Optional<Principal> authenticate(String token) {
                return Optional.of(Principal.OPEN);
            }

            public boolean isOpen() {
                return true;
            }
        };
    }

    /** HS256 tokens signed with {@code secret} (at least 32 bytes). */
    static Access jwt(byte[] secret, Clock clock) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the JWT secret must be at least 32 bytes, got " + secret.length);
        }
        MACVerifier verifier;
        try {
            verifier = new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable JWT secret: " + e.getMessage(), e);
        }
        return new Access() {
            public Optional<Principal> authenticate(String token) {
                if (token.isEmpty()) {
                    return Optional.empty();
                }
                try {
                    SignedJWT jwt = SignedJWT.parse(token);
                    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                        return Optional.empty();
                    }
                    JWTClaimsSet c = jwt.getJWTClaimsSet();
                    Date exp = c.getExpirationTime();
                    if (exp != null && exp.toInstant().isBefore(clock.instant())) {
                        return Optional.empty();
                    }
                    Set<String> tenants = new HashSet<>();
                    Optional.ofNullable(c.getStringClaim("tenant")).ifPresent(tenants::add);
                    List<String> many = c.getStringListClaim("tenants");
                    if (many != null) {
                        tenants.addAll(many);
                    }
                    if (tenants.isEmpty()) {
                        return Optional.empty();
                    }
                    String sub = Optional.ofNullable(c.getSubject()).orElse("");
                    String scope = Optional.ofNullable(c.getStringClaim("scope")).orElse("");
                    if (!scope.isEmpty() && sub.isEmpty()) {
                        return Optional.empty();
                    }
                    boolean write = "writer".equals(c.getStringClaim("role"));
                    return Optional.of(new Principal(tenants, sub, scope, write));
                } catch (ParseException | JOSEException e) {
                    return Optional.empty();
                }
            }

            public boolean isOpen() {
                return false;
            }
        };
    }
}
