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

MIGRATIONS.append(
    # 3: full-text search over articles (id, title, outlet, text) for the web app's search
    # page and ``GET /api/articles?q=``. An external-content FTS5 table (the text is not
    # stored twice) kept in sync through a queue; filled from the rows already stored.
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        id, title, outlet, text,
        content = 'articles', content_rowid = 'key',
        tokenize = 'unicode61 remove_diacritics 2'
    );

    -- New and changed rows are only queued here: tokenising every text at ingest would
    -- cost as much as fingerprinting it. Store.sync_search_index() indexes the queue
    -- before a search. A row still queued was never indexed, so it must not be deleted
    -- from the index (an external-content FTS5 table would be corrupted).
    CREATE TABLE fts_pending (key INTEGER PRIMARY KEY);

    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO fts_pending (key) VALUES (new.key);
    END;

    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, id, title, outlet, text)
        SELECT 'delete', old.key, old.id, old.title, old.outlet, old.text
        WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE key = old.key);
        DELETE FROM fts_pending WHERE key = old.key;
    END;

    CREATE TRIGGER articles_fts_update AFTER UPDATE OF id, title, outlet, text ON articles
    BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, id, title, outlet, text)
        SELECT 'delete', old.key, old.id, old.title, old.outlet, old.text
        WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE key = old.key);
        INSERT OR IGNORE INTO fts_pending (key) VALUES (new.key);
    END;

    INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
    """
)

MIGRATIONS.append(
    # Web ingestion: the raw HTML of articles read from web pages (zlib-compressed UTF-8),
    # so ``copydesk reextract`` can run extraction again; and what ``copydesk watch`` has
    # fetched: feeds (validators for conditional GET) and pages (seen, or why not).
    """
    CREATE TABLE raw_html (
        article   INTEGER PRIMARY KEY,      -- articles.key
        html      BLOB NOT NULL,
        extractor TEXT
    );

    CREATE TABLE fetched (
        url           TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,        -- feed | page
        status        INTEGER,              -- last HTTP status; NULL: no answer
        etag          TEXT,
        last_modified TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        done          INTEGER NOT NULL DEFAULT 0,  -- page: fetched, or given up on
        error         TEXT,
        fetched_at    TEXT NOT NULL
    );
    """
)
MIGRATIONS.append(
    # Articles whose fingerprints are not in the postings tables yet. Ingest leaves them
    # here; the postings are written when first needed, in one pass sorted by hash (a
    # million articles' postings inserted batch by batch rewrite the whole index each time).
    """
    CREATE TABLE postings_pending (key INTEGER PRIMARY KEY);
    """
)
MIGRATIONS.append(
    # Sentence vectors for the semantic stage: each article's embedded sentences as
    # character spans (int32 pairs) and int8 unit vectors, its mean vector for the
    # nearest-neighbour index, and its detected language. ``text_hash`` says which text
    # they were computed from: a changed article is embedded again.
    """
    CREATE TABLE sentence_vectors (
        article   INTEGER PRIMARY KEY,      -- articles.key
        model     TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        language  TEXT,
        spans     BLOB NOT NULL,
        vectors   BLOB NOT NULL,
        mean      BLOB NOT NULL
    );
    """
)
MIGRATIONS.append(
    # Acting on findings. Reviews: a person's confirm/dismiss of an article's verdict, kept
    # as history; a dismissal holds while the text it was made on (text_hash) is unchanged.
    # Alerts: one row per finding (copy, source, copy text), so nothing is sent twice;
    # sent_at is NULL until every channel took it. Settings: user choices such as ``mine``.
    """
    CREATE TABLE reviews (
        id        INTEGER PRIMARY KEY,
        article   TEXT NOT NULL,            -- articles.id
        text_hash TEXT NOT NULL,            -- the text reviewed
        action    TEXT NOT NULL CHECK (action IN ('confirm', 'dismiss')),
        note      TEXT NOT NULL DEFAULT '',
        reviewer  TEXT NOT NULL,
        at        TEXT NOT NULL
    );
    CREATE INDEX reviews_article ON reviews(article, id);

    CREATE VIEW dismissed AS
    SELECT a.key AS key FROM articles a JOIN reviews r ON r.article = a.id
    WHERE r.id = (SELECT max(id) FROM reviews WHERE article = a.id)
      AND r.action = 'dismiss' AND r.text_hash = a.text_hash;

    CREATE TABLE alerts (
        key        TEXT PRIMARY KEY,        -- copy id, source id, copy text hash
        data       TEXT NOT NULL,           -- the finding as JSON
        created_at TEXT NOT NULL,
        sent_at    TEXT,
        channels   TEXT NOT NULL DEFAULT '',  -- channels that took it, comma-separated
        attempts   INTEGER NOT NULL DEFAULT 0,
        error      TEXT
    );
    CREATE INDEX alerts_unsent ON alerts(created_at) WHERE sent_at IS NULL;

    CREATE TABLE settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL                 -- JSON
    );
    """
)
MIGRATIONS.append(
    # Story families (copydesk.families): one row a family with its tree and origin as
    # JSON and a signature of what it was built from (members, links, names), so a scan
    # rebuilds only the families whose inputs changed; and each member's family.
    """
    CREATE TABLE families (
        id        TEXT PRIMARY KEY,
        signature TEXT NOT NULL,
        data      TEXT NOT NULL
    );
    CREATE TABLE family_members (
        article INTEGER PRIMARY KEY,         -- articles.key
        family  TEXT NOT NULL
    );
    CREATE INDEX family_members_family ON family_members(family);
    """
)
MIGRATIONS.append(
    # ``trace`` asks first whether the very text is stored: looked up by its hash, not by
    # reading every row (5 ms of a trace's 8 at 21,000 articles without it).
    """
    CREATE INDEX articles_text_hash ON articles(text_hash);
    """
)
MIGRATIONS.append(
    # The semantic stage's language-independent anchors of each article (its numbers and
    # the consonant skeletons of its names, space-separated): articles in two languages
    # that share several are compared as possible translations. NULL until first needed
    # (once the collection holds two languages).
    """
    ALTER TABLE sentence_vectors ADD COLUMN anchors TEXT;
    """
)
MIGRATIONS.append(
    # The semantic stage's candidate pairs as of its last scan, so the next one knows which
    # pairs it has judged: ``kind`` 0 for nearest by mean vector, 1 for two languages that
    # share anchors; ``eligible`` 1 when the lexical stage had not decided the pair (so the
    # semantic stage judged it). Each pair once, ``low`` < ``high`` (articles.key).
    """
    CREATE TABLE semantic_candidates (
        low      INTEGER NOT NULL,
        high     INTEGER NOT NULL,
        kind     INTEGER NOT NULL,
        eligible INTEGER NOT NULL,
        PRIMARY KEY (low, high, kind)
    ) WITHOUT ROWID;
    """
)
SCHEMA_VERSION = len(MIGRATIONS)
