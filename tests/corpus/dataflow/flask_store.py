"""A small Flask store API: the team's own labelled dataflow corpus (not a rule example)."""
import base64
import logging
import os
import pickle
import sqlite3
import subprocess
import traceback

import requests
import yaml
from flask import Flask, abort, jsonify, redirect, render_template_string, request, send_file
from werkzeug.utils import secure_filename

from store.models import Customer, Product

app = Flask(__name__)
log = logging.getLogger(__name__)
UPLOADS = "/srv/store/uploads"
SORTABLE = {"name", "price", "created"}
PARTNERS = {"https://partner-a.example.com/hook", "https://partner-b.example.com/hook"}


def db():
    return sqlite3.connect("store.db")


def lookup_sku(sku):
    return db().execute("SELECT * FROM product WHERE sku = '" + sku + "'").fetchone()


def current_filter():
    return request.args.get("filter", "")


@app.get("/products")
def products():
    sort = request.args.get("sort", "name")
    if sort not in SORTABLE:
        abort(400)
    rows = db().execute(f"SELECT * FROM product ORDER BY {sort}")  # safe: APS301
    return jsonify([dict(r) for r in rows])


@app.get("/products/search")
def search_products():
    words = request.args.getlist("w")
    clause = " OR ".join("name LIKE '%{}%'".format(w) for w in words)
    rows = db().execute("SELECT * FROM product WHERE " + clause)  # expect: APS301
    return jsonify(rows.fetchall())


@app.get("/products/filter")
def filtered():
    cur = db().cursor()
    cur.execute("SELECT * FROM product WHERE " + current_filter())  # expect: APS301
    return jsonify(cur.fetchall())


@app.get("/products/<int:pid>")
def product(pid):
    row = db().execute(f"SELECT * FROM product WHERE id = {pid}").fetchone()  # safe: APS301
    return jsonify(dict(row))


@app.get("/sku/<sku>")
def sku_detail(sku):
    return jsonify(lookup_sku(sku))  # expect: APS301


@app.post("/customers")
def create_customer():
    body = request.get_json(force=True)
    customer = Customer(**body)  # expect: APS309
    return jsonify(id=customer.id), 201


@app.patch("/customers/<int:cid>")
def patch_customer(cid):
    customer = Customer.query.get_or_404(cid)
    allowed = {"name", "phone"}
    for field, value in request.form.items():
        if field in allowed:
            setattr(customer, field, value)  # safe: APS309
    return jsonify(ok=True)


@app.put("/customers/<int:cid>")
def put_customer(cid):
    customer = Customer.query.get_or_404(cid)
    for field, value in request.get_json().items():
        setattr(customer, field, value)  # expect: APS309
    return jsonify(ok=True)


@app.post("/thumbnails")
def thumbnail():
    name = request.form["image"]
    subprocess.run(f"convert {UPLOADS}/{name} -resize 64x64 thumb.png", shell=True)  # expect: APS302
    subprocess.run(["convert", os.path.join(UPLOADS, name), "thumb.png"])  # safe: APS302
    return "ok"


@app.get("/invoices/download")
def download_invoice():
    number = request.args["number"]
    path = os.path.join(UPLOADS, "invoices", number + ".pdf")
    return send_file(path)  # expect: APS305


@app.get("/uploads/<path:name>")
def uploaded(name):
    return send_file(os.path.join(UPLOADS, secure_filename(name)))  # safe: APS305


@app.post("/webhooks/test")
def test_webhook():
    target = request.json.get("url")
    response = requests.post(target, json={"ping": True}, timeout=5)  # expect: APS306
    return jsonify(status=response.status_code)


@app.post("/webhooks/partner")
def partner_webhook():
    target = request.json.get("url")
    if target not in PARTNERS:
        abort(400)
    requests.post(target, json={"ping": True}, timeout=5)  # safe: APS306
    return jsonify(ok=True)


@app.get("/login/done")
def login_done():
    return redirect(request.args.get("next", "/"))  # expect: APS307


@app.get("/go/<slug>")
def go(slug):
    return redirect("/products/" + slug)  # safe: APS307


@app.get("/banner")
def banner():
    text = request.args.get("text", "")
    return render_template_string("<marquee>" + text + "</marquee>")  # expect: APS308


@app.get("/hello")
def hello():
    return render_template_string("Hi {{ who }}", who=request.args.get("who"))  # safe: APS308


@app.post("/session/restore")
def restore_session():
    blob = base64.urlsafe_b64decode(request.cookies.get("session", ""))
    state = pickle.loads(blob)  # expect: APS304
    return jsonify(state)


@app.post("/import")
def import_catalog():
    catalog = yaml.load(request.data, Loader=yaml.SafeLoader)  # safe: APS304
    return jsonify(count=len(catalog))


@app.post("/checkout")
def checkout():
    try:
        order = Product.checkout(request.json["cart"])
    except Exception as exc:
        log.exception("checkout failed")
        return jsonify(error="checkout failed", detail=str(exc)), 500  # expect: APS401
    return jsonify(order=order.id)


@app.post("/refund")
def refund():
    try:
        Product.refund(request.json["order"])
    except Exception:
        log.error("refund failed: %s", traceback.format_exc())
        return jsonify(error="refund failed"), 500  # safe: APS401
    return jsonify(ok=True)


@app.errorhandler(500)
def server_error(error):
    return {"error": "internal", "trace": traceback.format_exc()}, 500  # expect: APS401


@app.get("/calc")
def calc():
    expression = request.args["e"]
    return jsonify(value=eval(expression))  # expect: APS303
