"""APS301: request data built into SQL text instead of passed as query parameters."""

from __future__ import annotations

from apisec_lint.analysis import taint
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, RuleDocs, Valid
from apisec_lint.rules.injection.helpers import TaintSinkRule


class SqlInjection(TaintSinkRule):
    code = "APS301"
    name = "sql-injection"
    message = "request data reaches the SQL text of `execute()`: use a parameterized query"
    summary = "Request data is built into the text of an SQL statement."
    severity = Severity.HIGH
    cwe = (89,)
    owasp = "API8:2023"
    sink_kind = taint.SQL
    advice = "use a parameterized query"
    triggers = taint.FRAMEWORK_TRIGGERS
    docs = RuleDocs(
        what=(
            "Data from the request (query string, form, JSON body, URL parameters, "
            "headers, cookies) that reaches the SQL text of `execute`, `executemany`, "
            "`executescript`, Django `raw`/`extra`/`RawSQL`, SQLAlchemy `text()` or "
            "pandas `read_sql`, through variables, string building and module "
            "helpers. Casts to `int`/`float`/`uuid.UUID`, typed FastAPI parameters and "
            "allow-list checks stop the flow."
        ),
        why=(
            "A client who controls part of the SQL text can read or change any row "
            "the database account can reach, and on some databases run commands. "
            "Passing values separately lets the driver send them as data."
        ),
        insecure=(
            "import sqlite3\n"
            "\n"
            "from flask import Flask, request\n"
            "\n"
            "app = Flask(__name__)\n"
            'db = sqlite3.connect("shop.db")\n'
            "\n"
            "\n"
            '@app.get("/users")\n'
            "def users():\n"
            '    name = request.args["name"]\n'
            "    rows = db.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n"
            '    return {"users": rows.fetchall()}\n'
        ),
        fixed=(
            "import sqlite3\n"
            "\n"
            "from flask import Flask, request\n"
            "\n"
            "app = Flask(__name__)\n"
            'db = sqlite3.connect("shop.db")\n'
            "\n"
            "\n"
            '@app.get("/users")\n'
            "def users():\n"
            '    name = request.args["name"]\n'
            '    rows = db.execute("SELECT * FROM users WHERE name = ?", (name,))\n'
            '    return {"users": rows.fetchall()}\n'
        ),
        limitations=(
            "Flows are followed inside one module: a query built by a function "
            "imported from another module is not seen. Query builders other than "
            "the listed calls (an ORM's own raw-SQL escape hatches) are not sinks."
        ),
    )
    valid = (
        Valid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/items')\n"
            "def items():\n"
            "    q = request.args.get('q', '')\n"
            "    cursor.execute('SELECT * FROM items WHERE name = ?', (q,))\n"
            "    return 'ok'\n"
        ),
        Valid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/items')\n"
            "def items():\n"
            "    limit = int(request.args.get('limit', 10))\n"
            "    cursor.execute(f'SELECT * FROM items LIMIT {limit}')\n"
            "    return 'ok'\n"
        ),
        Valid(
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "@app.get('/items/{item_id}')\n"
            "def item(item_id: int, db=None):\n"
            "    db.execute(f'SELECT * FROM items WHERE id = {item_id}')\n"
        ),
        Valid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "COLUMNS = {'name', 'created'}\n"
            "@app.route('/items')\n"
            "def items():\n"
            "    order = request.args.get('order', 'name')\n"
            "    if order not in COLUMNS:\n"
            "        abort(400)\n"
            "    cursor.execute('SELECT * FROM items ORDER BY ' + order)\n"
        ),
        Valid(
            "import sqlite3\n"
            "def report(table):\n"
            "    conn = sqlite3.connect('app.db')\n"
            "    conn.execute('SELECT count(*) FROM ' + table)\n"
        ),
        Valid(
            "from django.http import JsonResponse\n"
            "from myapp.models import Book\n"
            "def books(request):\n"
            "    author = request.GET.get('author')\n"
            "    rows = Book.objects.raw('SELECT * FROM book WHERE author = %s', [author])\n"
            "    return JsonResponse({'n': len(list(rows))})\n"
        ),
        Valid(
            "from flask import Flask, request\n"
            "from sqlalchemy import text\n"
            "app = Flask(__name__)\n"
            "@app.post('/search')\n"
            "def search():\n"
            "    term = request.json['term']\n"
            "    db.session.execute(text('SELECT * FROM t WHERE a = :a'), {'a': term})\n"
        ),
    )
    invalid = (
        Invalid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/search')\n"
            "def search():\n"
            "    q = request.args['q']\n"
            "    query = \"SELECT * FROM items WHERE name = '\" + q + \"'\"\n"
            "    cursor.execute(query)\n",
            7, 20,
            "request.args['q'] reaches cursor.execute() through `query` (line 6): "
            "use a parameterized query",
        ),
        Invalid(
            "from flask import Flask, request as req\n"
            "app = Flask(__name__)\n"
            "@app.route('/users/<name>')\n"
            "def user(name):\n"
            "    cur.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n",
            5, 17,
            "URL parameter `name` reaches cur.execute(): use a parameterized query",
        ),
        Invalid(
            "from django.http import JsonResponse\n"
            "from shop.models import Product\n"
            "def products(request):\n"
            "    sort = request.GET.get('sort', 'id')\n"
            "    rows = Product.objects.raw('SELECT * FROM product ORDER BY %s' % sort)\n"
            "    return JsonResponse({'n': len(list(rows))})\n",
            5, 32,
            "request.GET.get('sort', 'id') reaches Product.objects.raw() through `sort` "
            "(line 4): use a parameterized query",
        ),
        Invalid(
            "from fastapi import FastAPI\n"
            "import sqlalchemy as sa\n"
            "app = FastAPI()\n"
            "@app.get('/orders')\n"
            "async def orders(status: str, db=None):\n"
            "    clause = 'status = \\'{}\\''.format(status)\n"
            "    return db.execute(sa.text('SELECT * FROM orders WHERE ' + clause))\n",
            7, 31,
            "parameter `status` reaches sa.text() through `clause` (line 6): "
            "use a parameterized query",
        ),
        Invalid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "def find_user(cursor, name):\n"
            "    cursor.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n"
            "@app.post('/login')\n"
            "def login():\n"
            "    data = request.get_json()\n"
            "    find_user(cursor, data['user'])\n",
            8, 23,
            "request.get_json() reaches cursor.execute() in find_user() through `data` "
            "(line 7): use a parameterized query",
        ),
        Invalid(
            "import pandas as pd\n"
            "from aiohttp import web\n"
            "async def export(request):\n"
            "    table = request.match_info['table']\n"
            "    frame = pd.read_sql(f'SELECT * FROM {table}', engine)\n"
            "    return web.json_response(frame.to_dict())\n"
            "app = web.Application()\n"
            "app.router.add_get('/export/{table}', export)\n",
            5, 25,
            "request.match_info['table'] reaches pd.read_sql() through `table` (line 4): "
            "use a parameterized query",
        ),
        Invalid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.route('/bulk', methods=['POST'])\n"
            "def bulk():\n"
            "    parts = []\n"
            "    for name in request.form.getlist('name'):\n"
            "        parts.append(\"'%s'\" % name)\n"
            "    sql = 'DELETE FROM t WHERE name IN (%s)' % ', '.join(parts)\n"
            "    cursor.executescript(sql)\n",
            9, 26,
            "request.form.getlist('name') reaches cursor.executescript() through `sql` "
            "(line 8): use a parameterized query",
        ),
    )
