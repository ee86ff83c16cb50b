"""Which language an article is in, from the detector packaged in ``py3langid``."""

from __future__ import annotations

from functools import lru_cache

MIN_CHARS = 40  # shorter texts are not judged
SAMPLE_CHARS = 1000  # the opening is judged (an article keeps to one language)
MIN_PROBABILITY = 0.9  # below it (tables of figures, mixed scripts) no language is given


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return None
    lang, prob = _identifier().classify(sample)
    return lang if prob >= MIN_PROBABILITY else None
