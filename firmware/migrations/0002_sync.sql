-- Version 2: sync with head office (sync/). See firmware/migrations/SCHEMA.md.

-- The fields an upsert changed, as a JSON array (NULL: every field of the row): the hub merges
-- per field, and a pulled change never overwrites a field with a local change still unsent.
ALTER TABLE outbox ADD COLUMN fields TEXT;

-- Set when the person left this device's scope and their personal data was removed from it; the
-- row stays (attendance events refer to it) and comes back whole if they return to the scope.
ALTER TABLE service_user ADD COLUMN redacted_at TEXT;

-- This device's enrolment with the hub: one row, replaced when the device enrols again.
CREATE TABLE sync_state (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  hub_url         TEXT NOT NULL,
  hub_device_id   TEXT NOT NULL,   -- the id the hub gave this enrolment
  secret          TEXT NOT NULL,   -- the device's own revocable credential
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL,   -- van | base
  van_id          TEXT NOT NULL,
  hub_pin         TEXT,            -- sha256//... of the hub's TLS public key, pinned at enrolment
  status          TEXT NOT NULL DEFAULT 'active',  -- active | must_enrol
  status_detail   TEXT,
  acked_seq       INTEGER NOT NULL,  -- the hub has answered every outbox op up to here
  batched_seq     INTEGER NOT NULL,  -- every outbox op up to here is in a batch of this enrolment
  last_batch      TEXT NOT NULL DEFAULT '',  -- the last answered batch of this enrolment
  pull_cursor     INTEGER NOT NULL DEFAULT 0,
  enrolled_at     TEXT NOT NULL,
  last_attempt_at TEXT,
  last_good_at    TEXT,
  last_error      TEXT,
  last_scope_at   TEXT,
  clock_offset_ms INTEGER
) STRICT;

-- Push batches, fixed (id and bytes) before their first send so every retry is identical.
CREATE TABLE sync_batch (
  batch_id      TEXT PRIMARY KEY,
  hub_device_id TEXT NOT NULL,
  prev          TEXT NOT NULL,
  first_seq     INTEGER NOT NULL,
  last_seq      INTEGER NOT NULL,
  body          BLOB NOT NULL,     -- deflated JSON, exactly as sent
  created_at    TEXT NOT NULL,
  sends         INTEGER NOT NULL DEFAULT 0,
  answered_at   TEXT,
  answer        TEXT
) STRICT;
CREATE INDEX sync_batch_unanswered ON sync_batch(hub_device_id) WHERE answered_at IS NULL;

-- Ops the hub refused, with its reason: shown on the sync page, never deleted.
CREATE TABLE sync_rejected (
  seq         INTEGER PRIMARY KEY,  -- the outbox op
  batch_id    TEXT NOT NULL,
  entity      TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  field       TEXT,
  reason      TEXT NOT NULL,
  rejected_at TEXT NOT NULL
) STRICT;
CREATE TRIGGER sync_rejected_no_delete BEFORE DELETE ON sync_rejected
BEGIN SELECT RAISE(ABORT, 'rejected ops stay visible'); END;

-- Attendance conflicts found by the hub, for a planner to resolve; synced like other entities.
CREATE TABLE conflict (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL,   -- duplicate_record | concurrent_change
  work_group_id   TEXT NOT NULL,
  service_user_id TEXT NOT NULL,
  record_ids      TEXT NOT NULL,   -- JSON array
  event_ids       TEXT NOT NULL,   -- JSON array
  detail          TEXT,
  status          TEXT NOT NULL,   -- open | resolved
  resolution      TEXT,
  resolved_by     TEXT,
  resolved_at     TEXT,
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX conflict_by_group ON conflict(work_group_id);
