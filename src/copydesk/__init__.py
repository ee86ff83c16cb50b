"""copydesk: where did this news article really come from?

Find, for each article, the earlier articles whose text it reuses; align the reused
passages; tell whether the copy credits its source.
"""

from copydesk.desk import Desk
from copydesk.engines.compare import Params
from copydesk.engines.embedded import IngestSummary, ScanSummary
from copydesk.errors import CopydeskError, RecordError, StoreError
from copydesk.model import Article, Evidence, Passage, Rejection, SourceMatch, Verdict

__version__ = "0.1.0"

__all__ = [
    "Article",
    "CopydeskError",
    "Desk",
    "Evidence",
    "IngestSummary",
    "Params",
    "Passage",
    "RecordError",
    "Rejection",
    "ScanSummary",
    "SourceMatch",
    "StoreError",
    "Verdict",
    "__version__",
]
