"""A webhook receiver for benchmarks, in a process of its own: answers 204 and remembers
when each delivery arrived. GET /arrivals returns [[body timestamp, arrival], ...]."""

from __future__ import annotations

import json
import sys
import time

import uvicorn

arrivals: list[tuple[str, float]] = []


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["method"] == "GET":
        payload = json.dumps(arrivals).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})
        return
    arrivals.append((json.loads(body)["timestamp"], time.time()))
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
