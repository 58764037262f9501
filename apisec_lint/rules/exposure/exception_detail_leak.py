"""APS401: exception text or tracebacks sent back to the API client."""

from __future__ import annotations

import libcst as cst

from apisec_lint.analysis import taint
from apisec_lint.analysis.taint import Resolver
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.exposure.leak_helpers import returned_parts

ADVICE = "log it and return a generic message"


class ExceptionDetailLeak(Rule):
    code = "APS401"
    name = "exception-detail-leak"
    message = (
        "exception details reach the response (`str(exc)`, `traceback.format_exc()`): "
        "log them and return a generic message"
    )
    summary = "Exception messages or tracebacks are returned to the client."
    severity = Severity.MEDIUM
    cwe = (209, 497)
    owasp = "API8:2023"
    triggers = taint.FRAMEWORK_TRIGGERS
    docs = RuleDocs(
        what=(
            "Tracebacks (`traceback.format_exc()`, `format_exception`, `print_exc` "
            "into a buffer, `sys.exc_info()`) or the exception itself (`str(exc)`, "
            "`repr(exc)`, `exc.args`, f-strings) reaching a response: `jsonify`, "
            "`make_response`, framework `Response` classes, `HTTPException(detail=)`, "
            "`abort(description=)`, aiohttp `json_response`, or the return value of a "
            "handler, from an `except` block or a registered exception handler "
            "(`errorhandler`, `exception_handler`, DRF `EXCEPTION_HANDLER` functions, "
            "middleware `process_exception`). The text of a caught exception is reported "
            "only when the clause or handler covers exceptions that describe internals: "
            "`Exception`, `BaseException`, a 5xx code, or database, OS/file, socket and "
            "HTTP-client errors, and `KeyError`/`AttributeError`/`TypeError`/"
            "`ImportError`, alone or in a tuple. Traceback text is reported whatever "
            "was caught."
        ),
        why=(
            "Exception texts and tracebacks show file paths, library versions, SQL "
            "statements, hostnames and sometimes credentials: a map for the next "
            "attack. Clients need a stable error code, not the server's internals."
        ),
        insecure=(
            "from flask import Flask, jsonify\n"
            "\n"
            "from shop.billing import charge\n"
            "\n"
            "app = Flask(__name__)\n"
            "\n"
            "\n"
            '@app.post("/orders/<int:order_id>/pay")\n'
            "def pay(order_id):\n"
            "    try:\n"
            "        charge(order_id)\n"
            "    except Exception as exc:\n"
            "        return jsonify(error=str(exc)), 500\n"
            '    return jsonify(status="paid")\n'
        ),
        fixed=(
            "import logging\n"
            "\n"
            "from flask import Flask, jsonify\n"
            "\n"
            "from shop.billing import charge\n"
            "\n"
            "app = Flask(__name__)\n"
            "log = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            '@app.post("/orders/<int:order_id>/pay")\n'
            "def pay(order_id):\n"
            "    try:\n"
            "        charge(order_id)\n"
            "    except Exception:\n"
            '        log.exception("charge failed for order %s", order_id)\n'
            '        return jsonify(error="payment failed"), 500\n'
            '    return jsonify(status="paid")\n'
        ),
        limitations=(
            "Details shown only while a DEBUG setting or flag is on (`x if "
            "settings.DEBUG else \"generic\"`, `if app.debug:`) are not reported: "
            "production must run with it off. Exceptions are followed inside one "
            "module. The text of narrower exceptions (`ValidationError`, the "
            "application's own classes, library errors such as an OAuth error) is taken "
            "to be written for clients and is not reported, even when such a class "
            "wraps a database error in its message; a class is judged by its name, so "
            "an application class named like an infrastructure one (`ConnectionError`) "
            "is reported. Attributes and methods of the exception other than its text "
            "(`e.response`, `e.status_code`, `e.error`, `e.get_body()`) are data it "
            "carries on purpose and are not reported; `e.args`, `e.message`, `e.orig` "
            "and `str(e)` are."
        ),
    )
    valid = (
        Valid(
            "import logging\n"
            "from flask import Flask, jsonify\n"
            "app = Flask(__name__)\n"
            "log = logging.getLogger(__name__)\n"
            "@app.route('/pay', methods=['POST'])\n"
            "def pay():\n"
            "    try:\n"
            "        charge()\n"
            "    except Exception as exc:\n"
            "        log.exception('charge failed: %s', exc)\n"
            "        return jsonify(error='payment failed'), 500\n"
            "    return jsonify(ok=True)\n"
        ),
        Valid(
            "from fastapi import FastAPI, HTTPException\n"
            "from pydantic import ValidationError\n"
            "app = FastAPI()\n"
            "@app.post('/parse')\n"
            "def parse(body: dict):\n"
            "    try:\n"
            "        return Order.model_validate(body)\n"
            "    except ValidationError as exc:\n"
            "        raise HTTPException(status_code=422, detail=exc.errors())\n"
        ),
        Valid(
            "from flask import Flask, jsonify\n"
            "app = Flask(__name__)\n"
            "@app.errorhandler(404)\n"
            "def not_found(error):\n"
            "    return jsonify(error=str(error)), 404\n"
        ),
        Valid(
            "import traceback, logging\n"
            "from django.http import JsonResponse\n"
            "def sync(request):\n"
            "    try:\n"
            "        run_sync()\n"
            "    except Exception:\n"
            "        logging.error(traceback.format_exc())\n"
            "        return JsonResponse({'error': 'sync failed'}, status=500)\n"
            "    return JsonResponse({'ok': True})\n"
        ),
        Valid(
            "from flask import Flask, jsonify\n"
            "app = Flask(__name__)\n"
            "@app.route('/div')\n"
            "def div():\n"
            "    try:\n"
            "        return jsonify(result=compute())\n"
            "    except ZeroDivisionError as exc:\n"
            "        return jsonify(error=type(exc).__name__), 400\n"
        ),
        Valid(
            "import traceback\n"
            "from django.conf import settings\n"
            "from django.http import HttpResponseServerError\n"
            "def export(request):\n"
            "    try:\n"
            "        return build_export()\n"
            "    except Exception:\n"
            "        return HttpResponseServerError(\n"
            "            traceback.format_exc() if settings.DEBUG else 'Internal Server Error'\n"
            "        )\n"
        ),
        Valid(
            "from flask import Flask, current_app, jsonify\n"
            "app = Flask(__name__)\n"
            "@app.errorhandler(500)\n"
            "def crash(error):\n"
            "    if current_app.debug:\n"
            "        return jsonify(error=str(error)), 500\n"
            "    return jsonify(error='internal error'), 500\n"
        ),
        Valid(
            "from tastypie.exceptions import ImmediateHttpResponse\n"
            "from django.http import JsonResponse\n"
            "def dispatch(request):\n"
            "    try:\n"
            "        return JsonResponse(handle(request))\n"
            "    except ImmediateHttpResponse as e:\n"
            "        return e.response\n"
            "    except Exception as exc:\n"
            "        return JsonResponse({'status': exc.status_code, 'body': exc.get_body()})\n"
        ),
        Valid(
            "from rest_framework.decorators import api_view\n"
            "from rest_framework.response import Response\n"
            "from .errors import QuotaExceeded\n"
            "@api_view(['POST'])\n"
            "def upload(request):\n"
            "    try:\n"
            "        store(request.data)\n"
            "    except QuotaExceeded as e:\n"
            "        return Response({'detail': str(e)}, status=409)\n"
            "    return Response(status=201)\n"
        ),
        Valid(
            "from fastapi import FastAPI\n"
            "from fastapi.responses import JSONResponse\n"
            "from oauthlib.oauth2 import OAuth2Error\n"
            "app = FastAPI()\n"
            "@app.exception_handler(OAuth2Error)\n"
            "async def oauth_failed(request, exc):\n"
            "    return JSONResponse({'error': str(exc)}, status_code=400)\n"
        ),
    )
    invalid = (
        Invalid(
            "from flask import Flask, jsonify\n"
            "app = Flask(__name__)\n"
            "@app.route('/pay', methods=['POST'])\n"
            "def pay():\n"
            "    try:\n"
            "        charge()\n"
            "    except Exception as exc:\n"
            "        return jsonify(error=str(exc)), 500\n",
            8, 24,
            "exception `exc` reaches jsonify(): log it and return a generic message",
        ),
        Invalid(
            "import traceback as tb\n"
            "from django.http import HttpResponseServerError\n"
            "def export(request):\n"
            "    try:\n"
            "        build_export()\n"
            "    except Exception:\n"
            "        details = tb.format_exc()\n"
            "        return HttpResponseServerError(details)\n",
            8, 40,
            "traceback.format_exc() reaches HttpResponseServerError() through `details` "
            "(line 7): log it and return a generic message",
        ),
        Invalid(
            "from fastapi import FastAPI, Request\n"
            "from fastapi.responses import JSONResponse\n"
            "app = FastAPI()\n"
            "@app.exception_handler(Exception)\n"
            "async def crash(request: Request, exc: Exception):\n"
            "    return JSONResponse(status_code=500, content={'detail': repr(exc)})\n",
            6, 42,
            "exception `exc` reaches JSONResponse(): log it and return a generic message",
        ),
        Invalid(
            "from flask import Flask\n"
            "app = Flask(__name__)\n"
            "def on_error(error):\n"
            "    return {'message': f'internal error: {error}'}, 500\n"
            "app.register_error_handler(500, on_error)\n",
            4, 12,
            "exception `error` reaches the response: log it and return a generic message",
        ),
        Invalid(
            "from fastapi import FastAPI, HTTPException\n"
            "app = FastAPI()\n"
            "@app.get('/report')\n"
            "def report():\n"
            "    try:\n"
            "        return build_report()\n"
            "    except (KeyError, OSError) as err:\n"
            "        message = 'report failed: ' + ', '.join(map(str, err.args))\n"
            "        raise HTTPException(status_code=500, detail=message)\n",
            9, 46,
            "exception `err` reaches HTTPException() through `message` (line 8): "
            "log it and return a generic message",
        ),
        Invalid(
            "import io, traceback\n"
            "from aiohttp import web\n"
            "def error_body(exc):\n"
            "    return {'error': str(exc)}\n"
            "async def handle(request):\n"
            "    try:\n"
            "        return web.json_response(await work(request))\n"
            "    except Exception as exc:\n"
            "        return web.json_response(error_body(exc), status=500)\n",
            9, 34,
            "exception `exc` reaches web.json_response(): log it and return a generic message",
        ),
        Invalid(
            "from flask import Flask, jsonify\n"
            "from sqlalchemy.exc import SQLAlchemyError\n"
            "app = Flask(__name__)\n"
            "@app.route('/orders')\n"
            "def orders():\n"
            "    try:\n"
            "        return jsonify(load_orders())\n"
            "    except (ValueError, SQLAlchemyError) as e:\n"
            "        return jsonify(error=e.orig), 500\n",
            9, 24,
            "exception `e` reaches jsonify(): log it and return a generic message",
        ),
        Invalid(
            "from django.http import JsonResponse\n"
            "class ErrorMiddleware:\n"
            "    def __init__(self, get_response):\n"
            "        self.get_response = get_response\n"
            "    def process_exception(self, request, exception):\n"
            "        return JsonResponse({'error': exception.args})\n",
            6, 29,
            "exception `exception` reaches JsonResponse(): log it and return a generic message",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        model = taint.taint_model(self.context)
        if not model.serves_requests(self.context.enclosing_function):
            return
        sinks = model.sinks_of(node, self.context.scope).get(taint.LEAK, ())
        if not sinks and not isinstance(node.func, cst.Name):
            return
        taint.report_tainted(self, node, taint.LEAK, sinks, ADVICE, origin=taint.EXCEPTION)

    def visit_Return(self, node: cst.Return) -> None:
        function = self.context.enclosing_function
        if node.value is None or function is None:
            return
        model = taint.taint_model(self.context)
        if not model.active:
            return
        role = model.frameworks.role(function)
        if not (role.is_handler or role.is_exception_handler):
            return
        resolver = Resolver(self.context.values, self.context.scope)
        for part in returned_parts(node.value, resolver):
            flow = taint.flows_reaching(self, part, taint.LEAK, taint.EXCEPTION, statement=node)
            if flow is not None:
                self.report(part, model.describe(flow, "the response", ADVICE))
