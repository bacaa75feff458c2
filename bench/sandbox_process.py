"""The benchmark's Zortout sandbox, served from a process of its own.

Zortout is a server of its own in production: its work never runs inside
Odoo's process. A sandbox served from a thread of the benchmark's process
would share Odoo's interpreter lock, and every page it builds would count as
Odoo's time (measured here: 20 pages of 500 rows took 0.77 s through the
client with the sandbox in a thread, 0.50 s with it in its own process). So
the sandbox runs in a child process, forked once the catalogue is built: both
processes hold the same catalogue, and each change set is applied to both.

The parent drives the child through a pipe; :class:`SandboxProcess` offers what
the benchmark uses of :class:`zortout_sandbox.SandboxServer`: ``base_url``,
``requests``, ``clear_requests()`` and ``stop()``, plus ``serve(size)`` and
``apply_changes(changes)``.
"""

import multiprocessing

from bench_data import apply_changes, catalogue_view
from zortout_sandbox import SandboxServer

__all__ = ["SandboxProcess"]


def _serve(connection, full, size):
    """The child: a sandbox over ``full``, driven by the messages on ``connection``."""
    sandbox = SandboxServer(catalogue=catalogue_view(full, size)).start()
    connection.send(sandbox.base_url)
    try:
        while True:
            command, argument = connection.recv()
            if command == "serve":
                sandbox.catalogue = catalogue_view(full, argument)
                answer = None
            elif command == "apply":
                apply_changes(full, argument)
                answer = None
            elif command == "requests":
                answer = sandbox.requests
            elif command == "clear":
                sandbox.clear_requests()
                answer = None
            elif command == "stop":
                connection.send(None)
                return
            else:
                answer = ValueError(f"unknown sandbox command {command!r}")
            connection.send(answer)
    finally:
        sandbox.stop()
        connection.close()


class SandboxProcess:
    """A sandbox serving the first ``size`` products of ``full`` from a child process."""

    def __init__(self, full, size):
        self._connection, child_end = multiprocessing.Pipe()
        # fork: the child starts with the catalogue already built, and never touches the
        # parent's database connections (it only serves HTTP, and ends with os._exit)
        context = multiprocessing.get_context("fork")
        self._process = context.Process(target=_serve, args=(child_end, full, size), name="zortout-sandbox",
                                        daemon=True)
        self._process.start()
        child_end.close()
        self.base_url = self._connection.recv()

    def _ask(self, command, argument=None):
        self._connection.send((command, argument))
        answer = self._connection.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def serve(self, size):
        self._ask("serve", size)

    def apply_changes(self, changes):
        self._ask("apply", changes)

    @property
    def requests(self):
        return self._ask("requests")

    def clear_requests(self):
        self._ask("clear")

    def stop(self):
        if self._process.is_alive():
            self._ask("stop")
            self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._connection.close()
