"""The store's schema as a list of migrations; ``PRAGMA user_version`` counts those applied."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: articles, fingerprints (winnowed anchors, LSH band keys) and pairwise matches.
    # The postings tables are keyed by hash only: an article's own hashes are in its row,
    # which is all that removing or re-scanning it needs, and saves a second index.
    """
    CREATE TABLE articles (
        key          INTEGER PRIMARY KEY,   -- internal; ascending in ingest order
        id           TEXT NOT NULL UNIQUE,
        url          TEXT,
        outlet       TEXT,
        outlet_name  TEXT,
        author       TEXT,
        title        TEXT,
        published    TEXT,                  -- ISO 8601, UTC
        published_ts REAL,                  -- the same as Unix seconds, for ranges
        text         TEXT NOT NULL,
        text_hash    TEXT NOT NULL,
        meta_hash    TEXT NOT NULL,
        n_words      INTEGER NOT NULL,
        extra        TEXT,                  -- JSON: input fields copydesk does not know
        anchors      BLOB NOT NULL,         -- this article's anchor hashes, int64 array
        bands        BLOB NOT NULL,         -- its LSH band keys, int64 array
        ingested_at  TEXT NOT NULL,
        scanned      INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX articles_unscanned ON articles(key) WHERE scanned = 0;
    CREATE INDEX articles_outlet ON articles(outlet);
    CREATE INDEX articles_published ON articles(published_ts);

    CREATE TABLE anchors (
        hash    INTEGER NOT NULL,
        article INTEGER NOT NULL,
        PRIMARY KEY (hash, article)
    ) WITHOUT ROWID;

    CREATE TABLE bands (
        key     INTEGER NOT NULL,
        article INTEGER NOT NULL,
        PRIMARY KEY (key, article)
    ) WITHOUT ROWID;

    CREATE TABLE matches (
        copy        INTEGER NOT NULL,
        source      INTEGER NOT NULL,
        same_outlet INTEGER NOT NULL,
        relation    TEXT NOT NULL,
        credit      TEXT NOT NULL,
        coverage    REAL NOT NULL,
        confidence  REAL NOT NULL,
        data        TEXT NOT NULL,          -- the SourceMatch as JSON
        PRIMARY KEY (copy, source)
    ) WITHOUT ROWID;
    CREATE INDEX matches_source ON matches(source);
    """,
]

MIGRATIONS.append(
    # 2: what one article shows alone (dangling attribution, foreign boilerplate, prompt
    # leftovers), and models learned from the whole collection (outlet aliases,
    # boilerplate), kept as JSON by name.
    """
    CREATE TABLE signals (
        article INTEGER PRIMARY KEY,
        data    TEXT NOT NULL               -- JSON list of evidence items
    );

    CREATE TABLE models (
        name  TEXT PRIMARY KEY,
        data  TEXT NOT NULL
    );
    """
)
SCHEMA_VERSION = len(MIGRATIONS)
