"""The bundled demo corpus: invented outlets and stories showing every case copydesk sees."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles.jsonl"
EXPECTED = HERE / "expected.json"
