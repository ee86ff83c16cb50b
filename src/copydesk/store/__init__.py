"""Storage: one SQLite file in WAL mode holding articles, fingerprints and verdicts."""

from copydesk.store.sqlite import NoStoreError, Store, StoredArticle, StoreError

__all__ = ["NoStoreError", "Store", "StoreError", "StoredArticle"]
