"""Fixtures for the browser tests: the review app served by uvicorn on an ephemeral loopback port in a
background thread, and Debian's headless chromium driven by playwright (fresh profile per test)."""

from __future__ import annotations

import threading

import pytest
import uvicorn

from zwgk.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


@pytest.fixture()
def served(web_db):
    db, built = web_db
    web = create_app(db, secret_key="browser-secret-" + "z" * 32, snapshot_loader=built["snapshots"].get)
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    # uvicorn sets `started` once its socket listens; poll it without a deadline-based assertion
    while not server.started and thread.is_alive():
        ready.wait(0.02)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    yield {"url": f"http://127.0.0.1:{port}", "db": db, **built}
    server.should_exit = True
    thread.join()


@pytest.fixture()
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()
