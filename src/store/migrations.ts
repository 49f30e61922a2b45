/** Schema migrations, applied in order; the database's user_version counts those applied. Never edit one that shipped. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    channel         TEXT NOT NULL,
    received_at     INTEGER NOT NULL,
    envelope_from   TEXT NOT NULL,
    envelope_to     TEXT NOT NULL,
    message_id      TEXT,
    dedup_key       TEXT NOT NULL UNIQUE,
    remote_address  TEXT,
    tls             INTEGER NOT NULL DEFAULT 0,
    client_cert     TEXT,
    size            INTEGER NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    lease_owner     TEXT,
    refusal_code    TEXT,
    last_error      TEXT,
    summary         TEXT,
    updated_at      INTEGER NOT NULL
  ) STRICT;

  -- large bytes live apart from the rows that change, written once (an UPDATE rewrites a whole row)
  CREATE TABLE message_raw (
    message  TEXT PRIMARY KEY REFERENCES messages(id),
    raw      BLOB NOT NULL
  ) STRICT;
  CREATE TABLE message_content (
    message  TEXT PRIMARY KEY REFERENCES messages(id),
    content  BLOB NOT NULL
  ) STRICT;
  CREATE INDEX messages_work ON messages(state, next_attempt_at);
  CREATE INDEX messages_received ON messages(received_at);

  CREATE TABLE history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    message     TEXT NOT NULL REFERENCES messages(id),
    at          INTEGER NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    detail      TEXT
  ) STRICT;
  CREATE INDEX history_message ON history(message, id);

  CREATE TABLE outbox (
    id                TEXT PRIMARY KEY,
    idempotency_key   TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    source_message    TEXT REFERENCES messages(id),
    message_id        TEXT NOT NULL,
    envelope_from     TEXT NOT NULL,
    envelope_to       TEXT NOT NULL,
    state             TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    first_attempt_at  INTEGER,
    next_attempt_at   INTEGER NOT NULL,
    lease_until       INTEGER,
    lease_owner       TEXT,
    last_error_code   TEXT,
    last_response     TEXT,
    expects_mdn       INTEGER NOT NULL DEFAULT 0,
    wants_dispatched  INTEGER NOT NULL DEFAULT 0,
    tracking          TEXT,
    mdn_deadline      INTEGER,
    created_at        INTEGER NOT NULL,
    sent_at           INTEGER,
    updated_at        INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX outbox_work ON outbox(state, next_attempt_at);
  CREATE INDEX outbox_message_id ON outbox(message_id);
  CREATE INDEX outbox_tracking ON outbox(tracking, mdn_deadline);
  CREATE TABLE outbox_raw (
    outbox  TEXT PRIMARY KEY REFERENCES outbox(id),
    raw     BLOB NOT NULL
  ) STRICT;

  CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    message      TEXT NOT NULL REFERENCES messages(id),
    outbox       TEXT REFERENCES outbox(id),
    kind         TEXT NOT NULL,
    disposition  TEXT NOT NULL,
    original_message_id TEXT,
    at           INTEGER NOT NULL,
    detail       TEXT
  ) STRICT;
  CREATE INDEX notifications_outbox ON notifications(outbox);
  `,
  `
  -- the tele-expertise requests read from messages (one per message that carried one)
  CREATE TABLE requests (
    id            TEXT PRIMARY KEY,
    message       TEXT NOT NULL UNIQUE REFERENCES messages(id),
    channel       TEXT NOT NULL,
    dialect       TEXT NOT NULL,
    sender_ref    TEXT,
    requester     TEXT,
    state         TEXT NOT NULL,
    canonical     TEXT NOT NULL,
    verdict       TEXT,
    refusal_codes TEXT,
    deadline      TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX requests_sender_ref ON requests(sender_ref);
  CREATE INDEX requests_state ON requests(state, updated_at);

  -- the places requests take in their programme's quota: one per admitted request, given back on cancellation
  CREATE TABLE quota_places (
    request   TEXT PRIMARY KEY REFERENCES requests(id),
    pack      TEXT NOT NULL,
    key       TEXT NOT NULL,
    day       INTEGER NOT NULL,
    taken_at  INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX quota_places_key ON quota_places(pack, key, day);
  `,
  `
  -- the practitioner directory
  CREATE TABLE organizations (
    id            TEXT PRIMARY KEY,
    name          TEXT,
    identifiers   TEXT NOT NULL DEFAULT '[]',
    municipality  TEXT,
    updated_at    INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE practitioners (
    id                 TEXT PRIMARY KEY,
    family             TEXT,
    given              TEXT,
    prefix             TEXT,
    profession_system  TEXT,
    profession_code    TEXT,
    council            TEXT,
    municipality       TEXT,
    organization       TEXT REFERENCES organizations(id),
    capacity           INTEGER,
    active             INTEGER NOT NULL DEFAULT 1,
    source             TEXT NOT NULL,
    updated_at         INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE practitioner_identifiers (
    system        TEXT NOT NULL,
    value         TEXT NOT NULL,
    practitioner  TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE,
    PRIMARY KEY (system, value)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX practitioner_identifiers_of ON practitioner_identifiers(practitioner);
  CREATE TABLE practitioner_specialties (
    practitioner  TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE,
    system        TEXT NOT NULL,
    code          TEXT NOT NULL,
    PRIMARY KEY (practitioner, system, code)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX practitioner_specialties_code ON practitioner_specialties(code, system);
  CREATE TABLE practitioner_addresses (
    address       TEXT PRIMARY KEY COLLATE NOCASE,
    practitioner  TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX practitioner_addresses_of ON practitioner_addresses(practitioner);
  CREATE TABLE practitioner_certificates (
    sha256        TEXT PRIMARY KEY,
    practitioner  TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE,
    not_before    INTEGER NOT NULL,
    not_after     INTEGER NOT NULL,
    der           BLOB NOT NULL
  ) STRICT;
  CREATE INDEX practitioner_certificates_of ON practitioner_certificates(practitioner, not_after);
  CREATE TABLE absences (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    practitioner  TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE,
    first_day     TEXT NOT NULL,
    last_day      TEXT NOT NULL
  ) STRICT;
  CREATE INDEX absences_of ON absences(practitioner, last_day);
  CREATE TABLE memberships (
    practitioner  TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE,
    programme     TEXT NOT NULL,
    PRIMARY KEY (practitioner, programme)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE hub_links (
    hub    TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE,
    spoke  TEXT NOT NULL REFERENCES practitioners(id) ON DELETE CASCADE,
    PRIMARY KEY (hub, spoke)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX hub_links_spoke ON hub_links(spoke);

  -- routing and the specialist's loop
  ALTER TABLE requests ADD COLUMN expert TEXT;
  ALTER TABLE requests ADD COLUMN expert_address TEXT;
  ALTER TABLE requests ADD COLUMN assigned_at INTEGER;
  ALTER TABLE requests ADD COLUMN due_at INTEGER;
  ALTER TABLE requests ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE requests ADD COLUMN paused_at INTEGER;
  CREATE INDEX requests_expert ON requests(expert, state);
  CREATE INDEX requests_due ON requests(state, due_at);
  CREATE TABLE routing_decisions (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    request  TEXT NOT NULL REFERENCES requests(id),
    at       INTEGER NOT NULL,
    outcome  TEXT NOT NULL,
    expert   TEXT,
    reason   TEXT NOT NULL
  ) STRICT;
  CREATE INDEX routing_decisions_of ON routing_decisions(request, id);
  CREATE TABLE opinions (
    request    TEXT NOT NULL REFERENCES requests(id),
    version    INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    expert     TEXT,
    message    TEXT REFERENCES messages(id),
    text       TEXT,
    documents  TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (request, version)
  ) STRICT;
  `,
  `
  -- billing: one claim per billable act of a request, written with the step that delivered the opinion, then sent
  -- to the insurer from here (leases, retries); the idempotency key is the Claim.identifier the insurer holds it by
  CREATE TABLE claims (
    id                TEXT PRIMARY KEY,
    request           TEXT NOT NULL,
    act_code          TEXT NOT NULL,
    idempotency_key   TEXT NOT NULL UNIQUE,
    bundle            TEXT NOT NULL,
    state             TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    first_attempt_at  INTEGER,
    next_attempt_at   INTEGER NOT NULL,
    lease_until       INTEGER,
    lease_owner       TEXT,
    last_error        TEXT,
    response          TEXT,
    outcome           TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    submitted_at      INTEGER
  ) STRICT;
  CREATE INDEX claims_work ON claims(state, next_attempt_at);
  CREATE INDEX claims_request ON claims(request);
  CREATE INDEX claims_created ON claims(created_at);
  `,
  `
  -- the FHIR API: a request received over it has its Task (id = the request's id) from the POST on, before the
  -- parse stage reads it; questions and answers between expert and requester as Communications
  CREATE TABLE fhir_tasks (
    id          TEXT PRIMARY KEY,
    message     TEXT NOT NULL UNIQUE REFERENCES messages(id),
    requester   TEXT NOT NULL,
    created_at  INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX fhir_tasks_requester ON fhir_tasks(requester, created_at);
  CREATE TABLE communications (
    id          TEXT PRIMARY KEY,
    request     TEXT NOT NULL REFERENCES requests(id),
    message     TEXT REFERENCES messages(id),
    sender      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    text        TEXT NOT NULL,
    documents   TEXT NOT NULL DEFAULT '[]',
    sent_at     INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX communications_request ON communications(request, sent_at);
  -- what each practitioner sees: the requests they sent, and those assigned to them
  CREATE INDEX requests_requester ON requests(requester COLLATE NOCASE, updated_at);
  CREATE INDEX requests_expert_address ON requests(expert_address COLLATE NOCASE, updated_at);
  `,
  `
  -- the directory's order: a practitioner's first address is where mail goes, their first specialty the one shown
  ALTER TABLE practitioner_addresses ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE practitioner_specialties ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- a requester's Task search also finds their FHIR requests not read yet (or refused before): addresses match
  -- without regard to case, as on requests
  DROP INDEX fhir_tasks_requester;
  CREATE INDEX fhir_tasks_requester ON fhir_tasks(requester COLLATE NOCASE, created_at);
  `,
];
