"""The SQLite schema, created on first start and migrated by version number (`user_version`)."""

import sqlite3

MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE templates (
            name TEXT NOT NULL, language TEXT NOT NULL, version INTEGER NOT NULL,
            body TEXT NOT NULL, category TEXT, provider_template TEXT, saved_by TEXT NOT NULL,
            saved_at INTEGER NOT NULL, PRIMARY KEY (name, language, version)) WITHOUT ROWID""",
        """CREATE TABLE log (
            id TEXT PRIMARY KEY, direction TEXT NOT NULL, provider TEXT, provider_message_id TEXT,
            contact TEXT NOT NULL, status TEXT NOT NULL, processed INTEGER NOT NULL DEFAULT 0,
            error TEXT, payload TEXT NOT NULL, created_at INTEGER NOT NULL)""",
        "CREATE UNIQUE INDEX log_inbound_dedupe ON log (provider, provider_message_id) WHERE direction = 'inbound'",
        "CREATE INDEX log_outbound_provider_id ON log (provider_message_id) WHERE direction = 'outbound'",
        "CREATE INDEX log_created ON log (created_at, id)",
        "CREATE INDEX log_contact_created ON log (contact, created_at, id)",
        "CREATE INDEX log_unprocessed ON log (created_at) WHERE direction = 'inbound' AND processed = 0",
        """CREATE TABLE statuses (
            provider TEXT NOT NULL, provider_message_id TEXT NOT NULL, status TEXT NOT NULL,
            at INTEGER NOT NULL, error_code TEXT, error_text TEXT)""",
        "CREATE INDEX statuses_message ON statuses (provider_message_id, at)",
        """CREATE TABLE queue (
            id TEXT PRIMARY KEY, message TEXT NOT NULL, state TEXT NOT NULL, priority INTEGER NOT NULL,
            due_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL,
            idempotency_key TEXT UNIQUE, lease_owner TEXT, lease_expires_at INTEGER,
            provider_message_id TEXT, last_error TEXT,
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)""",
        "CREATE INDEX queue_due ON queue (state, priority DESC, due_at)",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE contacts (contact TEXT PRIMARY KEY, settings TEXT NOT NULL)",
        """CREATE TABLE sessions (
            contact TEXT PRIMARY KEY, data TEXT NOT NULL, version INTEGER NOT NULL,
            expires_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)""",
        """CREATE TABLE records (
            plugin TEXT NOT NULL, key TEXT NOT NULL, document TEXT NOT NULL, updated_at INTEGER NOT NULL,
            PRIMARY KEY (plugin, key))""",
        "CREATE INDEX records_recent ON records (plugin, updated_at)",
        """CREATE TABLE counters (
            plugin TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (plugin, name))""",
    ),
]

MIGRATIONS.append(
    # statistics read outbound outcomes and distinct inbound contacts by time without touching the table
    ("CREATE INDEX log_direction_created ON log (direction, created_at, provider, status, contact)",)
)

MIGRATIONS.append(
    # a claim records whether it took the job over from a worker whose lease had expired
    ("ALTER TABLE queue ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0",)
)

MIGRATIONS.append(
    # a provider's redelivered status report is kept once; the unprocessed scan reads its order
    # from an index; finished jobs are purged by age and listed by due time without a sort
    (
        """DELETE FROM statuses WHERE rowid NOT IN (
               SELECT MIN(rowid) FROM statuses GROUP BY provider, provider_message_id, status, at)""",
        "CREATE UNIQUE INDEX statuses_once ON statuses (provider, provider_message_id, status, at)",
        "DROP INDEX log_unprocessed",
        "CREATE INDEX log_unprocessed ON log (created_at, id) WHERE direction = 'inbound' AND processed = 0",
        "CREATE INDEX queue_by_state_updated ON queue (state, updated_at)",
        "CREATE INDEX queue_by_state_due ON queue (state, due_at, id)",
    )
)

MIGRATIONS.append(
    # a reply waits while an earlier reply to the same contact is queued or sending, so a contact's
    # replies leave in order whichever workers claim them; the index finds that earlier reply
    (
        "ALTER TABLE queue ADD COLUMN reply_to TEXT",
        "CREATE INDEX queue_replies_in_order ON queue (reply_to, state, id) WHERE reply_to IS NOT NULL",
    )
)

MIGRATIONS.append(
    # named leases with fencing tokens: whatever needs one holder across processes takes one
    (
        """CREATE TABLE leases (
            name TEXT PRIMARY KEY, owner TEXT NOT NULL, token INTEGER NOT NULL, expires_at INTEGER NOT NULL
        )""",
    )
)

MIGRATIONS.append(
    # whichever process holds a contact's inbox lease reads that contact's unprocessed messages in order
    (
        """CREATE INDEX log_unprocessed_by_contact ON log (contact, created_at, id)
           WHERE direction = 'inbound' AND processed = 0""",
    )
)

MIGRATIONS.append(
    # GATEWAY_LOG_RETENTION_DAYS: housekeeping deletes status reports by age
    ("CREATE INDEX statuses_at ON statuses (at)",)
)

MIGRATIONS.append(
    # a notification's file waits while the job it follows (its template) is queued or sending
    ("ALTER TABLE queue ADD COLUMN follows TEXT",)
)

MIGRATIONS.append(
    # the admin API pages templates and handovers in the store: the latest version of each
    # template is marked, so a page reads only latest versions; conversation cards are indexed
    # by state and last activity, the order the handover list and the console's inbox read
    (
        "ALTER TABLE templates ADD COLUMN latest INTEGER NOT NULL DEFAULT 0",
        """UPDATE templates SET latest = 1 WHERE version = (
               SELECT MAX(version) FROM templates t WHERE t.name = templates.name AND t.language = templates.language)""",
        "CREATE INDEX templates_latest ON templates (name, language) WHERE latest = 1",
        """CREATE INDEX records_conversations_by_state ON records (
               plugin, json_extract(document, '$.state'), json_extract(document, '$.last_activity_at'), key)
           WHERE plugin = 'gateway.conversations'""",
        """CREATE INDEX records_conversations_by_activity ON records (
               plugin, json_extract(document, '$.last_activity_at'), key)
           WHERE plugin = 'gateway.conversations'""",
    )
)

MIGRATIONS.append(
    # a job retried by an operator takes back with it the files suppressed because it did not go
    ("CREATE INDEX queue_followers ON queue (follows) WHERE follows IS NOT NULL",)
)

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(connection: sqlite3.Connection) -> int:
    """Apply the migrations this database lacks, in one write transaction, and return the
    version it is at. Safe when several processes start on one file at once."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        current = connection.execute("PRAGMA user_version").fetchone()[0]
        if current > SCHEMA_VERSION:
            raise RuntimeError(
                f"database schema is version {current}, newer than this gateway's {SCHEMA_VERSION}; upgrade the gateway"
            )
        for statements in MIGRATIONS[current:]:
            for statement in statements:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION
