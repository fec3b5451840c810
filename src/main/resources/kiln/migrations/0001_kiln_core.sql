-- Kiln's own schema: the node registry and leadership. Works on PostgreSQL 14 to 18:
-- no uuidv7(), no 17+ syntax. Ids come from gen_random_uuid() (core since 13).

-- @up
CREATE TABLE kiln_nodes (
  id             uuid PRIMARY KEY,
  hostname       text NOT NULL,
  roles          text[] NOT NULL,
  capabilities   text[] NOT NULL DEFAULT '{}',
  version        text NOT NULL,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draining', 'dead')),
  started_at     timestamptz NOT NULL DEFAULT now(),
  last_heartbeat timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kiln_nodes_heartbeat ON kiln_nodes (last_heartbeat);

CREATE TABLE kiln_leaders (
  role    text PRIMARY KEY,
  node_id uuid NOT NULL,
  since   timestamptz NOT NULL DEFAULT now()
);

-- @down
DROP TABLE kiln_leaders;
DROP TABLE kiln_nodes;
