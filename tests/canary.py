"""A canary HTTP server on 127.0.0.1 that records every request (shared by tests; not a test)."""

from __future__ import annotations

import http.server
import threading


class Canary:
    """An HTTP server on a free local port that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"alert('canary')")

            def do_HEAD(self) -> None:  # GDAL probes files with HEAD first
                canary.requests.append(self.path)
                self.send_response(200)
                self.end_headers()

            def do_POST(self) -> None:
                self.do_HEAD()

            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet."""

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def payloads(self) -> list[str]:
        """Text that would fetch from the canary if a page ran it as HTML, script or CSS."""
        return [
            f"<img src={self.url}/a>",
            f'<script src="{self.url}/b"></script>',
            f"background: url({self.url}/c)",
            f"<style>body {{ background: url({self.url}/c2) }}</style>",
            f'<iframe src="{self.url}/d"></iframe>',
            f"<link rel=stylesheet href={self.url}/e>",
            f"{self.url}/f",
        ]
