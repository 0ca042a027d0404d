"""A webhook receiver for trying the tracker offline: it verifies each delivery's signature
with the `standardwebhooks` package and prints the verified event.

    WEBHOOK_SECRET=whsec_... python examples/receiver.py [PORT]

It listens on 127.0.0.1 only (default port 9000). A delivery whose signature does not verify
gets a 400; a verified one a 204 (any 2xx tells the tracker it arrived)."""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


class Receiver(BaseHTTPRequestHandler):
    webhook = Webhook(os.environ.get("WEBHOOK_SECRET", ""))

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            event = self.webhook.verify(body, dict(self.headers.items()))
        except WebhookVerificationError as exc:
            print(f"refused a delivery: {exc}", file=sys.stderr, flush=True)
            self.send_response(400)
        else:
            data = event.get("data", {})
            print(f"{event['type']}: {data.get('designation')} {data.get('from')} -> "
                  f"{data.get('to')} since {data.get('since')}", flush=True)
            print(json.dumps(event), flush=True)
            self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # one line per delivery, printed above


def main() -> None:
    if not os.environ.get("WEBHOOK_SECRET", "").startswith("whsec_"):
        sys.exit("set WEBHOOK_SECRET to the subscription's whsec_ secret")
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    print(f"listening on http://127.0.0.1:{port}/hook", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()


if __name__ == "__main__":
    main()
