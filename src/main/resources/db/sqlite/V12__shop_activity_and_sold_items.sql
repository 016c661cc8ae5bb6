-- Seed 003 (issue 9): products sold counts the same orders as revenue, and one activity feed.
--
-- 1. order_items.order_status: the status of the item's order, kept by the database whoever
--    writes (ingest, sqlite3, an app), so that "products sold" can count the items of paid and
--    fulfilled orders only, as "total revenue" counts those orders. A value a writer sends is
--    replaced by the order's status.
ALTER TABLE order_items ADD COLUMN order_status TEXT;
UPDATE order_items SET order_status = (SELECT o.status FROM orders o WHERE o.shop_id = order_items.shop_id AND o.id = order_items.order_id);
CREATE INDEX idx_order_items_tenant_status_time ON order_items (shop_id, order_status, created_at);

CREATE TRIGGER sb_order_items_status_i AFTER INSERT ON order_items
WHEN NEW.order_status IS NOT (SELECT o.status FROM orders o WHERE o.shop_id = NEW.shop_id AND o.id = NEW.order_id)
BEGIN
    UPDATE order_items SET order_status = (SELECT o.status FROM orders o WHERE o.shop_id = NEW.shop_id AND o.id = NEW.order_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER sb_order_items_status_u AFTER UPDATE OF order_id, order_status ON order_items
WHEN NEW.order_status IS NOT (SELECT o.status FROM orders o WHERE o.shop_id = NEW.shop_id AND o.id = NEW.order_id)
BEGIN
    UPDATE order_items SET order_status = (SELECT o.status FROM orders o WHERE o.shop_id = NEW.shop_id AND o.id = NEW.order_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER sb_orders_items_status_i AFTER INSERT ON orders
BEGIN
    UPDATE order_items SET order_status = NEW.status WHERE order_id = NEW.id AND shop_id = NEW.shop_id AND order_status IS NOT NEW.status;
END;
CREATE TRIGGER sb_orders_items_status_u AFTER UPDATE OF status ON orders
BEGIN
    UPDATE order_items SET order_status = NEW.status WHERE order_id = NEW.id AND shop_id = NEW.shop_id AND order_status IS NOT NEW.status;
END;
CREATE TRIGGER sb_orders_items_status_d AFTER DELETE ON orders
BEGIN
    UPDATE order_items SET order_status = NULL WHERE order_id = OLD.id AND shop_id = OLD.shop_id AND order_status IS NOT NULL;
END;

-- 2. shop_activity: the seed's activity feed (l.61-68) as rows, one per event, written by
--    triggers on the four tables: new tickets, ticket status changes, orders placed, customer
--    registrations, product updates (and additions), customer ticket views. Each has a
--    human-readable message. Being a dataset, the feed is in the snapshot, streamed on change,
--    rebuilt from SQL like any list, and exact whoever writes the tables.
CREATE TABLE shop_activity (
    id        TEXT NOT NULL PRIMARY KEY,
    shop_id   TEXT NOT NULL,
    type      TEXT,
    message   TEXT,
    entity    TEXT,
    entity_id TEXT,
    at        TEXT CHECK (at IS NULL OR at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX idx_shop_activity_tenant_at ON shop_activity (shop_id, at);
CREATE INDEX idx_shop_activity_tenant_type_at ON shop_activity (shop_id, type, at);

CREATE TRIGGER sb_activity_ticket_new AFTER INSERT ON tickets
BEGIN
    INSERT INTO shop_activity (id, shop_id, type, message, entity, entity_id, at) VALUES (
        lower(hex(randomblob(10))), NEW.shop_id, 'new_ticket',
        'New ticket ' || COALESCE(NEW.ticket_number, NEW.id) || ': ' || COALESCE(NEW.device_type, 'device')
            || COALESCE(' - ' || substr(NEW.issue, 1, 200), ''),
        'tickets', NEW.id, COALESCE(NEW.created_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;
CREATE TRIGGER sb_activity_ticket_status AFTER UPDATE OF status ON tickets
WHEN OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO shop_activity (id, shop_id, type, message, entity, entity_id, at) VALUES (
        lower(hex(randomblob(10))), NEW.shop_id, 'ticket_status',
        'Ticket ' || COALESCE(NEW.ticket_number, NEW.id) || ' moved from ' || replace(COALESCE(OLD.status, 'none'), '_', ' ')
            || ' to ' || replace(COALESCE(NEW.status, 'none'), '_', ' '),
        'tickets', NEW.id, COALESCE(NEW.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;
CREATE TRIGGER sb_activity_ticket_view AFTER UPDATE OF customer_views ON tickets
WHEN COALESCE(NEW.customer_views, 0) > COALESCE(OLD.customer_views, 0)
BEGIN
    INSERT INTO shop_activity (id, shop_id, type, message, entity, entity_id, at) VALUES (
        lower(hex(randomblob(10))), NEW.shop_id, 'ticket_viewed',
        'Customer viewed ticket ' || COALESCE(NEW.ticket_number, NEW.id) || ' (' || NEW.customer_views
            || CASE WHEN NEW.customer_views = 1 THEN ' view)' ELSE ' views)' END,
        'tickets', NEW.id, COALESCE(NEW.last_viewed_at, NEW.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;
CREATE TRIGGER sb_activity_order_placed AFTER INSERT ON orders
BEGIN
    INSERT INTO shop_activity (id, shop_id, type, message, entity, entity_id, at) VALUES (
        lower(hex(randomblob(10))), NEW.shop_id, 'order_placed',
        'Order ' || COALESCE(NEW.order_number, NEW.id) || ' placed: ' || printf('%.2f', COALESCE(NEW.total, 0)) || ' '
            || COALESCE(NEW.currency, 'USD') || COALESCE(' (' || NEW.status || ')', ''),
        'orders', NEW.id, COALESCE(NEW.updated_at, NEW.created_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;
CREATE TRIGGER sb_activity_customer_new AFTER INSERT ON customers
BEGIN
    INSERT INTO shop_activity (id, shop_id, type, message, entity, entity_id, at) VALUES (
        lower(hex(randomblob(10))), NEW.shop_id, 'customer_registered',
        'New customer: ' || COALESCE(NEW.name, NEW.id),
        'customers', NEW.id, COALESCE(NEW.created_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;
CREATE TRIGGER sb_activity_product_new AFTER INSERT ON products
BEGIN
    INSERT INTO shop_activity (id, shop_id, type, message, entity, entity_id, at) VALUES (
        lower(hex(randomblob(10))), NEW.shop_id, 'product_updated',
        'Product added: ' || COALESCE(NEW.name, NEW.id) || CASE WHEN NEW.price IS NULL THEN '' ELSE ' at ' || printf('%.2f', NEW.price) END,
        'products', NEW.id, COALESCE(NEW.updated_at, NEW.created_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;
CREATE TRIGGER sb_activity_product_update AFTER UPDATE ON products
WHEN OLD.name IS NOT NEW.name OR OLD.price IS NOT NEW.price OR OLD.stock_quantity IS NOT NEW.stock_quantity
    OR OLD.active IS NOT NEW.active OR OLD.category IS NOT NEW.category OR OLD.sku IS NOT NEW.sku
BEGIN
    INSERT INTO shop_activity (id, shop_id, type, message, entity, entity_id, at) VALUES (
        lower(hex(randomblob(10))), NEW.shop_id, 'product_updated',
        'Product ' || COALESCE(NEW.name, NEW.id) || ' updated'
            || CASE WHEN OLD.price IS NOT NEW.price THEN ': price ' || CASE WHEN OLD.price IS NULL THEN 'none' ELSE printf('%.2f', OLD.price) END || ' -> '
                    || CASE WHEN NEW.price IS NULL THEN 'none' ELSE printf('%.2f', NEW.price) END ELSE '' END
            || CASE WHEN OLD.stock_quantity IS NOT NEW.stock_quantity
                    THEN CASE WHEN OLD.price IS NOT NEW.price THEN ', stock ' ELSE ': stock ' END
                    || COALESCE(OLD.stock_quantity, 'none') || ' -> ' || COALESCE(NEW.stock_quantity, 'none') ELSE '' END
            || CASE WHEN OLD.active IS NOT NEW.active THEN CASE WHEN NEW.active THEN ' (active)' ELSE ' (inactive)' END ELSE '' END,
        'products', NEW.id, COALESCE(NEW.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;
