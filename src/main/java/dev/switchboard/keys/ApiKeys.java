package dev.switchboard.keys;

import dev.switchboard.auth.Principal;
import dev.switchboard.change.Times;
import dev.switchboard.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issues, checks, lists and revokes API keys, kept in the store's {@code sb_api_keys} table.
 * A key is {@code sbk_<id>_<secret>}: the id (12 hex digits) finds the record, the secret (32
 * random bytes) is checked against its stored SHA-256 in constant time. The secret is shown once,
 * when the key is issued; a revoked key is refused from the moment of revocation.
 */
public final class ApiKeys {
    /** What a presented key looks like; anything else is not an API key. */
    public static final String PREFIX = "sbk_";
    private static final Pattern KEY = Pattern.compile("sbk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.:@-]{0,63}");
    private final Store store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** A key as issued: {@code key} is the only copy of the secret. */
    public record Issued(String id, String tenant, String role, String name, String key) {}

    public ApiKeys(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Issues a key for {@code tenant} with role {@code viewer} or {@code writer}. */
    public Issued issue(String tenant, String role, String name) {
        if (!role.equals("viewer") && !role.equals("writer")) {
            throw new IllegalArgumentException("role must be viewer or writer, was '" + role + "'");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1-64 letters, digits, spaces or _ . : @ -, was '" + name + "'");
        }
        byte[] idBytes = new byte[6];
        byte[] secret = new byte[32];
        random.nextBytes(idBytes);
        random.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        store.updateOwn("INSERT INTO sb_api_keys (id, tenant, role, name, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                List.of(id, tenant, role, name, sha256(encoded), Times.format(clock.instant())));
        return new Issued(id, tenant, role, name, PREFIX + id + "_" + encoded);
    }

    /** The caller for a presented key; empty when it is malformed, unknown, revoked or wrong. */
    public Optional<Principal> authenticate(String presented) {
        Matcher m = KEY.matcher(presented);
        if (!m.matches()) {
            return Optional.empty();
        }
        String id = m.group(1);
        List<Map<String, Object>> found = query("SELECT tenant, role, name, secret_sha256, revoked_at FROM sb_api_keys WHERE id = ?", id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> k = found.get(0);
        boolean match = MessageDigest.isEqual(sha256(m.group(2)).getBytes(StandardCharsets.US_ASCII),
                String.valueOf(k.get("secret_sha256")).getBytes(StandardCharsets.US_ASCII));
        if (!match || k.get("revoked_at") != null) {
            return Optional.empty();
        }
        return Optional.of(new Principal(Set.of(String.valueOf(k.get("tenant"))), "apikey:" + k.get("name"), "",
                "writer".equals(k.get("role"))));
    }

    /** The tenant's keys, newest first, without secrets or hashes. */
    public List<Map<String, Object>> list(String tenant) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> k : query("SELECT id, role, name, created_at, revoked_at FROM sb_api_keys WHERE tenant = ? "
                + "ORDER BY created_at DESC, id", tenant)) {
            Map<String, Object> m = new LinkedHashMap<>(k);
            m.put("revoked", k.get("revoked_at") != null);
            out.add(m);
        }
        return out;
    }

    /** Revokes a key of {@code tenant}; false when it has no such unrevoked key. */
    public boolean revoke(String tenant, String id) {
        return store.updateOwn("UPDATE sb_api_keys SET revoked_at = ? WHERE tenant = ? AND id = ? AND revoked_at IS NULL",
                List.of(Times.format(clock.instant()), tenant, id)) > 0;
    }

    private List<Map<String, Object>> query(String sql, String param) {
        return store.read(s -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            s.query(sql, List.of(param), r -> rows.add(new LinkedHashMap<>(r.values())));
            return rows;
        });
    }

    private static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
