-- @up
CREATE TABLE items (
  id    bigserial PRIMARY KEY,
  name  text NOT NULL,
  qty   int NOT NULL DEFAULT 0
);
-- @down
DROP TABLE items;
