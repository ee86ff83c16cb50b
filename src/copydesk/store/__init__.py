"""Storage: one SQLite file in WAL mode holding articles, fingerprints and verdicts."""

from copydesk.store.sqlite import NoStoreError, Store, StoredArticle, StoreError, worker_store

__all__ = ["NoStoreError", "Store", "StoreError", "StoredArticle", "worker_store"]
