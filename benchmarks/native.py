#!/usr/bin/env python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Round trip of one program over transport native vs one ``docker exec ... iris session`` on the same instance.

Issue 13 item 6. One simulator container (published superserver port on 127.0.0.1, a random password set by
``iris_container``'s manager, as ``state: healthy`` does) serves both sides:

* native: ``NativeTransport.run`` of the ping program (``_objectscript.ping_program``) on ONE connection that every
  measured run reuses (the connection a module run opens once), through the real InterSystems client
  (intersystems-irispython) - the class method ``IrisDevTools.NativeV1.Run`` installed by a warm-up run, not timed;
* floor (the baseline, measured in the same run): ``DockerTransport.run`` of the same program, one ``docker exec``
  of ``iris session`` through the Docker SDK, which is what every module task over ``transport: docker`` pays per
  session.

Both sides run alternately (which one goes first alternates too), ``--runs`` times each (at least 20); the script
prints both medians and, last, ``native ratio=<native median / docker median> target=0.2``. It also checks that
both sides return the same result, so a fast but wrong transport cannot pass. Connection set-up (login, runner
install) is not in the native figure: it is paid once per module run and printed separately.

How to run, from the repository root after ``tools/run setup`` (its WORK dir holds the synced
``ansible_collections/iris_devtools/iris`` copy and the venv with the docker SDK and intersystems-irispython):

    source <(tools/run env)
    PYTHONPATH="$SYNC_ROOT" python benchmarks/native.py [--image iris-devtools/iris-sim:0.6.0] [--runs 20]

(``$SYNC_ROOT`` defaults to ``$WORK``.) The container is removed at the end, whatever happened.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
import uuid

# The container manager's stand-in module and its parameters, shared with readiness.py (this folder is on sys.path
# when the script runs as ``python benchmarks/native.py``).
from readiness import _Module, _params  # pylint: disable=import-error


def _timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def measure(image, runs):
    # pylint: disable=import-outside-toplevel  # needs PYTHONPATH set as the docstring says
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _container, _instance, _native
    from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import ping_program
    from ansible_collections.iris_devtools.iris.plugins.module_utils._transport import DockerTransport, NativeTransport

    name = "iris-bench-native-%s" % uuid.uuid4().hex[:8]
    password = "Bench-" + secrets.token_urlsafe(12)  # never printed
    params = _params(name, image)
    params.update(password=password, publish_web=False)
    manager = _container.ContainerManager(_Module(params))
    connection = None
    try:
        manager.run()
        container = manager.client.containers.get(name)
        host, port = _instance.published_port(container)
        docker_side = DockerTransport(manager.client, name, namespace="USER", timeout=60)
        login_s, connection = _timed(lambda: _native.connect(host, port, "%SYS", "_SYSTEM", password, 60, 60))
        native_side = NativeTransport(connection, namespace="USER", timeout=60)
        first_s, first = _timed(lambda: native_side.run(ping_program()))  # installs the runner when missing
        reference = docker_side.run(ping_program())
        if first != reference:
            raise RuntimeError("the transports disagree: native %r, docker %r" % (first, reference))
        print("instance: %s, superserver %s:%s; login %.3f s, first native run (runner install: %d) %.3f s"
              % (name, host, port, login_s, native_side.installs, first_s))
        native_times, docker_times = [], []
        for index in range(runs):
            order = ((native_side, native_times), (docker_side, docker_times))
            for side, times in (order if index % 2 == 0 else order[::-1]):
                seconds, result = _timed(lambda side=side: side.run(ping_program()))
                if result != reference:
                    which = type(side).__name__
                    raise RuntimeError("run %d of %s returned %r, not %r" % (index + 1, which, result, reference))
                times.append(seconds)
            print("run %d: native %.4f s, docker %.4f s" % (index + 1, native_times[-1], docker_times[-1]))
        return statistics.median(native_times), statistics.median(docker_times)
    finally:
        if connection is not None:
            _native.close(connection)
        try:
            manager.client.containers.get(name).remove(force=True, v=True)
        except Exception:  # pylint: disable=broad-except  # cleanup must not hide the outcome
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--image", default="iris-devtools/iris-sim:0.6.0")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if args.runs < 20:
        parser.error("--runs must be at least 20 (issue 13 item 6: median of >= 20). Fix: --runs 20 or more")
    native_s, docker_s = measure(args.image, args.runs)
    print("median native (reused connection, NativeTransport.run): %.4f s" % native_s)
    print("median docker (docker exec ... iris session, DockerTransport.run): %.4f s" % docker_s)
    print("native ratio=%.3f target=0.2" % (native_s / docker_s))


if __name__ == "__main__":
    main()
