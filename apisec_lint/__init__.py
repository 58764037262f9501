"""apisec-lint: a security linter for Python API code, built on libcst."""

__version__ = "0.1.0"
