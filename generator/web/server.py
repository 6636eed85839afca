"""Run the page with waitress (pure Python, runs on Windows): print the address, log each
request on one line, and leave nothing behind at shutdown."""

from __future__ import annotations

import errno
import ipaddress
import logging
import signal
import sys
from pathlib import Path

import click

from generator.errors import DataError, OutputError
from generator.web.app import Settings, create_app

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_PASSWORD_BYTES = 4096


def read_password(path: str) -> str:
    """The shared password: the first line of the file, without its line break."""
    try:
        raw = Path(path).read_bytes()[:MAX_PASSWORD_BYTES]
    except OSError as exc:
        raise DataError(f"cannot read the password file: {exc.strerror or exc}",
                        f"无法读取密码文件：{exc.strerror or exc}", file=path) from None
    lines = raw.decode("utf-8-sig", "replace").splitlines()
    password = lines[0].strip() if lines else ""
    if not password:
        raise DataError("the password file is empty; write the password on its first line",
                        "密码文件为空，请把密码写在第一行", file=path)
    return password


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _address(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("localhost" if host == "::" else host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8000, password_file: str | None = None,
          reference: str | None = None, keep_minutes: int = 60, max_upload_mb: int = 20,
          workers: int = 2, threads: int = 8) -> None:
    """Serve the working folder (the current directory) until Ctrl+C or SIGTERM."""
    import waitress

    password = read_password(password_file) if password_file else None
    if reference:
        from generator.writers.docx.body import Reference

        Reference.load(reference)  # a reference that cannot be used is said now, not on the page
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("waitress").setLevel(logging.WARNING)  # we print the address ourselves
    app = create_app(Settings(Path.cwd(), password=password,
                              reference=Path(reference).resolve() if reference else None,
                              keep_seconds=keep_minutes * 60.0, max_upload_mb=max_upload_mb,
                              workers=workers))
    store, runner = app.extensions["speechgen"]["store"], app.extensions["speechgen"]["runner"]
    try:
        server = waitress.create_server(app, host=host, port=port, threads=threads,
                                        max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
                                        clear_untrusted_proxy_headers=True, ident="speechgen")
    except OSError as exc:
        store.close()
        if exc.errno == errno.EADDRINUSE:
            raise OutputError(f"port {port} is already in use; choose another with --port",
                              f"端口{port}已被占用，请用 --port 换一个端口", key="--port") from None
        raise OutputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                          f"无法在{host}:{port}上启动：{exc.strerror or exc}", key="--host") from None
    if not _is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this computer on the network "
                   f"can open the page{'' if password else ' (no password: add --password-file)'}\n"
                   f"警告：已对网络开放（{host}），同一网络中的其他电脑都能打开此页面"
                   f"{'' if password else '；未设密码，建议加 --password-file'}", err=True)
    click.echo(f"speechgen serve: open {_address(host, server.effective_port)}  (Ctrl+C to stop)\n"
               f"请在浏览器中打开 {_address(host, server.effective_port)}  （按 Ctrl+C 停止）")
    sys.stdout.flush()

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    reaping = store.reap()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        reaping.set()
        server.close()
        runner.close()
        store.close()
        click.echo("stopped; uploads removed / 已停止，上传的文件已删除", err=True)
