"""An accounts service on FastAPI with many mistakes in it."""

import ssl
from datetime import datetime, timedelta

import httpx
from fastapi import FastAPI, Request
from jose import jwt
from sqlalchemy import text
from starlette.middleware.cors import CORSMiddleware

JWT_SECRET = "accounts-jwt-secret-value"
ALGORITHM = "HS256"

app = FastAPI(debug=True)  # vuln: APS402
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)  # vuln: APS501

legacy_ctx = ssl._create_unverified_context()  # vuln: APS202
old_tls = ssl.SSLContext(ssl.PROTOCOL_TLSv1)  # vuln: APS204


def issue(user):
    claims = {"sub": user.email, "password": user.password, "exp": datetime.utcnow() + timedelta(hours=1)}  # vuln: APS103
    return jwt.encode(claims, JWT_SECRET, algorithm=ALGORITHM)  # vuln: APS101


def verify(token):
    return jwt.decode(token, JWT_SECRET, algorithms=["HS256", "none"])  # vuln: APS101, APS105


@app.get("/accounts/{account_id}")
async def account(account_id: str, session=None):
    rows = session.execute(text("SELECT * FROM accounts WHERE id = '%s'" % account_id))  # vuln: APS301
    return rows.first()


@app.get("/users/{user_id}")
async def user_detail(user_id: int, db=None):
    user = db.get_user(user_id)
    return user.__dict__  # vuln: APS404


@app.get("/export")
async def export(api_key: str):  # vuln: APS206
    return {"ok": api_key == "x"}


@app.get("/weather")
async def weather(city: str):
    async with httpx.AsyncClient(verify=False) as client:  # vuln: APS201
        r = await client.get("https://weather.example.com/v1", params={"city": city, "api_key": "wk_51f0c9a2b7d3"})  # vuln: APS206, APS502
    return r.json()


@app.post("/profile")
async def update_profile(request: Request, db=None):
    data = await request.json()
    user = db.current_user()
    for key, value in data.items():
        setattr(user, key, value)  # vuln: APS309
    return {"ok": True}
