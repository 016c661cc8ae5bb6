-- Row keys are private to a tenant (V14): two shops may both have an order item "i-1", so the
-- triggers of V12 that keep order_items.order_status address the row by shop and key, not key alone.
DROP TRIGGER sb_order_items_status_i;
DROP TRIGGER sb_order_items_status_u;
CREATE TRIGGER sb_order_items_status_i AFTER INSERT ON order_items
WHEN NEW.order_status IS NOT (SELECT o.status FROM orders o WHERE o.shop_id = NEW.shop_id AND o.id = NEW.order_id)
BEGIN
    UPDATE order_items SET order_status = (SELECT o.status FROM orders o WHERE o.shop_id = NEW.shop_id AND o.id = NEW.order_id)
    WHERE shop_id = NEW.shop_id AND id = NEW.id;
END;
CREATE TRIGGER sb_order_items_status_u AFTER UPDATE OF order_id, order_status ON order_items
WHEN NEW.order_status IS NOT (SELECT o.status FROM orders o WHERE o.shop_id = NEW.shop_id AND o.id = NEW.order_id)
BEGIN
    UPDATE order_items SET order_status = (SELECT o.status FROM orders o WHERE o.shop_id = NEW.shop_id AND o.id = NEW.order_id)
    WHERE shop_id = NEW.shop_id AND id = NEW.id;
END;
