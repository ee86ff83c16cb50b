"""Storage: one SQLite file in WAL mode holding articles, fingerprints and verdicts."""

from copydesk.store.sqlite import Store, StoreError, StoredArticle

__all__ = ["Store", "StoreError", "StoredArticle"]
