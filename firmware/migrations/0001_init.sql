-- UPW Field device schema, version 1. See firmware/migrations/SCHEMA.md.
-- Ids are UUIDv7 text minted where a record is born. Instants are UTC "YYYY-MM-DDTHH:MM:SSZ";
-- session dates are Europe/London calendar dates "YYYY-MM-DD", times of day "HH:MM".

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE user_account (
  id            TEXT PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('supervisor', 'planner', 'admin', 'device')),
  password_hash TEXT NOT NULL,
  pin_hash      TEXT,            -- Argon2id of the PIN that unlocks a tablet after idle
  supervisor_id TEXT REFERENCES supervisor(id),
  active        INTEGER NOT NULL DEFAULT 1,
  version       INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;

CREATE TABLE auth_session (
  token_hash TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES user_account(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE supervisor (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  phone      TEXT,
  can_drive  INTEGER NOT NULL DEFAULT 0,
  active     INTEGER NOT NULL DEFAULT 1,
  notes      TEXT,
  version    INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE van (
  id           TEXT PRIMARY KEY,
  registration TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  seats        INTEGER NOT NULL,
  usable_seats INTEGER NOT NULL,
  active       INTEGER NOT NULL DEFAULT 1,
  notes        TEXT,
  version      INTEGER NOT NULL DEFAULT 1,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
) STRICT;

CREATE TABLE placement (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  kind               TEXT NOT NULL,
  address            TEXT NOT NULL,
  beneficiary        TEXT,
  days_available     TEXT NOT NULL DEFAULT '[]',   -- JSON array of "mon".."sun"
  capacity           INTEGER NOT NULL,
  max_per_supervisor INTEGER,
  indoor             INTEGER NOT NULL DEFAULT 0,
  flags              TEXT NOT NULL DEFAULT '[]',   -- JSON array: children_present, ...
  notes              TEXT,
  active             INTEGER NOT NULL DEFAULT 1,
  version            INTEGER NOT NULL DEFAULT 1,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
) STRICT;

CREATE TABLE service_user (
  id             TEXT PRIMARY KEY,
  first_name     TEXT NOT NULL,
  last_name      TEXT NOT NULL,
  date_of_birth  TEXT NOT NULL,
  phone          TEXT,
  risk_flags     TEXT NOT NULL DEFAULT '[]',  -- JSON array: no_contact_children, ...
  keep_apart     TEXT NOT NULL DEFAULT '[]',  -- JSON array of service_user ids
  availability   TEXT,
  notes          TEXT,
  welfare_notes  TEXT,                        -- sensitive: planners only
  version        INTEGER NOT NULL DEFAULT 1,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE cpo_order (
  id                     TEXT PRIMARY KEY,
  service_user_id        TEXT NOT NULL REFERENCES service_user(id),
  court                  TEXT NOT NULL,
  imposed_on             TEXT NOT NULL,
  hours_ordered          INTEGER NOT NULL CHECK (hours_ordered BETWEEN 20 AND 300),
  deadline               TEXT NOT NULL,
  other_activity_allowed INTEGER NOT NULL DEFAULT 1,
  status                 TEXT NOT NULL,
  case_manager           TEXT,
  first_seen_on          TEXT,
  version                INTEGER NOT NULL DEFAULT 1,
  created_at             TEXT NOT NULL,
  updated_at             TEXT NOT NULL
) STRICT;
CREATE INDEX cpo_order_by_person ON cpo_order(service_user_id);

CREATE TABLE work_group (
  id            TEXT PRIMARY KEY,
  session_date  TEXT NOT NULL,
  starts_at     TEXT NOT NULL,
  ends_at       TEXT NOT NULL,   -- earlier than starts_at: the session crosses midnight
  placement_id  TEXT NOT NULL REFERENCES placement(id),
  supervisor_id TEXT NOT NULL REFERENCES supervisor(id),
  van_id        TEXT REFERENCES van(id),
  capacity      INTEGER NOT NULL,
  status        TEXT NOT NULL DEFAULT 'planned',
  notes         TEXT,
  version       INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX work_group_by_date ON work_group(session_date);
CREATE INDEX work_group_by_supervisor ON work_group(supervisor_id, session_date);

CREATE TABLE allocation (
  id              TEXT PRIMARY KEY,
  work_group_id   TEXT NOT NULL REFERENCES work_group(id),
  service_user_id TEXT NOT NULL REFERENCES service_user(id),
  order_id        TEXT NOT NULL REFERENCES cpo_order(id),
  pickup_point    TEXT,
  pickup_time     TEXT,
  created_at      TEXT NOT NULL,
  UNIQUE (work_group_id, service_user_id)
) STRICT;
CREATE INDEX allocation_by_person ON allocation(service_user_id);

-- Legal records of hours served: append-only. Credited hours are a fold of these events.
CREATE TABLE attendance_event (
  seq             INTEGER PRIMARY KEY,  -- rows are never deleted (triggers), so rowids only grow
  id              TEXT NOT NULL UNIQUE,
  record_id       TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('record', 'update', 'amend', 'void')),
  work_group_id   TEXT NOT NULL REFERENCES work_group(id),
  service_user_id TEXT NOT NULL REFERENCES service_user(id),
  order_id        TEXT NOT NULL REFERENCES cpo_order(id),
  facts           TEXT,          -- JSON: outcome, reason, sign_in, sign_out, breaks, ...
  reason          TEXT,          -- why, for amend and void
  author_user_id  TEXT NOT NULL,
  author          TEXT NOT NULL,
  device_id       TEXT NOT NULL,
  recorded_at     TEXT NOT NULL,
  request_hash    TEXT NOT NULL  -- lets a retried POST with the same event id replay safely
) STRICT;
CREATE INDEX attendance_by_group ON attendance_event(work_group_id, seq);
CREATE INDEX attendance_by_order ON attendance_event(order_id, seq);
CREATE TRIGGER attendance_event_no_update BEFORE UPDATE ON attendance_event
BEGIN SELECT RAISE(ABORT, 'attendance events are append-only'); END;
CREATE TRIGGER attendance_event_no_delete BEFORE DELETE ON attendance_event
BEGIN SELECT RAISE(ABORT, 'attendance events are append-only'); END;

CREATE TABLE audit (
  seq        INTEGER PRIMARY KEY,  -- never deleted: rowids only grow, no sqlite_sequence write
  at         TEXT NOT NULL,
  user_id    TEXT,
  username   TEXT NOT NULL,
  role       TEXT NOT NULL,
  device_id  TEXT NOT NULL,
  action     TEXT NOT NULL,
  entity     TEXT NOT NULL,
  entity_id  TEXT NOT NULL,
  detail     TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_by_entity ON audit(entity, entity_id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- Changes waiting for head office; read and marked sent by sync/. Never deleted before the hub
-- acknowledges them.
CREATE TABLE outbox (
  seq        INTEGER PRIMARY KEY,  -- never deleted: rowids only grow, no sqlite_sequence write
  op_id      TEXT NOT NULL UNIQUE,
  entity     TEXT NOT NULL,
  entity_id  TEXT NOT NULL,
  op         TEXT NOT NULL CHECK (op IN ('upsert', 'append')),
  payload    TEXT NOT NULL,
  hlc        TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sent_batch TEXT,
  acked_at   TEXT
) STRICT;
-- Sync reads the outbox by seq from its cursor; no index beyond the rowid is needed on the write
-- path. Rows are never deleted (a seq must never be reused under a cursor), only marked sent.
CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'the outbox keeps every op'); END;
