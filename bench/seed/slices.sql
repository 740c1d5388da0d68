-- pg_temp.slices(sql, total, size): the statements that copy rows 1..total
-- of a numbered staging table `size` rows at a time, each `sql` with its two
-- %s replaced by the slice's first and last row number. Run them with
-- \gexec: each is its own transaction, so the rows get many inserting
-- transactions (`xact`), as many users' writes would (see seed.sql).
-- Included by seed.sql and change.sql.
CREATE FUNCTION pg_temp.slices(sql text, total bigint, size int)
RETURNS SETOF text LANGUAGE sql AS $$
  SELECT format(sql, lo, lo + size - 1) FROM generate_series(1, total, size) lo
$$;
