SELECT nextval('app.delivery_id_seq');
