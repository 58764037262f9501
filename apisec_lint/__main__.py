"""Allow ``python -m apisec_lint`` to behave exactly like the ``apisec-lint`` command."""

from apisec_lint.cli import main

if __name__ == "__main__":
    main(prog_name="apisec-lint")
