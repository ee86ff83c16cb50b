"""Storage: one SQLite file in WAL mode holding articles, fingerprints and verdicts."""

from copydesk.store.sqlite import Store, StoredArticle, StoreError

__all__ = ["Store", "StoreError", "StoredArticle"]
