-- @up
CREATE TABLE others (
  id   bigserial PRIMARY KEY,
  name text NOT NULL
);
-- @down
DROP TABLE others;
