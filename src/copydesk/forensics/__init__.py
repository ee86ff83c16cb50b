"""Forensics: what a copy says about its source (credit kept or not)."""

from copydesk.forensics.credit import (
    Names,
    credit_mentions,
    linked_credit,
    names_of,
    removed_credits,
)

__all__ = ["Names", "credit_mentions", "linked_credit", "names_of", "removed_credits"]
