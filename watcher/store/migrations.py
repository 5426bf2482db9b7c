"""Schema migrations, in order, written once for both databases.

Each migration is a list of statements in portable SQL with three placeholders the dialect
fills in: ``{blob}`` (BLOB / BYTEA), ``{serial_pk}`` (an auto-increment primary key) and
``{bigint}``. Never edit a migration that has shipped: add the next one.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: the walking skeleton
    [
        """CREATE TABLE companies (
            cik {bigint} PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            tickers TEXT NOT NULL DEFAULT '[]',
            updated_at TEXT NOT NULL)""",
        """CREATE TABLE filings (
            accession TEXT PRIMARY KEY,
            cik {bigint} NOT NULL,
            form TEXT NOT NULL,
            filed TEXT,
            accepted TEXT,
            company_name TEXT NOT NULL DEFAULT '',
            items TEXT NOT NULL DEFAULT '',
            index_url TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'pending',
            notify INTEGER NOT NULL DEFAULT 1,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            first_seen TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL,
            lease_until TEXT,
            processed_at TEXT)""",
        "CREATE INDEX filings_queue ON filings (state, next_attempt_at)",
        "CREATE INDEX filings_cik ON filings (cik, state)",
        """CREATE TABLE documents (
            accession TEXT NOT NULL,
            doc_type TEXT NOT NULL,
            filename TEXT NOT NULL,
            url TEXT NOT NULL,
            sequence INTEGER NOT NULL DEFAULT 0,
            description TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL,
            content {blob} NOT NULL,
            fetched_at TEXT NOT NULL,
            PRIMARY KEY (accession, doc_type, filename))""",
        """CREATE TABLE releases (
            id {serial_pk},
            cik {bigint} NOT NULL,
            accession TEXT NOT NULL,
            doc_type TEXT NOT NULL,
            filed TEXT,
            headline TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (accession, doc_type))""",
        "CREATE INDEX releases_history ON releases (cik, filed, id)",
        """CREATE TABLE analyses (
            release_id {bigint} PRIMARY KEY REFERENCES releases (id),
            comparison TEXT NOT NULL,
            facts TEXT NOT NULL,
            changes TEXT NOT NULL,
            watch TEXT NOT NULL)""",
        """CREATE TABLE ledger (
            cik {bigint} NOT NULL,
            partner TEXT NOT NULL,
            product TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (cik, partner, product))""",
        """CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            accession TEXT NOT NULL,
            doc_type TEXT NOT NULL,
            cik {bigint} NOT NULL,
            severity TEXT NOT NULL,
            title TEXT NOT NULL,
            created_at TEXT NOT NULL,
            body {blob} NOT NULL,
            UNIQUE (accession, doc_type))""",
        """CREATE TABLE outbox (
            alert_id TEXT NOT NULL REFERENCES alerts (id),
            notifier TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            delivered_at TEXT,
            PRIMARY KEY (alert_id, notifier))""",
        "CREATE INDEX outbox_due ON outbox (notifier, state, next_attempt_at)",
        """CREATE TABLE source_state (
            name TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
    ],
    # 2 (issue 4, polling EDGAR): each filing's period of report and, for an amendment, the
    #   accession of the filing it amends; per-company backfill progress, so an interrupted
    #   `watcher backfill` resumes without listing finished companies again.
    [
        "ALTER TABLE filings ADD COLUMN report_date TEXT",
        "ALTER TABLE filings ADD COLUMN amends TEXT",
        """CREATE TABLE backfill_progress (
            cik {bigint} PRIMARY KEY,
            since TEXT,
            queued INTEGER NOT NULL DEFAULT 0,
            complete INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL)""",
    ],
    # 3 (issue 8, several instances on one store): ``claimed_by`` names the instance that
    #   processes a filing, so its heartbeat renews the lease and a shutdown hands the filing
    #   back at once; ``source_leases`` lets one instance at a time poll each source (the
    #   lease expires when the instance dies) and keeps each source's last poll for /healthz.
    [
        "ALTER TABLE filings ADD COLUMN claimed_by TEXT",
        "CREATE INDEX filings_claimed ON filings (claimed_by, state)",
        """CREATE TABLE source_leases (
            name TEXT PRIMARY KEY,
            holder TEXT,
            lease_until TEXT,
            last_attempt_at TEXT,
            last_success_at TEXT,
            last_error TEXT)""",
    ],
    # 4 (issue 6, partner ledger): the ledger's aliases - other names of a company's partners
    #   (renames, mergers, an acquirer that took over the deal) and products (code name ->
    #   generic name -> brand), learned from the releases, so that they are never reported as
    #   removed and re-added.
    [
        """CREATE TABLE ledger_aliases (
            cik {bigint} NOT NULL,
            kind TEXT NOT NULL,
            alias TEXT NOT NULL,
            canonical TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '',
            rule TEXT NOT NULL DEFAULT '',
            accession TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            PRIMARY KEY (cik, kind, alias))""",
    ],
    # 5 (issue 5, compare against the whole history): the paragraph index (see
    #   watcher/store/paragraphs.py) - each distinct paragraph of a company once, its MinHash
    #   band buckets (the latest few paragraphs per band), the paragraphs of each release, and
    #   which releases are indexed (existing releases start unindexed and are indexed lazily).
    #   Every lookup goes through an index led by the looked-up key (band, key hash, id),
    #   never by company alone, so no plan reads a company's whole index.
    [
        """CREATE TABLE paragraph_index (
            cik {bigint} PRIMARY KEY,
            signature TEXT NOT NULL,
            latest_release_id {bigint},
            latest_accession TEXT,
            latest_filed TEXT)""",
        """CREATE TABLE paragraphs (
            id {serial_pk},
            cik {bigint} NOT NULL,
            section TEXT NOT NULL,
            key_hash TEXT NOT NULL,
            text TEXT NOT NULL,
            tokens TEXT NOT NULL,
            occurrences INTEGER NOT NULL DEFAULT 1,
            first_filed TEXT,
            last_release_id {bigint} NOT NULL,
            last_accession TEXT NOT NULL,
            last_filed TEXT,
            UNIQUE (key_hash, cik, section))""",
        """CREATE TABLE paragraph_bands (
            band {bigint} NOT NULL,
            cik {bigint} NOT NULL,
            ids {blob} NOT NULL,
            PRIMARY KEY (band, cik))""",
        """CREATE TABLE release_paragraphs (
            release_id {bigint} NOT NULL REFERENCES releases (id),
            ordinal INTEGER NOT NULL,
            paragraph_id {bigint} NOT NULL REFERENCES paragraphs (id),
            PRIMARY KEY (release_id, ordinal))""",
        "ALTER TABLE releases ADD COLUMN paragraphs_indexed INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX releases_unindexed ON releases (cik) WHERE paragraphs_indexed = 0",
    ],
    # 6 (issue 7, the outbox): claims with a lease so several instances share the outbox
    # (claimed_by, lease_until); queued_at starts the age budget again when an alert is
    # retried by hand; alerts.kind tells filing alerts from operator alerts.
    [
        "ALTER TABLE outbox ADD COLUMN claimed_by TEXT",
        "ALTER TABLE outbox ADD COLUMN lease_until TEXT",
        "ALTER TABLE outbox ADD COLUMN queued_at TEXT",
        "ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT 'filing'",
        "CREATE INDEX outbox_order ON outbox (notifier, state, created_at, alert_id)",
    ],
]
