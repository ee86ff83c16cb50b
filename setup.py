"""The optional compiled module (fingerprints, the language-identification walk, name
words); everything else is in pyproject.toml.

When the C compiler or Python's headers are missing, the build of ``copydesk._fingerprint``
fails quietly (``optional=True``) and copydesk does the same with numpy and Python,
identically.
"""

import sys

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "copydesk._fingerprint",
            sources=["src/copydesk/_fingerprint.c"],
            extra_compile_args=[] if sys.platform == "win32" else ["-O3"],
            optional=True,
        )
    ]
)
