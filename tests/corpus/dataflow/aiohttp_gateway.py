"""An aiohttp gateway and a Starlette admin app: labelled dataflow corpus for the tests."""
import asyncio
import io
import marshal
import os
import traceback
from pathlib import Path

import aiohttp
import asyncpg
from aiohttp import web
from jinja2 import Template
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route

routes = web.RouteTableDef()
STATIC = Path("/srv/gateway/static")
UPSTREAMS = {"users": "http://users.internal/", "orders": "http://orders.internal/"}


async def run_query(pool, sql):
    async with pool.acquire() as conn:
        return await conn.fetch(sql)


async def execute_raw(conn, statement):
    return await conn.execute(statement)


@routes.get("/users")
async def users(request):
    name = request.query.get("name", "")
    conn = await asyncpg.connect()
    rows = await conn.fetch("SELECT * FROM users WHERE name = $1", name)
    await conn.execute("UPDATE seen SET n = n + 1 WHERE name = '" + name + "'")  # expect: APS301
    await execute_raw(conn, f"DELETE FROM cache WHERE key = '{name}'")  # expect: APS301
    await execute_raw(conn, "DELETE FROM cache")  # safe: APS301
    return web.json_response([dict(r) for r in rows])


@routes.get("/proxy/{service}/{path:.*}")
async def proxy(request):
    service = request.match_info["service"]
    base = UPSTREAMS.get(service)
    if base is None:
        raise web.HTTPNotFound()
    async with aiohttp.ClientSession() as session:
        async with session.get(base + request.match_info["path"]) as upstream:  # safe: APS306
            return web.Response(body=await upstream.read())


@routes.get("/fetch")
async def fetch(request):
    url = request.rel_url.query["url"]
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as upstream:  # expect: APS306
            return web.Response(text=await upstream.text())


@routes.get("/static/{name}")
async def static(request):
    name = request.match_info["name"]
    return web.FileResponse(STATIC / name)  # expect: APS305


@routes.get("/static-safe/{name}")
async def static_safe(request):
    target = (STATIC / request.match_info["name"]).resolve()
    if not target.is_relative_to(STATIC):
        raise web.HTTPForbidden()
    return web.FileResponse(target)  # safe: APS305


@routes.post("/jobs")
async def jobs(request):
    form = await request.post()
    script = form["script"]
    proc = await asyncio.create_subprocess_shell("nice " + script)  # expect: APS302
    await proc.wait()
    code = marshal.loads(await request.read())  # expect: APS304
    return web.json_response({"pid": proc.pid, "code": str(code)})


@routes.post("/render")
async def render(request):
    body = await request.json()
    html = Template(body["template"]).render(user=body["user"])  # expect: APS308
    greeting = Template("Hello {{ user }}").render(user=body["user"])  # safe: APS308
    return web.Response(text=html + greeting, content_type="text/html")


@routes.get("/back")
async def back(request):
    raise web.HTTPFound(request.query.get("to", "/"))  # expect: APS307


@routes.post("/compute")
async def compute(request):
    data = await request.json()
    try:
        result = eval(data["formula"], {"__builtins__": {}})  # expect: APS303
    except Exception:
        buffer = io.StringIO()
        traceback.print_exc(file=buffer)
        return web.json_response({"error": buffer.getvalue()}, status=500)  # expect: APS401
    return web.json_response({"result": result})


@routes.post("/compute-safe")
async def compute_safe(request):
    data = await request.json()
    try:
        result = float(data["a"]) + float(data["b"])
    except (KeyError, ValueError):
        return web.json_response({"error": "bad numbers"}, status=400)  # safe: APS401
    return web.json_response({"result": result})


async def admin_search(request: Request):
    term = request.query_params.get("q", "")
    rows = await run_query(request.app.state.pool, "SELECT * FROM audit WHERE msg LIKE '%" + term + "%'")  # expect: APS301
    return JSONResponse([dict(r) for r in rows])


async def admin_log(request: Request):
    name = request.path_params["name"]
    with open(os.path.join("/var/log/admin", os.path.basename(name))) as handle:  # safe: APS305
        return PlainTextResponse(handle.read())


async def admin_exit(request: Request):
    return RedirectResponse(request.query_params.get("next", "/"))  # expect: APS307


async def admin_error(request: Request, exc: Exception):
    return PlainTextResponse(f"admin failure: {exc!r}", status_code=500)  # expect: APS401


async def admin_missing(request: Request, exc: Exception):
    return PlainTextResponse("not found", status_code=404)  # safe: APS401


admin = Starlette(
    routes=[
        Route("/search", admin_search),
        Route("/logs/{name}", admin_log),
        Route("/exit", admin_exit),
    ],
    exception_handlers={500: admin_error, 404: admin_missing},
)
app = web.Application()
app.add_routes(routes)
