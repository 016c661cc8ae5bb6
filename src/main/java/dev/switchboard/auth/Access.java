package dev.switchboard.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a request's credentials into a {@link Principal}. Production uses HS256 JWTs with claims
 * {@code tenant} (or {@code tenants}), {@code sub}, optional {@code scope} and {@code role}
 * ({@code viewer} default, {@code writer} may ingest, {@code admin} administers the tenants it
 * names and may write, see below); demo mode lets everyone in.
 *
 * <p>Token rules: {@code exp} is required and must not have passed; {@code nbf} and {@code iat},
 * when present, must not lie more than {@link #CLOCK_SKEW} in the future; the lifetime
 * ({@code exp} minus {@code iat}, or minus now without {@code iat}) must not exceed the maximum
 * lifetime. The tenant {@code *} (all tenants) is the operator grant: it is accepted only with
 * {@code role: admin} and no other tenant, and may also read {@code /metrics}. {@code role: admin}
 * with named tenants is a tenant admin (no scope allowed).
 */
public interface Access {

    /** How far in the future {@code nbf} and {@code iat} may lie, for clocks that differ a little. */
    Duration CLOCK_SKEW = Duration.ofSeconds(60);

    /** The longest token lifetime accepted by {@link #jwt(byte[], Clock)}. */
    Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);

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

    /**
     * Credentials starting with {@code prefix} (API keys) are checked by {@code keys}, all others
     * by {@code tokens}.
     */
    static Access withKeys(Access tokens, String prefix, java.util.function.Function<String, Optional<Principal>> keys) {
        return new Access() {
            public Optional<Principal> authenticate(String token) {
                return token.startsWith(prefix) ? keys.apply(token) : tokens.authenticate(token);
            }

            public boolean isOpen() {
                return tokens.isOpen();
            }
        };
    }

    /** HS256 tokens signed with {@code secret} (at least 32 bytes), living at most {@link #DEFAULT_MAX_LIFETIME}. */
    static Access jwt(byte[] secret, Clock clock) {
        return jwt(secret, clock, DEFAULT_MAX_LIFETIME);
    }

    /** HS256 tokens signed with {@code secret} (at least 32 bytes), living at most {@code maxLifetime}. */
    static Access jwt(byte[] secret, Clock clock, Duration maxLifetime) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the JWT secret must be at least 32 bytes, got " + secret.length);
        }
        if (Secrets.weak(secret)) {
            org.slf4j.LoggerFactory.getLogger(Access.class).warn("the JWT secret looks weak (few distinct characters); "
                    + "use 32 random bytes, e.g. openssl rand -hex 32");
        }
        MACVerifier verifier;
        try {
            verifier = new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable JWT secret: " + e.getMessage(), e);
        }
        // Verified tokens, so that a client sending the same token with every request (a browser, a
        // backend) costs one HMAC and one parse, not one per request. Only valid tokens enter, and a
        // hit is checked against its expiry; bounded by dropping all when full.
        java.util.Map<String, Principal> verified = new java.util.concurrent.ConcurrentHashMap<>();
        return new Access() {
            public Optional<Principal> authenticate(String token) {
                if (token.isEmpty()) {
                    return Optional.empty();
                }
                Principal known = verified.get(token);
                if (known != null) {
                    if (clock.millis() < known.expiresAt()) {
                        return Optional.of(known);
                    }
                    verified.remove(token);
                    return Optional.empty();
                }
                Optional<Principal> who = verify(token);
                who.ifPresent(p -> {
                    if (verified.size() >= VERIFIED_CACHE) {
                        verified.clear();
                    }
                    verified.put(token, p);
                });
                return who;
            }

            private Optional<Principal> verify(String token) {
                try {
                    SignedJWT jwt = SignedJWT.parse(token);
                    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                        return Optional.empty();
                    }
                    JWTClaimsSet c = jwt.getJWTClaimsSet();
                    if (!timely(c, clock.instant(), maxLifetime)) {
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
                    String role = Optional.ofNullable(c.getStringClaim("role")).orElse("viewer");
                    boolean admin = Principal.ADMIN.equals(role);
                    if (tenants.contains(Principal.ALL_TENANTS) && (!admin || tenants.size() > 1)) {
                        // "*" without the admin role is a mistake, not a grant; the operator grant names no tenant but all
                        return Optional.empty();
                    }
                    if (admin && !scope.isEmpty()) {
                        // an admin sees its whole tenant: a scope would contradict the role
                        return Optional.empty();
                    }
                    boolean write = admin || "writer".equals(role);
                    return Optional.of(new Principal(tenants, sub, scope, write, c.getExpirationTime().getTime(),
                            admin ? Principal.ADMIN : write ? "writer" : "viewer"));
                } catch (ParseException | JOSEException e) {
                    return Optional.empty();
                }
            }

            public boolean isOpen() {
                return false;
            }
        };
    }

    /** Verified tokens remembered at most. The default is 10,000. */
    static final int VERIFIED_CACHE = 10_000;

    /** Whether the token's times allow it now: see the class comment. */
    private static boolean timely(JWTClaimsSet c, Instant now, Duration maxLifetime) {
        Date exp = c.getExpirationTime();
        if (exp == null || !exp.toInstant().isAfter(now)) {
            return false;
        }
        Instant latest = now.plus(CLOCK_SKEW);
        Date nbf = c.getNotBeforeTime();
        Date iat = c.getIssueTime();
        if ((nbf != null && nbf.toInstant().isAfter(latest)) || (iat != null && iat.toInstant().isAfter(latest))) {
            return false;
        }
        Instant from = iat == null ? now : iat.toInstant();
        return !Duration.between(from, exp.toInstant()).minus(maxLifetime).isPositive();
    }
}
