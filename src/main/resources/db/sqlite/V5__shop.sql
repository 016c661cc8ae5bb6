-- Seed 003, the repair shop admin dashboard: tickets, orders and their items, customers, products.
-- Columns and types mirror the pack's datasets.yaml exactly. Times are ISO-8601 UTC text (2025-10-30T12:34:56.000Z), booleans 0/1, JSON as text.
-- Only the key and tenant are NOT NULL; ingest checks the required columns of new rows itself.
-- Time columns accept only the canonical form, so text comparisons in SQL order them correctly;
-- another writer (sqlite3, an app) gets a CHECK error naming the expected pattern instead.
CREATE TABLE tickets (
    id             TEXT NOT NULL PRIMARY KEY,
    shop_id        TEXT NOT NULL,
    ticket_number  TEXT,
    customer_id    TEXT,
    device_type    TEXT,
    device_model   TEXT,
    issue          TEXT,
    status         TEXT,
    priority       TEXT,
    technician_id  TEXT,
    estimated_cost REAL,
    final_cost     REAL,
    customer_views INTEGER,
    last_viewed_at TEXT CHECK (last_viewed_at IS NULL OR last_viewed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    created_at     TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at     TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    completed_at   TEXT CHECK (completed_at IS NULL OR completed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_tickets_tenant_time ON tickets (shop_id, created_at);

CREATE TABLE orders (
    id             TEXT NOT NULL PRIMARY KEY,
    shop_id        TEXT NOT NULL,
    order_number   TEXT,
    customer_id    TEXT,
    ticket_id      TEXT,
    status         TEXT,
    channel        TEXT,
    item_count     INTEGER,
    subtotal       REAL,
    tax            REAL,
    total          REAL,
    currency       TEXT,
    payment_method TEXT,
    created_at     TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at     TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_orders_tenant_time ON orders (shop_id, created_at);

CREATE TABLE order_items (
    id         TEXT NOT NULL PRIMARY KEY,
    shop_id    TEXT NOT NULL,
    order_id   TEXT,
    product_id TEXT,
    quantity   INTEGER,
    unit_price REAL,
    created_at TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_order_items_tenant_time ON order_items (shop_id, created_at);

CREATE TABLE customers (
    id               TEXT NOT NULL PRIMARY KEY,
    shop_id          TEXT NOT NULL,
    name             TEXT,
    email            TEXT,
    phone            TEXT,
    marketing_opt_in INTEGER CHECK (marketing_opt_in IN (0, 1)),
    created_at       TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at       TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_customers_tenant_time ON customers (shop_id, created_at);

CREATE TABLE products (
    id             TEXT NOT NULL PRIMARY KEY,
    shop_id        TEXT NOT NULL,
    sku            TEXT,
    name           TEXT,
    category       TEXT,
    price          REAL,
    cost           REAL,
    stock_quantity INTEGER,
    active         INTEGER CHECK (active IN (0, 1)),
    created_at     TEXT CHECK (created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    updated_at     TEXT CHECK (updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_products_tenant_time ON products (shop_id, created_at);

-- Active repairs and revenue filter by status; the activity feed lists by last change.
CREATE INDEX idx_tickets_tenant_status ON tickets (shop_id, status);
CREATE INDEX idx_tickets_tenant_updated ON tickets (shop_id, updated_at);
CREATE INDEX idx_orders_tenant_status ON orders (shop_id, status);
CREATE INDEX idx_orders_tenant_updated ON orders (shop_id, updated_at);
CREATE INDEX idx_order_items_order ON order_items (order_id);
CREATE INDEX idx_products_tenant_updated ON products (shop_id, updated_at);
