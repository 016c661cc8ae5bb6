-- API keys for server-to-server writers (issue 12, finding 14): long-lived, per tenant,
-- revocable. Only the SHA-256 of the key's secret is stored; times are ISO-8601 UTC text.
CREATE TABLE sb_api_keys (
    id            TEXT PRIMARY KEY,
    tenant        TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'writer')),
    name          TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);
CREATE INDEX sb_api_keys_tenant ON sb_api_keys (tenant);
