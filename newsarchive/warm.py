"""Warm start: a process that has loaded the builder forks a fresh one for each command.

Starting Python and importing the builder and its libraries (Jinja, Markdown, YAML ...) takes about
0.15 s: a third of a rebuild after adding a report to a 5,000-report archive, and most of a small
archive's. A warm process pays that once. It waits on a Unix socket; for each command it forks a
child, which takes the caller's standard streams (passed as file descriptors), working folder,
environment and umask, runs the command as build_site.py would, and reports its exit code. The
caller forwards Ctrl-C to the child and exits with its code. The child holds nothing of earlier
commands (the warm process runs none itself): the sources and the site are read from disk as by
any build, and so is the build cache, but for one thing. Between commands, while none runs, the
warm process reads the state files of the cache the last command used (its readings of the
sources, its plan, its related reports: a tenth of a second at 5,000 reports), and a child takes
a file from there only if it is still the very file on disk (same inode, size and times; the
builder only ever replaces a cache file whole). So the output is the same byte for byte.

One warm process serves every project of its user (it keeps the files of one cache at a time).
It is known by the code it loaded: its socket's name holds a hash of the Python, of the builder's
files and of the installed packages' folders, so after an upgrade or an edit of the builder a new one is
started, and the old one, no longer reached, ends after its idle time (``NEWSARCHIVE_WARM_IDLE``
seconds, 900 by default) like any other.

``NEWSARCHIVE_WARM``: ``off`` never uses one; ``on`` starts one for the next command when none is
running; unset (``auto``), a running one is used, and one is started only for a command typed at a
terminal, never under CI. ``build_site.py warm start|stop|status`` controls it by hand.

This module is imported before anything else of the builder, so it imports little itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sys

MODE_VARIABLE, IDLE_VARIABLE = "NEWSARCHIVE_WARM", "NEWSARCHIVE_WARM_IDLE"
IDLE_SECONDS = 900
STREAMS = (0, 1, 2)
FORWARDED = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}  # the caller's signals the command gets
_HEADER = 4  # bytes giving the length of a request


def run(argv: list[str]) -> int | None:
    """Run the command ``argv`` (as sys.argv) in a warm process's child; None if it is to run here."""
    mode = os.environ.get(MODE_VARIABLE, "auto")
    if mode == "off" or argv[1:2] == ["warm"] or not hasattr(socket, "send_fds") or not _streams_open():
        return None
    path = socket_path()
    if path is None:
        return None
    connection = _connect(path)
    if connection is None:
        if mode == "on" or (mode == "auto" and not os.environ.get("CI") and sys.stdin.isatty() and sys.stderr.isatty()):
            start(path, wait=False)
        return None
    with connection:
        return _run_in_child(connection, argv)


def socket_path() -> str | None:
    """Where this user's warm process for this code listens; None if no private folder can be had."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = os.path.join(runtime, "newsarchive") if runtime else f"/tmp/newsarchive-{os.getuid()}"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        status = os.lstat(folder)
    except OSError:
        return None
    if status.st_uid != os.getuid() or status.st_mode & 0o077 or not os.path.isdir(folder) or os.path.islink(folder):
        return None  # another user's, or open to others: never talk through it
    return os.path.join(folder, f"warm-{code_identity()}.sock")


def code_identity(package: str = os.path.dirname(os.path.abspath(__file__))) -> str:
    """A hash of what a warm process has loaded: the Python, the builder's files, the installed packages."""
    parts = [sys.executable, sys.version, package]
    with os.scandir(package) as entries:
        for entry in sorted(entries, key=lambda entry: entry.name):
            if entry.name.endswith(".py"):
                status = entry.stat()
                parts.append(f"{entry.name} {status.st_size} {status.st_mtime_ns}")
    for folder in sys.path:  # a package installed, upgraded or removed changes its folder's time
        if folder.endswith("-packages") and os.path.isdir(folder):
            parts.append(f"{folder} {os.stat(folder).st_mtime_ns}")
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:24]


def _streams_open() -> bool:
    try:
        for fd in STREAMS:
            os.fstat(fd)
    except OSError:
        return False
    return True


def _connect(path: str) -> socket.socket | None:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:  # none, or one that died: its socket file is replaced when one starts
        connection.close()
        return None
    return connection


def _send(connection: socket.socket, request: dict, fds: tuple[int, ...] = ()) -> None:
    data = json.dumps(request).encode("utf-8", "surrogateescape")
    socket.send_fds(connection, [len(data).to_bytes(_HEADER, "big") + data], list(fds))


def _stream_settings(stream) -> list:
    return [stream.encoding, stream.errors, stream.line_buffering, stream.write_through]


def _run_in_child(connection: socket.socket, argv: list[str]) -> int | None:
    umask = os.umask(0)
    os.umask(umask)
    # Held until the child is known, then passed on to it: Ctrl-C at any moment reaches the command.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    _send(connection, {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask,
                       "stdout": _stream_settings(sys.stdout), "stderr": _stream_settings(sys.stderr)}, STREAMS)
    answers = connection.makefile("rb")
    started = answers.readline()
    if not started.startswith(b"pid "):
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return None  # it would not run the command: run it here
    child, forwarded = int(started[4:]), []

    def forward(signum, frame):
        forwarded.append(signum)
        try:
            os.kill(child, signum)
        except ProcessLookupError:
            pass
    for signum in FORWARDED:
        signal.signal(signum, forward)
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    ended = answers.readline()
    if ended.startswith(b"exit "):
        return int(ended[5:])
    if forwarded:  # it left at once on the signal (Ctrl-C ends a build so), as a shell counts it
        return 128 + forwarded[-1]
    print("build_site.py: the command's process ended without an exit code (killed?)", file=sys.stderr)
    return 1


def start(path: str, wait: bool) -> None:
    """Start a warm process listening at ``path``, in a session of its own; ``wait`` until it listens."""
    import subprocess  # only when one is started
    idle = os.environ.get(IDLE_VARIABLE, str(IDLE_SECONDS))
    process = subprocess.Popen([sys.executable, "-m", "newsarchive.warm", path, idle], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                               cwd="/", env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(
                                   os.path.abspath(__file__)))})
    if wait:
        import time
        while process.poll() is None and not _answers(path):
            time.sleep(0.02)


def _answers(path: str) -> bool:
    connection = _connect(path)
    if connection is None:
        return False
    connection.close()
    return True


def control(action: str) -> int:
    """``build_site.py warm start|stop|status``."""
    path = socket_path()
    if path is None:
        print("build_site.py: no private folder for the warm process's socket", file=sys.stderr)
        return 3
    connection = _connect(path)
    if action == "start":
        if connection is None:
            start(path, wait=True)
        else:
            connection.close()
        print(f"warm process listening at {path}" if _answers(path) else "build_site.py: the warm process did not start")
        return 0 if _answers(path) else 3
    if connection is None:
        print("no warm process is running")
        return 0
    with connection:
        _send(connection, {"control": action})
        print(connection.makefile("r", encoding="utf-8").readline().strip())
    return 0


def serve(path: str, idle_seconds: float) -> None:
    """Load the builder, listen at ``path`` and fork a child for each command, until idle that long.

    Between commands it reads the state files of the cache the last command used (see cache.LOADED),
    one file at a time and only while no command runs or waits, so that the next command finds them
    read: a file is taken from there only while it is the very file that was read.
    """
    from . import canonical, cli, reader, scaffold  # noqa: F401 (loaded here once, for every child)
    import gc
    import multiprocessing  # noqa: F401 (a cold build's pool)
    import select
    from pathlib import Path
    reader._renderer()  # the Markdown converter, which is reset after every body
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    temporary = f"{path}.{os.getpid()}"
    listener.bind(temporary)
    os.rename(temporary, path)  # in one step, over the socket of one that died
    listener.listen(16)
    bound = os.stat(path).st_ino
    gc.freeze()  # the children share these objects' memory with this process as long as nobody writes them
    served, running, reports, preloader = 0, set(), {}, _Preloader()
    try:
        while True:
            preloading = bool(preloader.todo) and not running
            ready, _, _ = select.select([listener, *reports], [], [], 0 if preloading else idle_seconds)
            running -= _reaped()
            if not ready:
                if not preloading:
                    break  # idle
                preloader.step()
                continue
            for fd in [fd for fd in ready if fd in reports]:  # a command's child said which cache it used
                folder = os.read(fd, 65536)
                os.close(fd)
                child = reports.pop(fd)
                if child in running:  # its report is the last thing it does: it has ended, or is ending
                    os.waitpid(child, 0)
                    running.discard(child)
                if folder:
                    preloader.start(Path(os.fsdecode(folder)))
            if listener not in ready:
                continue
            connection, _ = listener.accept()
            with connection:
                if _peer_uid(connection) != os.getuid():
                    continue
                request, fds = _receive(connection)
                if request is None:
                    continue
                if "control" in request:
                    commands = f"{served} command{'' if served == 1 else 's'}"
                    if request["control"] == "stop":
                        connection.sendall(f"warm process {os.getpid()} stopped after {commands}\n".encode())
                        break
                    from .cache import LOADED
                    connection.sendall(f"warm process {os.getpid()} at {path}: {commands} run, "
                                       f"{len(LOADED)} cache files read\n".encode())
                    continue
                served += 1
                report, reported = os.pipe()
                child = os.fork()
                if child == 0:
                    listener.close()
                    os.close(report)
                    _child(connection, request, fds, reported)  # never returns
                os.close(reported)
                running.add(child)
                reports[report] = child
                for fd in fds:
                    os.close(fd)
    finally:
        try:
            if os.stat(path).st_ino == bound:
                os.unlink(path)
        except OSError:
            pass


class _Preloader:
    """Reads the state files of one cache into cache.LOADED, a file a step (the cache of the last command)."""

    def __init__(self):
        self.todo: list = []  # the paths of the files still to read

    def start(self, folder) -> None:
        from . import cache
        self.todo = cache.state_files(folder)
        wanted = set(map(os.fspath, self.todo))
        for path in [path for path in cache.LOADED if path not in wanted]:  # another cache's, or gone
            del cache.LOADED[path]

    def step(self) -> None:
        from . import cache
        cache.preload(self.todo.pop(0))


def _peer_uid(connection: socket.socket) -> int:
    import struct
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", credentials)[1]


def _receive(connection: socket.socket) -> tuple[dict | None, list[int]]:
    data, fds, _, _ = socket.recv_fds(connection, 1 << 16, len(STREAMS))
    if len(data) < _HEADER:
        return None, fds
    length = int.from_bytes(data[:_HEADER], "big")
    data = data[_HEADER:]
    while len(data) < length:
        more = connection.recv(length - len(data))
        if not more:
            return None, fds
        data += more
    request = json.loads(data.decode("utf-8", "surrogateescape"))
    if "control" not in request and len(fds) != len(STREAMS):
        return None, fds
    return request, fds


def _reaped() -> set[int]:
    """Collect the children that have ended; their process ids."""
    ended = set()
    try:
        while True:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if not pid:
                break
            ended.add(pid)
    except ChildProcessError:
        pass
    return ended


def _child(connection: socket.socket, request: dict, fds: list[int], report: int) -> None:
    """Become the caller's command: its streams, folder, environment and umask; then run it, and report
    its exit code to the caller and the cache it used to the warm process (on ``report``)."""
    import io
    import time
    import traceback
    code = 1
    try:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in zip(STREAMS, fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        for name, fd in (("stdout", 1), ("stderr", 2)):
            encoding, errors, line_buffering, write_through = request[name]
            setattr(sys, name, io.TextIOWrapper(io.BufferedWriter(io.FileIO(fd, "w", closefd=False)), encoding=encoding,
                                                errors=errors, line_buffering=line_buffering, write_through=write_through))
        sys.argv = request["argv"]
        connection.sendall(f"pid {os.getpid()}\n".encode())
        from .cli import main
        code = main(sys.argv[1:])
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 (reported as an uncaught exception would be)
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            connection.sendall(f"exit {code}\n".encode())
            from .cache import OPENED
            if OPENED:
                os.write(report, os.fsencode(OPENED[-1].absolute()))
        finally:
            os._exit(0)


if __name__ == "__main__":
    serve(sys.argv[1], float(sys.argv[2]))
