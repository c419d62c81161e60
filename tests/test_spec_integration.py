"""LANGUAGE.md §11's integration program, verbatim, against a real HTTP server on
127.0.0.1:8000: http_get -> json_parse -> df_from_list -> df_filter -> df_to_parquet.
The parquet file it writes is read back and checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PROGRAM = '''import web, dfm, jsn, ann
response = web.http_get("http://127.0.0.1:8000/data")
data = jsn.json_parse(response.body)
df = dfm.df_from_list(data)
ann.assert_type(df, "dataframe")
filtered = dfm.df_filter(df, "age > 18")
dfm.df_to_parquet(filtered, "output.parquet")
out @ "Done!"
'''

PEOPLE = [{"name": "ada", "age": 36}, {"name": "tim", "age": 12}, {"name": "lin", "age": 19},
          {"name": "bo", "age": 18}]


class _Data(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = json.dumps(PEOPLE).encode()
        self.send_response(200 if self.path == "/data" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server_8000():
    server = ThreadingHTTPServer(("127.0.0.1", 8000), _Data)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield
    server.shutdown()
    server.server_close()


def test_the_integration_example_runs_and_writes_the_filtered_parquet(server_8000, tmp_path):
    import polars as pl
    script = tmp_path / "integration.ax"
    script.write_text(PROGRAM)
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"))
    p = subprocess.run([sys.executable, "-m", "axiom.cli", "run", str(script)], cwd=tmp_path,
                       capture_output=True, text=True, env=env, timeout=120)
    assert (p.returncode, p.stdout, p.stderr) == (0, "Done!\n", "")
    back = pl.read_parquet(tmp_path / "output.parquet")
    assert back.columns == ["name", "age"]
    assert back.to_dicts() == [{"name": "ada", "age": 36}, {"name": "lin", "age": 19}]
