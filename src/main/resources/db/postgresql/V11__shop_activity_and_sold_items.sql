-- Seed 003 (issue 9): products sold counts the same orders as revenue, and one activity feed.
-- The same rules as SQLite's V12; here as PL/pgSQL triggers (their writes are in the WAL, so
-- logical decoding captures them like any other write).
--
-- 1. order_items.order_status: the status of the item's order, kept by the database whoever
--    writes, so that "products sold" counts the items of paid and fulfilled orders only, as
--    "total revenue" counts those orders. A value a writer sends is replaced by the order's.
ALTER TABLE order_items ADD COLUMN order_status text;
UPDATE order_items i SET order_status = o.status FROM orders o WHERE o.shop_id = i.shop_id AND o.id = i.order_id;
CREATE INDEX idx_order_items_tenant_status_time ON order_items (shop_id, order_status, created_at);

CREATE FUNCTION sb_order_items_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.order_status := (SELECT o.status FROM orders o WHERE o.shop_id = NEW.shop_id AND o.id = NEW.order_id);
    RETURN NEW;
END $$;
CREATE TRIGGER sb_order_items_status BEFORE INSERT OR UPDATE ON order_items
    FOR EACH ROW EXECUTE FUNCTION sb_order_items_status();

CREATE FUNCTION sb_orders_items_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE order_items SET order_status = NULL WHERE order_id = OLD.id AND shop_id = OLD.shop_id AND order_status IS NOT NULL;
        RETURN OLD;
    END IF;
    UPDATE order_items SET order_status = NEW.status
        WHERE order_id = NEW.id AND shop_id = NEW.shop_id AND order_status IS DISTINCT FROM NEW.status;
    RETURN NEW;
END $$;
CREATE TRIGGER sb_orders_items_status AFTER INSERT OR UPDATE OF status OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION sb_orders_items_status();

-- 2. shop_activity: the seed's activity feed (l.61-68), one row per event with a human-readable
--    message: new tickets, ticket status changes, orders placed, customer registrations, product
--    updates (and additions), customer ticket views.
CREATE TABLE shop_activity (
    id        text NOT NULL PRIMARY KEY,
    shop_id   text NOT NULL,
    type      text,
    message   text,
    entity    text,
    entity_id text,
    at        timestamptz
);
CREATE INDEX idx_shop_activity_tenant_at ON shop_activity (shop_id, at DESC NULLS LAST);
CREATE INDEX idx_shop_activity_tenant_type_at ON shop_activity (shop_id, type, at);

CREATE FUNCTION sb_money(v double precision) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(to_char(v, 'FM999999999990.00'), 'none')
$$;

CREATE FUNCTION sb_activity(shop text, kind text, message text, entity text, entity_id text, at timestamptz) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO shop_activity (id, shop_id, type, message, entity, entity_id, at)
    VALUES (replace(gen_random_uuid()::text, '-', ''), shop, kind, message, entity, entity_id, COALESCE(at, now()))
$$;

CREATE FUNCTION sb_activity_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM sb_activity(NEW.shop_id, 'new_ticket', 'New ticket ' || COALESCE(NEW.ticket_number, NEW.id) || ': '
            || COALESCE(NEW.device_type, 'device') || COALESCE(' - ' || left(NEW.issue, 200), ''), 'tickets', NEW.id, NEW.created_at);
        RETURN NEW;
    END IF;
    IF OLD.status IS DISTINCT FROM NEW.status THEN
        PERFORM sb_activity(NEW.shop_id, 'ticket_status', 'Ticket ' || COALESCE(NEW.ticket_number, NEW.id) || ' moved from '
            || replace(COALESCE(OLD.status, 'none'), '_', ' ') || ' to ' || replace(COALESCE(NEW.status, 'none'), '_', ' '),
            'tickets', NEW.id, NEW.updated_at);
    END IF;
    IF COALESCE(NEW.customer_views, 0) > COALESCE(OLD.customer_views, 0) THEN
        PERFORM sb_activity(NEW.shop_id, 'ticket_viewed', 'Customer viewed ticket ' || COALESCE(NEW.ticket_number, NEW.id) || ' ('
            || NEW.customer_views || CASE WHEN NEW.customer_views = 1 THEN ' view)' ELSE ' views)' END,
            'tickets', NEW.id, COALESCE(NEW.last_viewed_at, NEW.updated_at));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER sb_activity_tickets AFTER INSERT OR UPDATE ON tickets FOR EACH ROW EXECUTE FUNCTION sb_activity_tickets();

CREATE FUNCTION sb_activity_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM sb_activity(NEW.shop_id, 'order_placed', 'Order ' || COALESCE(NEW.order_number, NEW.id) || ' placed: '
        || sb_money(COALESCE(NEW.total, 0)) || ' ' || COALESCE(NEW.currency, 'USD') || COALESCE(' (' || NEW.status || ')', ''),
        'orders', NEW.id, COALESCE(NEW.updated_at, NEW.created_at));
    RETURN NEW;
END $$;
CREATE TRIGGER sb_activity_orders AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION sb_activity_orders();

CREATE FUNCTION sb_activity_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM sb_activity(NEW.shop_id, 'customer_registered', 'New customer: ' || COALESCE(NEW.name, NEW.id), 'customers', NEW.id, NEW.created_at);
    RETURN NEW;
END $$;
CREATE TRIGGER sb_activity_customers AFTER INSERT ON customers FOR EACH ROW EXECUTE FUNCTION sb_activity_customers();

CREATE FUNCTION sb_activity_products() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes text := '';
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM sb_activity(NEW.shop_id, 'product_updated', 'Product added: ' || COALESCE(NEW.name, NEW.id)
            || CASE WHEN NEW.price IS NULL THEN '' ELSE ' at ' || sb_money(NEW.price) END, 'products', NEW.id,
            COALESCE(NEW.updated_at, NEW.created_at));
        RETURN NEW;
    END IF;
    IF OLD.name IS NOT DISTINCT FROM NEW.name AND OLD.price IS NOT DISTINCT FROM NEW.price
        AND OLD.stock_quantity IS NOT DISTINCT FROM NEW.stock_quantity AND OLD.active IS NOT DISTINCT FROM NEW.active
        AND OLD.category IS NOT DISTINCT FROM NEW.category AND OLD.sku IS NOT DISTINCT FROM NEW.sku THEN
        RETURN NEW;
    END IF;
    IF OLD.price IS DISTINCT FROM NEW.price THEN
        changes := ': price ' || sb_money(OLD.price) || ' -> ' || sb_money(NEW.price);
    END IF;
    IF OLD.stock_quantity IS DISTINCT FROM NEW.stock_quantity THEN
        changes := changes || CASE WHEN changes = '' THEN ': stock ' ELSE ', stock ' END
            || COALESCE(OLD.stock_quantity::text, 'none') || ' -> ' || COALESCE(NEW.stock_quantity::text, 'none');
    END IF;
    IF OLD.active IS DISTINCT FROM NEW.active THEN
        changes := changes || CASE WHEN NEW.active THEN ' (active)' ELSE ' (inactive)' END;
    END IF;
    PERFORM sb_activity(NEW.shop_id, 'product_updated', 'Product ' || COALESCE(NEW.name, NEW.id) || ' updated' || changes,
        'products', NEW.id, NEW.updated_at);
    RETURN NEW;
END $$;
CREATE TRIGGER sb_activity_products AFTER INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION sb_activity_products();
