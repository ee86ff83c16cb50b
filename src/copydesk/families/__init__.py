"""Story families: the versions of one story, who took from whom, and where it started."""

from copydesk.families.agencies import (
    Agency,
    AgencyFileError,
    builtin_agencies,
    merge_agencies,
    parse_agencies,
    read_agencies,
)
from copydesk.families.build import (
    Family,
    Link,
    Member,
    Node,
    Origin,
    build_families,
    build_family,
    components,
    family_id,
    variant_agreement,
)
from copydesk.families.credits import Credit, Registry, outlet_credits

__all__ = [
    "Agency",
    "AgencyFileError",
    "Credit",
    "Family",
    "Link",
    "Member",
    "Node",
    "Origin",
    "Registry",
    "build_families",
    "build_family",
    "builtin_agencies",
    "components",
    "family_id",
    "merge_agencies",
    "outlet_credits",
    "parse_agencies",
    "read_agencies",
    "variant_agreement",
]
