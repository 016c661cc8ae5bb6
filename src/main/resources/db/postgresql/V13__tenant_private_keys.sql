-- Row keys are private to a tenant (issue 12, finding 13): the primary key of every dataset table
-- becomes (tenant column, key column). Tenants may use the same keys, and a writer can neither learn
-- whether another tenant holds a key nor take one first. The tenant-first indexes stay as they are.
ALTER TABLE leads DROP CONSTRAINT leads_pkey, ADD PRIMARY KEY (client_key, id);
ALTER TABLE booking_calls DROP CONSTRAINT booking_calls_pkey, ADD PRIMARY KEY (client_key, id);
ALTER TABLE appointments DROP CONSTRAINT appointments_pkey, ADD PRIMARY KEY (client_key, id);
ALTER TABLE call_logs DROP CONSTRAINT call_logs_pkey, ADD PRIMARY KEY (user_id, id);
ALTER TABLE campaigns DROP CONSTRAINT campaigns_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE campaign_contacts DROP CONSTRAINT campaign_contacts_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE call_attempts DROP CONSTRAINT call_attempts_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE clinic_appointments DROP CONSTRAINT clinic_appointments_pkey, ADD PRIMARY KEY (clinic_id, id);
ALTER TABLE dentist_availability DROP CONSTRAINT dentist_availability_pkey, ADD PRIMARY KEY (clinic_id, id);
ALTER TABLE tickets DROP CONSTRAINT tickets_pkey, ADD PRIMARY KEY (shop_id, id);
ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD PRIMARY KEY (shop_id, id);
ALTER TABLE order_items DROP CONSTRAINT order_items_pkey, ADD PRIMARY KEY (shop_id, id);
ALTER TABLE customers DROP CONSTRAINT customers_pkey, ADD PRIMARY KEY (shop_id, id);
ALTER TABLE products DROP CONSTRAINT products_pkey, ADD PRIMARY KEY (shop_id, id);
