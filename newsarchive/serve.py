"""`serve`: a local preview that rebuilds when a source changes and reloads the open page.

The built site is served as it is published; only in serve mode is a small script added to each
HTML page as it goes out (never to the files), which asks the server every second which build it
has and reloads the page after a new one, or shows the build's errors over the page. A failed build
leaves the last good site in place, so the preview keeps working while an editor fixes the error.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .build import build
from .config import load_config
from .errors import BuildError
from .parallel import IN_PROCESS, Workers

SERVE_PATH = "/__newsarchive/"
RELOAD_SCRIPT = f'<script src="{SERVE_PATH}reload.js"></script>'
QUIET_PERIOD = 0.3  # seconds without a change before rebuilding: an editor's save is several events
RELOAD_JS = """\
(function () {
  "use strict";
  var shown = null;
  function check() {
    fetch("%(path)sstatus", {cache: "no-store"}).then(function (response) { return response.json(); })
      .then(function (status) {
        if (shown === null) { shown = status.build; }
        else if (status.build !== shown && !status.errors.length) { location.reload(); return; }
        var box = document.getElementById("newsarchive-errors");
        if (status.errors.length) {
          if (!box) {
            box = document.createElement("dialog");
            box.id = "newsarchive-errors";
            document.body.appendChild(box);
          }
          box.textContent = "The build failed; this is the last good site.\\n\\n" + status.errors.join("\\n");
          if (!box.open) { box.show(); }
        } else if (box) {
          box.remove();
        }
      }).catch(function () {}).then(function () { setTimeout(check, 1000); });
  }
  check();
}());
""" % {"path": SERVE_PATH}


@dataclass
class BuildStatus:
    """What the preview shows: the number of the last good build and the errors of the last attempt."""

    build: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"build": self.build, "errors": self.errors}).encode("utf-8")


def serve(config_path: Path, overrides: dict, port: int, workers: Workers, polling: bool = False) -> None:
    """Build, serve the output on 127.0.0.1:``port`` and rebuild on every change until interrupted."""
    config = load_config(config_path, overrides)
    status = BuildStatus()
    _rebuild(config_path, overrides, workers, status)
    # Later builds run beside the server's threads, where forking workers is unsafe; they are small.
    rebuild = functools.partial(_rebuild, config_path, overrides, IN_PROCESS, status)
    handler = functools.partial(_PreviewHandler, status, directory=str(config.paths.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    watcher = _watch(config.path, [config.paths.articles, config.paths.templates], rebuild, polling)
    print(f"serving {config.paths.output} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    finally:
        watcher.stop()
        server.server_close()


def _rebuild(config_path: Path, overrides: dict, workers: Workers, status: BuildStatus) -> None:
    try:
        report = build(config_path, overrides, workers=workers)
    except BuildError as exc:
        errors = [str(problem) for problem in exc.problems]
        print("\n".join(errors) + "\nbuild failed; still serving the last good site", flush=True)
        with status.lock:
            status.errors = errors
        return
    print(f"rebuilt: {report.changes.written} written, {len(report.changes.removed)} removed "
          f"in {report.seconds:.2f} s", flush=True)
    with status.lock:
        status.build += 1
        status.errors = []


class _Changes(FileSystemEventHandler):
    """Calls ``rebuild`` once things have been quiet for QUIET_PERIOD after a burst of source changes."""

    def __init__(self, config_file: Path, folders: list[Path], rebuild) -> None:
        self.config_file, self.folders, self.rebuild = config_file, folders, rebuild
        self.timer: threading.Timer | None = None
        self.timer_lock, self.build_lock = threading.Lock(), threading.Lock()

    def is_source(self, path: str) -> bool:
        """The config, or a file in the articles or templates (the output changing is no reason)."""
        changed = Path(path)
        return changed == self.config_file or any(changed.is_relative_to(folder) for folder in self.folders)

    def on_any_event(self, event) -> None:
        if event.event_type in ("opened", "closed_no_write") or not self.is_source(event.src_path):
            return
        with self.timer_lock:
            if self.timer:
                self.timer.cancel()
            self.timer = threading.Timer(QUIET_PERIOD, self.run)
            self.timer.daemon = True
            self.timer.start()

    def run(self) -> None:
        with self.build_lock:  # one rebuild at a time
            self.rebuild()


def _watch(config_file: Path, folders: list[Path], rebuild, polling: bool):
    """Watch the sources with the system's file events, or by polling where those are not available."""
    handler = _Changes(config_file, folders, rebuild)
    for observer_class in ([PollingObserver] if polling else [Observer, PollingObserver]):
        observer = observer_class(timeout=0.5)
        try:
            observer.schedule(handler, str(config_file.parent), recursive=False)
            for folder in folders:
                observer.schedule(handler, str(folder), recursive=True)
            observer.start()
            return observer
        except OSError:  # out of inotify watches, say
            continue
    raise OSError("cannot watch the sources for changes")


class _PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder (through its link, so each request sees the current copy)."""

    def __init__(self, status: BuildStatus, *args, **kwargs):
        self.status = status
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.path.startswith(SERVE_PATH):
            return self._send_own(self.path[len(SERVE_PATH):])
        path = self.translate_path(self.path)
        if Path(path).is_dir() and self.path.endswith("/"):
            path = str(Path(path) / "index.html")
        if path.endswith(".html") and Path(path).is_file():
            return self._send(Path(path).read_bytes().replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1),
                              "text/html; charset=utf-8")
        return super().do_GET()

    def _send_own(self, name: str) -> None:
        if name == "status":
            return self._send(self.status.as_json(), "application/json")
        if name == "reload.js":
            return self._send(RELOAD_JS.encode("utf-8"), "text/javascript; charset=utf-8")
        self.send_error(404)

    def _send(self, data: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # the terminal is for build messages
        pass
