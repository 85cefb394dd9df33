"""Warm start: a process that has loaded the builder forks a fresh one for each command.

Starting Python and importing the builder and its libraries (Jinja, Markdown, YAML ...) takes about
0.15 s: a third of a rebuild after adding a report to a 5,000-report archive, and most of a small
archive's. A warm process pays that once. It waits on a Unix socket; for each command it forks a
child, which takes the caller's standard streams (passed as file descriptors), working folder,
environment and umask, runs the command as build_site.py would, and reports its exit code. The
caller forwards Ctrl-C to the child and exits with its code. The child holds nothing of earlier
commands (the warm process runs none itself): the build cache, the sources and the site are read
from disk as by any build, so the output is the same byte for byte.

It holds nothing of any project either, so one serves every project of its user. It is known by
the code it loaded: its socket's name holds a hash of the Python, of the builder's files and of
the installed packages' folders, so after an upgrade or an edit of the builder a new one is
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
    """Load the builder, listen at ``path`` and fork a child for each command, until idle that long."""
    from . import canonical, cli, reader, scaffold  # noqa: F401 (loaded here once, for every child)
    import gc
    import multiprocessing  # noqa: F401 (a cold build's pool)
    reader._renderer()  # the Markdown converter, which is reset after every body
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    temporary = f"{path}.{os.getpid()}"
    listener.bind(temporary)
    os.rename(temporary, path)  # in one step, over the socket of one that died
    listener.listen(16)
    listener.settimeout(idle_seconds)
    bound = os.stat(path).st_ino
    gc.freeze()  # the children share these objects' memory with this process as long as nobody writes them
    served = 0
    try:
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                break
            _reap()
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
                    connection.sendall(f"warm process {os.getpid()} at {path}: {commands} run\n".encode())
                    continue
                served += 1
                if os.fork() == 0:
                    listener.close()
                    _child(connection, request, fds)  # never returns
                for fd in fds:
                    os.close(fd)
    finally:
        try:
            if os.stat(path).st_ino == bound:
                os.unlink(path)
        except OSError:
            pass


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


def _reap() -> None:
    """Collect the children that have ended."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _child(connection: socket.socket, request: dict, fds: list[int]) -> None:
    """Become the caller's command: its streams, folder, environment and umask; then run it and report."""
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
        finally:
            os._exit(0)


if __name__ == "__main__":
    serve(sys.argv[1], float(sys.argv[2]))
