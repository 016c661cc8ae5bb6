-- Seed 003, the repair shop admin dashboard: tickets, orders and their items, customers, products.
-- Columns and types mirror the pack's datasets.yaml exactly. Times are timestamptz, JSON is jsonb.
-- Only the key and tenant are NOT NULL: ingest upserts partial rows with INSERT .. ON CONFLICT,
-- and both SQLite and PostgreSQL check NOT NULL before the conflict turns it into an update,
-- so a NOT NULL status or time would refuse a valid partial update. Ingest checks required
-- columns of new rows itself.
CREATE TABLE tickets (
    id             text NOT NULL PRIMARY KEY,
    shop_id        text NOT NULL,
    ticket_number  text,
    customer_id    text,
    device_type    text,
    device_model   text,
    issue          text,
    status         text,
    priority       text,
    technician_id  text,
    estimated_cost double precision,
    final_cost     double precision,
    customer_views bigint,
    last_viewed_at timestamptz,
    created_at     timestamptz,
    updated_at     timestamptz,
    completed_at   timestamptz
);
CREATE INDEX idx_tickets_tenant_time ON tickets (shop_id, created_at);

CREATE TABLE orders (
    id             text NOT NULL PRIMARY KEY,
    shop_id        text NOT NULL,
    order_number   text,
    customer_id    text,
    ticket_id      text,
    status         text,
    channel        text,
    item_count     bigint,
    subtotal       double precision,
    tax            double precision,
    total          double precision,
    currency       text,
    payment_method text,
    created_at     timestamptz,
    updated_at     timestamptz
);
CREATE INDEX idx_orders_tenant_time ON orders (shop_id, created_at);

CREATE TABLE order_items (
    id         text NOT NULL PRIMARY KEY,
    shop_id    text NOT NULL,
    order_id   text,
    product_id text,
    quantity   bigint,
    unit_price double precision,
    created_at timestamptz
);
CREATE INDEX idx_order_items_tenant_time ON order_items (shop_id, created_at);

CREATE TABLE customers (
    id               text NOT NULL PRIMARY KEY,
    shop_id          text NOT NULL,
    name             text,
    email            text,
    phone            text,
    marketing_opt_in boolean,
    created_at       timestamptz,
    updated_at       timestamptz
);
CREATE INDEX idx_customers_tenant_time ON customers (shop_id, created_at);

CREATE TABLE products (
    id             text NOT NULL PRIMARY KEY,
    shop_id        text NOT NULL,
    sku            text,
    name           text,
    category       text,
    price          double precision,
    cost           double precision,
    stock_quantity bigint,
    active         boolean,
    created_at     timestamptz,
    updated_at     timestamptz
);
CREATE INDEX idx_products_tenant_time ON products (shop_id, created_at);

-- Active repairs and revenue filter by status; the activity feed lists by last change.
CREATE INDEX idx_tickets_tenant_status ON tickets (shop_id, status);
CREATE INDEX idx_tickets_tenant_updated ON tickets (shop_id, updated_at);
CREATE INDEX idx_orders_tenant_status ON orders (shop_id, status);
CREATE INDEX idx_orders_tenant_updated ON orders (shop_id, updated_at);
CREATE INDEX idx_order_items_order ON order_items (order_id);
CREATE INDEX idx_products_tenant_updated ON products (shop_id, updated_at);
