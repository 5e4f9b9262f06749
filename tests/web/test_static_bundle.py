"""The map app's bundle under /static: gzipped once per build, served as is otherwise."""

from __future__ import annotations

import os

from fastapi import FastAPI
from fastapi.testclient import TestClient

from veerkracht.web.frontend import install_frontend


def _client(tmp_path) -> TestClient:
    app = FastAPI()
    install_frontend(app, tmp_path)
    return TestClient(app)


def test_script_is_sent_gzipped_and_follows_a_rebuild(tmp_path) -> None:
    script = tmp_path / "app.js"
    script.write_text("console.log('één');\n" * 500, encoding="utf-8")
    client = _client(tmp_path)
    first = client.get("/static/app.js", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    assert first.headers["content-encoding"] == "gzip"
    assert first.headers["content-type"].startswith("text/javascript")
    assert first.content == script.read_bytes()  # httpx decompresses
    assert int(first.headers["content-length"]) < len(script.read_bytes()) / 10
    # a new build (new file time) is compressed again, not served from the old bytes
    script.write_text("console.log('nieuw');\n" * 500, encoding="utf-8")
    stat = script.stat()
    os.utime(script, (stat.st_atime, stat.st_mtime + 5))
    second = client.get("/static/app.js", headers={"Accept-Encoding": "gzip"})
    assert second.content == script.read_bytes()


def test_without_gzip_and_other_files_come_from_disk(tmp_path) -> None:
    (tmp_path / "app.js").write_text("x = 1;\n" * 400, encoding="utf-8")
    (tmp_path / "BUILD.txt").write_text("gebouwd\n", encoding="utf-8")
    client = _client(tmp_path)
    plain = client.get("/static/app.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == (tmp_path / "app.js").read_bytes()
    assert client.get("/static/BUILD.txt").text == "gebouwd\n"
    missing = client.get("/static/ontbreekt.js", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404
