"""APS305: a file path the client chooses, opened or served without containment."""

from __future__ import annotations

from apisec_lint.analysis import taint
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, RuleDocs, Valid
from apisec_lint.rules.injection.helpers import TaintSinkRule


class PathTraversal(TaintSinkRule):
    code = "APS305"
    name = "path-traversal"
    message = (
        "request data is a file path for `open()`/`send_file()`: "
        "use secure_filename and check containment"
    )
    summary = "A file is opened, served or deleted at a path built from request data."
    severity = Severity.HIGH
    cwe = (22,)
    owasp = "API1:2023"
    sink_kind = taint.PATH
    advice = "use secure_filename and check containment"
    triggers = taint.FRAMEWORK_TRIGGERS
    docs = RuleDocs(
        what=(
            "Request data reaching the path of `open` (also `io`/`codecs`/`aiofiles`), "
            "`os.remove`/`unlink`, `shutil.rmtree`, Flask `send_file`, the directory "
            "of `send_from_directory`, Starlette/FastAPI and aiohttp `FileResponse`, "
            "or `pathlib.Path` reads and writes, including through `os.path.join`. "
            "`secure_filename`, `os.path.basename`, and a containment check "
            "(`startswith`/`is_relative_to`/`commonpath` that ends the request when "
            "it fails) stop the flow."
        ),
        why=(
            "`../` sequences or an absolute path in the data reach files outside the "
            "intended folder: configuration, keys, source code, or other users' "
            "uploads, for reading or overwriting."
        ),
        insecure=(
            "import os\n"
            "\n"
            "from flask import Flask, request, send_file\n"
            "\n"
            "app = Flask(__name__)\n"
            'UPLOADS = "/srv/uploads"\n'
            "\n"
            "\n"
            '@app.get("/download")\n'
            "def download():\n"
            '    name = request.args["file"]\n'
            "    return send_file(os.path.join(UPLOADS, name))\n"
        ),
        fixed=(
            "import os\n"
            "\n"
            "from flask import Flask, request, send_file\n"
            "from werkzeug.utils import secure_filename\n"
            "\n"
            "app = Flask(__name__)\n"
            'UPLOADS = "/srv/uploads"\n'
            "\n"
            "\n"
            '@app.get("/download")\n'
            "def download():\n"
            '    name = secure_filename(request.args["file"])\n'
            "    return send_file(os.path.join(UPLOADS, name))\n"
        ),
        limitations=(
            "The path argument of `send_from_directory` is not reported: Flask joins "
            "it safely itself; only a request-chosen directory is. A containment "
            "check is recognised on the variable it tests; checking one variable and "
            "then opening another built from the same input is still reported. A "
            "Django function whose first parameter is `request` takes its other "
            "parameters from the URL only when it is routed in the same module, "
            "carries a view decorator, sits in `views.py` or a `views` package, or "
            "shares its module with other views."
        ),
    )
    valid = (
        Valid(
            "from django.http import FileResponse\n"
            "def sendfile(request, filename):\n"
            "    return FileResponse(open(filename, 'rb'))\n",
            path="utils/sendfile_backend.py",
        ),
        Valid(
            "import os\n"
            "from flask import Flask, request, send_file\n"
            "from werkzeug.utils import secure_filename\n"
            "app = Flask(__name__)\n"
            "@app.route('/download')\n"
            "def download():\n"
            "    name = secure_filename(request.args['file'])\n"
            "    return send_file(os.path.join('/srv/uploads', name))\n"
        ),
        Valid(
            "import os\n"
            "from flask import Flask, abort, request\n"
            "app = Flask(__name__)\n"
            "BASE = '/srv/reports'\n"
            "@app.route('/report')\n"
            "def report():\n"
            "    path = os.path.realpath(os.path.join(BASE, request.args['name']))\n"
            "    if not path.startswith(BASE + os.sep):\n"
            "        abort(404)\n"
            "    with open(path) as handle:\n"
            "        return handle.read()\n"
        ),
        Valid(
            "from flask import Flask, request, send_from_directory\n"
            "app = Flask(__name__)\n"
            "@app.route('/static/<path:filename>')\n"
            "def static_file(filename):\n"
            "    return send_from_directory('/srv/static', filename)\n"
        ),
        Valid(
            "from fastapi import FastAPI\n"
            "from fastapi.responses import FileResponse\n"
            "app = FastAPI()\n"
            "@app.get('/invoice/{number}')\n"
            "def invoice(number: int):\n"
            "    return FileResponse(f'/srv/invoices/{number}.pdf')\n"
        ),
        Valid(
            "from pathlib import Path\n"
            "from aiohttp import web\n"
            "ROOT = Path('/srv/files')\n"
            "async def show(request):\n"
            "    path = (ROOT / request.match_info['name']).resolve()\n"
            "    if not path.is_relative_to(ROOT):\n"
            "        raise web.HTTPNotFound()\n"
            "    return web.Response(text=path.read_text())\n"
        ),
    )
    invalid = (
        Invalid(
            "import os\n"
            "from flask import Flask, request, send_file\n"
            "app = Flask(__name__)\n"
            "@app.route('/download')\n"
            "def download():\n"
            "    name = request.args['file']\n"
            "    full = os.path.join('/srv/uploads', name)\n"
            "    return send_file(full)\n",
            8, 22,
            "request.args['file'] reaches send_file() through `full` (line 7): "
            "use secure_filename and check containment",
        ),
        Invalid(
            "from django.http import FileResponse\n"
            "def attachment(request, filename):\n"
            "    return FileResponse(open('/srv/media/' + filename, 'rb'))\n",
            3, 30,
            "URL parameter `filename` reaches open(): use secure_filename and check containment",
            path="media/views.py",
        ),
        Invalid(
            "from fastapi import FastAPI\n"
            "from fastapi.responses import FileResponse as Send\n"
            "app = FastAPI()\n"
            "@app.get('/logs')\n"
            "def logs(name: str):\n"
            "    return Send(f'/var/log/app/{name}')\n",
            6, 17,
            "parameter `name` reaches Send(): use secure_filename and check containment",
        ),
        Invalid(
            "from pathlib import Path\n"
            "from aiohttp import web\n"
            "ROOT = Path('/srv/files')\n"
            "async def show(request):\n"
            "    path = ROOT / request.match_info['name']\n"
            "    return web.Response(text=path.read_text())\n",
            6, 30,
            "request.match_info['name'] reaches path.read_text() through `path` (line 5): "
            "use secure_filename and check containment",
        ),
        Invalid(
            "import os\n"
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "def remove_upload(name):\n"
            "    os.remove(os.path.join('/srv/uploads', name))\n"
            "@app.delete('/uploads')\n"
            "def delete_upload():\n"
            "    remove_upload(request.json['name'])\n"
            "    return '', 204\n",
            8, 19,
            "request.json['name'] reaches os.remove() in remove_upload(): "
            "use secure_filename and check containment",
        ),
        Invalid(
            "from flask import Flask, request, send_from_directory\n"
            "app = Flask(__name__)\n"
            "@app.route('/files')\n"
            "def files():\n"
            "    folder = request.args.get('folder', 'public')\n"
            "    return send_from_directory(folder, 'index.html')\n",
            6, 32,
            "request.args.get('folder'... reaches send_from_directory() through "
            "`folder` (line 5): use secure_filename and check containment",
        ),
    )
