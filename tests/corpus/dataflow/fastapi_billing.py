"""A FastAPI billing service: labelled dataflow corpus written for the tests."""
import importlib
import os
import shlex
import subprocess
import traceback
from enum import Enum
from typing import Optional
from uuid import UUID

import httpx
import jinja2
import yaml
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from billing.models import Invoice

app = FastAPI()
EXPORTERS = {"csv": "billing.export.csv", "xlsx": "billing.export.xlsx"}
REPORT_DIR = "/srv/billing/reports"


class Format(str, Enum):
    pdf = "pdf"
    html = "html"


class InvoiceIn(BaseModel):
    customer: str
    amount: int
    note: Optional[str] = None


def get_db() -> Session:
    raise NotImplementedError


@app.get("/invoices")
def list_invoices(status: str, db: Session = Depends(get_db)):
    sql = text(f"SELECT * FROM invoice WHERE status = '{status}'")  # expect: APS301
    return db.execute(sql).all()


@app.get("/invoices/by-customer")
def by_customer(customer: str, db: Session = Depends(get_db)):
    return db.execute(text("SELECT * FROM invoice WHERE customer = :c"), {"c": customer}).all()  # safe: APS301


@app.get("/invoices/{invoice_id}")
def get_invoice(invoice_id: UUID, db: Session = Depends(get_db)):
    return db.execute(text(f"SELECT * FROM invoice WHERE id = '{invoice_id}'")).one()  # safe: APS301


@app.post("/invoices")
def create_invoice(payload: InvoiceIn, db: Session = Depends(get_db)):
    invoice = Invoice(**payload.dict())  # safe: APS309
    db.add(invoice)
    db.execute(text("UPDATE stats SET total = total + " + str(payload.amount)))  # safe: APS301
    db.execute(text("INSERT INTO audit VALUES ('" + payload.customer + "')"))  # expect: APS301
    return {"id": invoice.id}


@app.patch("/invoices/{invoice_id}")
async def patch_invoice(invoice_id: int, request: Request, db: Session = Depends(get_db)):
    changes = await request.json()
    db.query(Invoice).filter(Invoice.id == invoice_id).update(changes)  # expect: APS309
    return {"ok": True}


@app.post("/invoices/import")
async def import_invoices(request: Request, db: Session = Depends(get_db)):
    for row in yaml.load(await request.body(), Loader=yaml.Loader):  # expect: APS304
        db.add(Invoice(**row))  # expect: APS309
    return {"ok": True}


@app.get("/reports/{name}")
def report(name: str):
    return FileResponse(os.path.join(REPORT_DIR, name))  # expect: APS305


@app.get("/reports/by-format/{fmt}")
def report_by_format(fmt: Format):
    return FileResponse(os.path.join(REPORT_DIR, f"latest.{fmt.value}"))  # safe: APS305


@app.get("/reports/raw")
def report_raw(name: str = Query(..., pattern=r"^[a-z0-9_-]+$")):
    return FileResponse(os.path.join(REPORT_DIR, name + ".csv"))  # safe: APS305


@app.post("/reports/archive")
def archive(folder: str):
    cmd = "tar czf /tmp/reports.tgz " + folder
    subprocess.check_call(cmd, shell=True)  # expect: APS302
    subprocess.check_call("tar czf /tmp/r.tgz " + shlex.quote(folder), shell=True)  # safe: APS302
    return {"ok": True}


@app.get("/export")
def export(kind: str):
    module = importlib.import_module("billing.export." + kind)  # expect: APS303
    safe_module = importlib.import_module(EXPORTERS.get(kind, "billing.export.csv"))  # safe: APS303
    return module.run() + safe_module.run()


@app.get("/rates")
async def rates(source: str):
    async with httpx.AsyncClient() as client:
        response = await client.get(source)  # expect: APS306
        fixed = await client.get(f"https://rates.example.com/v1/{source}")  # safe: APS306
    return {"a": response.json(), "b": fixed.json()}


@app.get("/pay/return")
def pay_return(return_to: str):
    return RedirectResponse(return_to)  # expect: APS307


@app.get("/pay/done")
def pay_done(invoice_id: int):
    return RedirectResponse(f"/invoices/{invoice_id}")  # safe: APS307


@app.post("/templates/preview")
def preview_template(source: str, customer: str):
    env = jinja2.Environment(autoescape=True)
    rendered = env.from_string(source).render(customer=customer)  # expect: APS308
    safe = env.from_string("Dear {{ c }}").render(c=customer)  # safe: APS308
    return {"html": rendered + safe}


@app.post("/charge")
def charge(payload: InvoiceIn):
    try:
        return {"ok": bool(payload.amount)}
    except Exception as exc:
        raise HTTPException(status_code=500, detail=f"charge failed: {exc}")  # expect: APS401


@app.exception_handler(Exception)
async def unhandled(request: Request, exc: Exception):
    return JSONResponse(status_code=500, content={"error": "internal", "trace": traceback.format_exception(exc)})  # expect: APS401


@app.exception_handler(HTTPException)
async def http_error(request: Request, exc: HTTPException):
    return JSONResponse(status_code=exc.status_code, content={"error": exc.detail})  # safe: APS401
