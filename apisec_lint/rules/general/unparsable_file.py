"""APS000: a file that could not be read or parsed is reported, never skipped."""

from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid


class UnparsableFile(Rule):
    code = "APS000"
    name = "unparsable-file"
    message = "cannot parse"
    summary = "A file could not be read, decoded or parsed, so no rule checked it."
    severity = Severity.HIGH
    checks_tests = True
    cwe = ()
    docs = RuleDocs(
        what=(
            "Files that cannot be decoded (a wrong coding cookie, invalid UTF-8, a NUL "
            "byte), that are not valid Python, or that nest deeper than CPython allows "
            "(200 open brackets, 100 indentation levels, expressions too deep to compile)."
        ),
        why=(
            "A file no rule could read is a file nobody checked. Reporting it keeps a "
            "CI run from passing silently over code that may hold exactly the problems "
            "the other rules look for. The reason and position say what to fix."
        ),
        insecure="def handler(request:\n    return request.args\n",
        fixed="def handler(request):\n    return request.args\n",
        limitations=(
            "Files are parsed with libcst's grammar, which follows the newest Python "
            "release; code that only an older interpreter accepts (Python 2 syntax) "
            "is reported here."
        ),
    )
    valid = (Valid("x = 1\n"), Valid("match command:\n    case [x]:\n        pass\n"))
    invalid = (
        Invalid(
            "print 'hello'\n",
            1,
            1,
            "cannot parse: Missing parentheses in call to 'print'. Did you mean print(...)?",
        ),
        Invalid("x = " + "(" * 201 + ")" * 201 + "\n", 1, 205,
                "beyond CPython's nesting limits: too many nested parentheses"),
    )
