"""APS402: a web framework's debug mode switched on in code that may be deployed."""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from apisec_lint.analysis.calls import argument, keyword_argument
from apisec_lint.findings import Severity
from apisec_lint.fixes import Fix, imports_package, remove_argument
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.exposure.config_helpers import (
    ConfigSetting,
    enclosing_class,
    is_development_context,
    is_settings_module,
    settings_in_assignment,
    settings_in_call,
    truth_value,
)

CONFIG_MESSAGE = (
    "`DEBUG` is set to true; read it from the environment with a false default"
)
ATTRIBUTE_MESSAGE = (
    "`app.debug = True` turns on the debugger; read it from the environment"
)
RUN_MESSAGE = (
    "`{api}(debug=True)` starts the interactive debugger; leave debug off when deployed"
)
APP_MESSAGE = (
    "`{api}(debug=True)` sends tracebacks to clients; keep `debug` off when deployed"
)
RUN_SIMPLE_MESSAGE = (
    "`run_simple(use_debugger=True)` exposes the Werkzeug debugger console"
)

#: Application classes whose ``debug=True`` returns tracebacks in responses.
APP_CLASSES = {
    "fastapi.FastAPI": "FastAPI",
    "fastapi.applications.FastAPI": "FastAPI",
    "starlette.applications.Starlette": "Starlette",
}
RUN_SIMPLE = ("werkzeug.serving.run_simple", "werkzeug.run_simple")
#: ``.run(debug=True)`` on these is not a web debugger.
NOT_WEB_RUNNERS = ("asyncio.run", "unittest.main", "trio.run", "anyio.run")
APP_OWNER_SUFFIXES = ("Flask()", "Quart()", "FastAPI()", "Starlette()")
#: Applications whose ``run`` takes an optional ``debug`` keyword that defaults to off.
RUNNABLE_APPS = ("flask.Flask()", "flask.app.Flask()", "quart.Quart()", "quart.app.Quart()")


class DebugModeEnabled(Rule):
    code = "APS402"
    name = "debug-mode-enabled"
    message = CONFIG_MESSAGE
    summary = "A web framework runs in debug mode, exposing tracebacks, settings or a console."
    severity = Severity.HIGH
    cwe = (489, 215)
    owasp = "API8:2023"
    triggers = ("debug", "DEBUG")
    fixable = True
    docs = RuleDocs(
        what=(
            "Flask/Quart `app.run(debug=True)`, `app.debug = True`, `DEBUG` set to true "
            "through `app.config[...]`, `app.config.update(...)`, `from_mapping(...)` or "
            "`setdefault(...)`, a config class whose `DEBUG` attribute is true, Django "
            "settings `DEBUG = True` (a module named `settings`, in a `settings` package, "
            "or defining `INSTALLED_APPS`), `FastAPI(debug=True)`, `Starlette(debug=True)` "
            "and werkzeug `run_simple(..., use_debugger=True)`. A value read from the "
            "environment is reported only when its default, used when the variable is "
            'unset, is true (`os.getenv("DEBUG", "1") == "1"`).\n\n'
            "`--fix` removes a `debug=True` written in `FastAPI(...)`, "
            "`Starlette(...)` or the `run(...)` of an application made by "
            "`Flask(...)`/`Quart(...)` (or named `app`/`application` in a file that "
            "imports flask or quart), and `use_debugger=True` passed by keyword to "
            "`run_simple`: each defaults to off. Settings (`DEBUG = True`, "
            "`app.debug = True`, config entries) and values read from variables or the "
            "environment are not fixed, since the right replacement depends on how "
            "the project is deployed."
        ),
        why=(
            "Debug mode shows full tracebacks with source, local variables and settings to "
            "whoever triggers an error, and the Werkzeug debugger gives a Python console "
            "on the server. A debug flag left on in code is one forgotten environment "
            "variable away from production."
        ),
        insecure=(
            "from flask import Flask\n\napp = Flask(__name__)\n"
            'app.config["DEBUG"] = True\n'
        ),
        fixed=(
            "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
            'app.config["DEBUG"] = os.getenv("FLASK_DEBUG", "0") == "1"\n'
        ),
        limitations=(
            "Config classes and settings modules whose name says they configure "
            "development or tests (`DevelopmentConfig`, `TestingConfig`, "
            "`settings/local.py`, `settings_dev.py`) are not reported: debug mode is their "
            "purpose. A module-level `DEBUG = True` outside a settings module is not "
            "reported, since it is an ordinary constant there. Debug mode switched on by "
            "the `flask run --debug` command line or by environment variables is outside "
            "the source and not seen."
        ),
    )
    valid = (
        Valid(
            "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
            'app.config["DEBUG"] = os.getenv("FLASK_DEBUG", "0") == "1"\n'
        ),
        Valid(
            'import os\nDEBUG = os.environ.get("DJANGO_DEBUG") == "true"\n'
            "INSTALLED_APPS = []\n",
            path="mysite/settings.py",
        ),
        Valid(
            'from decouple import config\nDEBUG = config("DEBUG", default=False, cast=bool)\n',
            path="settings.py",
        ),
        Valid(
            'import environ\nenv = environ.Env()\nDEBUG = env.bool("DEBUG", default=False)\n',
            path="settings.py",
        ),
        Valid(
            "DEBUG = False\nINSTALLED_APPS = ['django.contrib.auth']\n",
            path="settings.py",
        ),
        Valid(
            "DEBUG = True\n\ndef log(message):\n    if DEBUG:\n        print(message)\n",
            path="tools/logging_utils.py",
        ),
        Valid(
            "class Config:\n    DEBUG = False\n\n\nclass DevelopmentConfig(Config):\n"
            "    DEBUG = True\n",
            path="config.py",
        ),
        Valid("DEBUG = True\nINSTALLED_APPS = []\n", path="mysite/settings/local.py"),
        Valid("import asyncio\n\nasyncio.run(main(), debug=True)\n"),
        Valid(
            'from fastapi import FastAPI\n\napp = FastAPI(debug=False, title="orders")\n'
        ),
        Valid(
            "from flask import Flask\n\napp = Flask(__name__)\n\n"
            'if __name__ == "__main__":\n    app.run(host="127.0.0.1", port=5000)\n'
        ),
        Valid(
            "import logging\nlogging.basicConfig(level=logging.DEBUG)\n"
            "logger.debug = True\n"
        ),
    )
    invalid = (
        Invalid(
            "from flask import Flask\n\napp = Flask(__name__)\n\n"
            'if __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)\n',
            6,
            29,
            RUN_MESSAGE.format(api="app.run"),
        ),
        Invalid(
            "from flask import Flask\n\napp = Flask(__name__)\napp.debug = True\n",
            4,
            1,
            ATTRIBUTE_MESSAGE,
        ),
        Invalid(
            'from flask import Flask\n\napp = Flask(__name__)\napp.config["DEBUG"] = True\n',
            4,
            1,
            CONFIG_MESSAGE,
        ),
        Invalid(
            "from flask import Flask\n\napp = Flask(__name__)\n"
            "app.config.update(\n    SECRET_KEY=load_key(),\n    DEBUG=True,\n)\n",
            6,
            5,
            CONFIG_MESSAGE,
        ),
        Invalid(
            "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n"
            '    app.config.from_mapping({"DEBUG": 1, "TESTING": False})\n    return app\n',
            5,
            30,
            CONFIG_MESSAGE,
        ),
        Invalid(
            "class ProductionConfig:\n    DEBUG = True\n    TESTING = False\n",
            2,
            5,
            CONFIG_MESSAGE,
            path="config.py",
        ),
        Invalid(
            'import os\n\nDEBUG = os.getenv("DJANGO_DEBUG", "True") == "True"\n'
            "INSTALLED_APPS = []\n",
            3,
            1,
            CONFIG_MESSAGE,
            path="mysite/settings.py",
        ),
        Invalid(
            "DEBUG = True\nALLOWED_HOSTS = ['*']\n",
            1,
            1,
            CONFIG_MESSAGE,
            path="mysite/settings/production.py",
        ),
        Invalid(
            "from fastapi import FastAPI as API\n\napp = API(debug=True)\n",
            3,
            11,
            APP_MESSAGE.format(api="FastAPI"),
        ),
        Invalid(
            "from starlette.applications import Starlette\n\n"
            "app = Starlette(routes=routes, debug=True)\n",
            3,
            32,
            APP_MESSAGE.format(api="Starlette"),
        ),
        Invalid(
            "from werkzeug.serving import run_simple\n\n"
            'run_simple("0.0.0.0", 8000, app, use_reloader=True, use_debugger=True)\n',
            3,
            53,
            RUN_SIMPLE_MESSAGE,
        ),
        Invalid(
            "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
            'DEBUG_MODE = os.environ.get("DEBUG", "true").lower() in ("1", "true")\n'
            "app.run(debug=DEBUG_MODE)\n",
            6,
            9,
            RUN_MESSAGE.format(api="app.run"),
        ),
    )

    def visit_Assign(self, node: cst.Assign) -> None:
        self._check_assignment(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._check_assignment(node)

    def _check_assignment(self, node: Union[cst.Assign, cst.AnnAssign]) -> None:
        for setting in settings_in_assignment(self.context, node):
            message = self._setting_message(setting)
            if message is not None and truth_value(self.context, setting.value):
                self.report(setting.node, message)
                return

    def _setting_message(self, setting: ConfigSetting) -> Optional[str]:
        """The message for a setting that turns on debug mode, or None if it does not."""
        if setting.kind == "attribute":
            if setting.key == "debug" and self._is_app(setting.owner):
                return ATTRIBUTE_MESSAGE
            return CONFIG_MESSAGE if setting.key == "DEBUG" else None
        if setting.key != "DEBUG" or is_development_context(self.context):
            return None
        if setting.kind in ("item", "keyword"):
            return CONFIG_MESSAGE
        if setting.kind == "class" and enclosing_class(self.context) is not None:
            return CONFIG_MESSAGE
        if setting.kind == "module" and is_settings_module(self.context):
            return CONFIG_MESSAGE
        return None

    def _is_app(self, owner: Optional[cst.BaseExpression]) -> bool:
        if owner is None:
            return False
        if isinstance(owner, cst.Name) and owner.value in ("app", "application"):
            return True
        name = self.context.qualified_name(owner) or ""
        return name.endswith(APP_OWNER_SUFFIXES)

    def visit_Call(self, node: cst.Call) -> None:
        for setting in settings_in_call(self.context, node):
            if setting.key == "DEBUG" and truth_value(self.context, setting.value):
                if not is_development_context(self.context):
                    self.report(setting.node, CONFIG_MESSAGE)
                return
        name = self.context.qualified_name(node.func) or ""
        if name in APP_CLASSES:
            self._check_flag(
                keyword_argument(node, "debug"),
                APP_MESSAGE.format(api=APP_CLASSES[name]),
                node,
            )
        elif name in RUN_SIMPLE:
            self._check_flag(argument(node, 4, "use_debugger"), RUN_SIMPLE_MESSAGE, node)
        elif (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "run"
            and name not in NOT_WEB_RUNNERS
        ):
            owner = self.context.module.code_for_node(node.func)
            runs_app = self._is_flask_app(node.func.value)
            self._check_flag(
                keyword_argument(node, "debug"),
                RUN_MESSAGE.format(api=owner),
                node if runs_app else None,
            )

    def _check_flag(
        self, arg: Optional[cst.Arg], message: str, removable_from: Optional[cst.Call]
    ) -> None:
        """Report a true flag; offer to remove it from ``removable_from`` when it is
        written as a ``True`` keyword there (the parameter defaults to off)."""
        if arg is None or not truth_value(self.context, arg.value):
            return
        fix = None
        if (
            removable_from is not None
            and arg.keyword is not None
            and isinstance(arg.value, cst.Name)
            and arg.value.value == "True"
        ):
            fix = Fix(removable_from, remove_argument(removable_from, arg))
        self.report(arg, message, fix)

    def _is_flask_app(self, owner: cst.BaseExpression) -> bool:
        if (self.context.qualified_name(owner) or "") in RUNNABLE_APPS:
            return True
        return (
            isinstance(owner, cst.Name)
            and owner.value in ("app", "application")
            and (imports_package(self.context, "flask") or imports_package(self.context, "quart"))
        )
