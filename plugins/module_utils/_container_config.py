# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The configuration model of ``iris_devtools.iris.iris_container``: the options the user gave, normalised
(``WantedConfig``, with the parsers of each option: memory, host_ip, cpuset_cpus, volumes, published ports), the
configuration of an existing container normalised the same way (``ActualConfig``), ``compare`` (the options that
differ) and ``config_view`` (the diff's before/after, never a secret).

Facts relied on (iris-sources.md §5, S25 unless said otherwise): the image runs ``iris-main`` as entrypoint; extra
arguments (``--key``, ``--password-file``, ``--check-caps false``, ``-a``) are the container command; superserver
1972, web server 52773 (S29); ``ISC_CPF_MERGE_FILE`` (S27) and ``ISC_DATA_DIRECTORY`` (durable %SYS; the host
directory must be writable by UID 51773, iris-sources.md NEEDS §2.8).
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import ipaddress
import os
import re

from ansible.module_utils.common.text.formatters import human_to_bytes

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec, _docker
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import MANAGED_LABEL, SUPERSERVER_PORT, WEB_PORT
from ansible_collections.iris_devtools.iris.plugins.module_utils._container_password import strip_password_args
from ansible_collections.iris_devtools.iris.plugins.module_utils._cpf import parse_cpf_actions
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

SUPERSERVER_KEY = "%d/tcp" % SUPERSERVER_PORT
WEB_KEY = "%d/tcp" % WEB_PORT

CPF_SHA_LABEL = "iris_devtools.iris.cpf_merge_sha256"

DURABLE_TARGET = "/durable"
DURABLE_DATA_DIR = "/durable/iris"  # a sub-directory iris-main creates itself (avoids #5001 on the mount point)
KEY_TARGET = "/iris-devtools/key/iris.key"
MERGE_TARGET = "/iris-devtools/merge/merge.cpf"
DEFAULT_STATE_DIR = "~/.cache/iris_devtools/containers"

# Docker's RFC 3339 times carry up to 9 fraction digits and a "Z"; datetime.fromisoformat (Python < 3.11) takes at
# most 6 digits and no "Z", so the fraction is cut to microseconds and "Z" written as +00:00.
_DOCKER_TS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")
# The sizes the documentation promises (512m, 2g, 2GiB, 1.5g, 64k, a number of bytes): a number, one unit letter
# in any case, then an optional "i" and "b".  human_to_bytes takes the number with the unit letter in upper case.
# ASCII digits only (re.ASCII): human_to_bytes cannot read other digits (an Arabic-Indic 512 failed with a traceback).
_MEMORY = re.compile(r"\A\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?\s*\Z", re.I | re.ASCII)
# Paths, the image reference, volume paths and env/label names reach the Docker host's file system and the Docker API
# as they are: a line feed would name a new directory (durable_dir, state_dir), a NUL would fail late in the daemon.
_NO_CONTROLS = "write %s without control characters (a line feed, a NUL, ...)"
# docker run --cpuset-cpus: "0-3", "0,1", "0-2,5" (Docker reference, https://docs.docker.com/engine/containers/resource_constraints/).
# ASCII digits, and \Z: "$" would take a trailing line feed, which Docker never gives back (a change on every run).
_CPUSET = re.compile(r"\A[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*\Z")


def parse_docker_time(text):
    """Docker RFC 3339 time (nanoseconds, ``Z``) -> float seconds since the epoch (None if unset)."""
    if not text or text.startswith("0001-01-01"):
        return None
    match = _DOCKER_TS.match(text.strip())
    if not match:
        return None
    zone = match.group(3) or "Z"
    iso = "%s.%s%s" % (match.group(1), (match.group(2) or "0")[:6].ljust(6, "0"), "+00:00" if zone == "Z" else zone)
    return datetime.datetime.fromisoformat(iso).timestamp()


def parse_memory(value):
    """``512m``, ``2g``, ``1073741824`` -> bytes (binary units, like ``docker run -m``); None/0 -> 0."""
    if value in (None, "", 0, "0"):
        return 0
    match = _MEMORY.match(str(value))
    if not match:
        raise IrisModuleError("memory %r is not a size." % (value,),
                              hint="write a number of bytes or a number with a unit: 512m, 2g")
    return int(human_to_bytes(match.group(1) + match.group(2).upper()))


def parse_host_ip(value, option="host_ip"):
    """An IP address as Docker should bind it, normalised (``ipaddress``); anything else fails.

    Docker publishes on every interface when the address is empty or one it cannot use, so a host
    name, blanks or quotes are refused here instead (issue 11 item 1).
    """
    text = value if isinstance(value, str) else str(value)
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise IrisModuleError("%s %r is not an IP address." % (option, value),
                              hint="write an IPv4 or IPv6 address without blanks, for example 127.0.0.1 or ::1 (a host "
                                   "name such as localhost is not accepted); 0.0.0.0 or :: publish on all interfaces")


def parse_cpuset(value):
    """``docker run --cpuset-cpus`` syntax (``0-3,5``) -> the same text; None/'' -> ''."""
    if value in (None, ""):
        return ""
    text = str(value)
    ok = bool(_CPUSET.match(text))
    if ok:
        for part in text.split(","):
            low, dummy, high = part.partition("-")
            if high and int(high) < int(low):
                ok = False
    if not ok:
        raise IrisModuleError("cpuset_cpus %r is not a CPU list." % (value,),
                              hint="write CPU numbers and ranges separated by commas, without blanks, "
                                   "for example 0-19 or 0-3,6")
    return text


def parse_volume(spec):
    """``host:container[:ro|rw]`` or a dict -> ``dict(type, source, target, read_only)``.

    An absolute (or ``~``/``.``-relative) source is a bind mount; anything else is a named volume.
    """
    if isinstance(spec, dict):
        source = spec.get("source")
        target = spec.get("target")
        read_only = bool(spec.get("read_only", False))
        if not source or not target:
            raise IrisModuleError("volume %r needs both 'source' and 'target'." % (spec,),
                                  hint="write volumes as 'host:container[:ro]' or {source: ..., target: ..., read_only: ...}")
    else:
        parts = str(spec).split(":")
        mode = "rw"
        if len(parts) == 3:
            source, target, mode = parts
        elif len(parts) == 2:
            source, target = parts
        else:
            raise IrisModuleError("volume %r is not 'host:container[:ro]'." % (spec,),
                                  hint="write volumes as 'host:container[:ro]' or {source: ..., target: ..., read_only: ...}")
        if mode not in ("ro", "rw"):
            raise IrisModuleError("volume %r: mode must be 'ro' or 'rw', not %r." % (spec, mode),
                                  hint="write volumes as 'host:container[:ro]'")
        read_only = mode == "ro"
    for path in (source, target):
        _argspec.refuse_control_characters("volume", str(path), _NO_CONTROLS % "the volume's paths")
    if not target.startswith("/"):
        raise IrisModuleError("volume %r: the container path %r must be absolute." % (spec, target),
                              hint="write the path inside the container starting with '/'")
    if source.startswith(("/", "~", ".")):
        source = os.path.abspath(os.path.expanduser(source))
        kind = "bind"
    else:
        kind = "volume"
    return dict(type=kind, source=source, target=target, read_only=read_only)


def module_files_dir(params):
    """Where the module keeps a container's files on the Docker host (the CPF merge file): state_dir/<name>."""
    state_dir = params.get("state_dir") or DEFAULT_STATE_DIR
    _argspec.refuse_control_characters("state_dir", state_dir, _NO_CONTROLS % "state_dir")
    return os.path.join(os.path.abspath(os.path.expanduser(state_dir)), params["name"])


def _env_dict(entries):
    env = {}
    for entry in entries or []:
        key, sep, value = entry.partition("=")
        env[key] = value if sep else ""
    return env


def _minus(actual, defaults):
    """Items of ``actual`` that the image does not already set to the same value."""
    return dict((k, v) for k, v in (actual or {}).items() if (defaults or {}).get(k) != v)


def _port_view(binding):
    return dict(host_ip=binding[0], host_port=binding[1])


class WantedConfig(object):
    """The configuration the user asked for, normalised the same way in check and real runs."""

    def __init__(self, params):
        for option in ("image", "durable_dir", "license_key", "state_dir"):
            _argspec.refuse_control_characters(option, params.get(option), _NO_CONTROLS % option)
        self.name = params["name"]
        self.image = params.get("image")
        # An IP address only; Docker would publish an empty or unusable one on all interfaces (issue 11 item 1).
        self.host_ip = parse_host_ip(params["host_ip"] if params.get("host_ip") is not None else "127.0.0.1")
        env = dict((str(k), "" if v is None else str(v)) for k, v in (params.get("env") or {}).items())
        labels = dict((str(k), "" if v is None else str(v)) for k, v in (params.get("labels") or {}).items())
        for option, names in (("env", env), ("labels", labels)):
            for key in names:
                _argspec.refuse_control_characters(option, key, _NO_CONTROLS % ("the names in " + option))
        for key in labels:
            if key.startswith("iris_devtools.iris."):
                raise IrisModuleError("label %r uses the prefix 'iris_devtools.iris.' that the module reserves." % key,
                                      hint="rename the label")
        labels[MANAGED_LABEL] = "true"
        mounts = [parse_volume(v) for v in (params.get("volumes") or [])]
        command = [str(a) for a in (params.get("command_args") or [])]

        self.durable_dir = params.get("durable_dir")
        if self.durable_dir:
            self.durable_dir = os.path.abspath(os.path.expanduser(self.durable_dir))
            mounts.append(dict(type="bind", source=self.durable_dir, target=DURABLE_TARGET, read_only=False))
            self._reserve(env, "ISC_DATA_DIRECTORY", DURABLE_DATA_DIR, "durable_dir")
        self.license_key = params.get("license_key")
        if self.license_key:
            self.license_key = os.path.abspath(os.path.expanduser(self.license_key))
            mounts.append(dict(type="bind", source=self.license_key, target=KEY_TARGET, read_only=True))
            if "--key" in command:
                raise IrisModuleError("command_args contains '--key' and license_key is set.",
                                      hint="use only license_key; the module adds '--key %s' itself" % KEY_TARGET)
            command = ["--key", KEY_TARGET] + command
        if "--password-file" in command or any(a.startswith("--password-file=") for a in command):
            raise IrisModuleError("command_args must not contain '--password-file'.",
                                  hint="use the password option; the module writes the file into the container itself")
        self.cpf_merge = params.get("cpf_merge")
        self.cpf_merge_file = None
        if self.cpf_merge:
            if not self.cpf_merge.endswith("\n"):
                self.cpf_merge += "\n"
            dummy, problems = parse_cpf_actions(self.cpf_merge)
            if problems:
                raise IrisModuleError("cpf_merge would be ignored in part by IRIS: %s." % "; ".join(problems),
                                      hint="write the section header as [Actions] (IRIS is case-sensitive here)")
            self.cpf_merge_file = os.path.join(module_files_dir(params), "merge.cpf")
            mounts.append(dict(type="bind", source=self.cpf_merge_file, target=MERGE_TARGET, read_only=True))
            self._reserve(env, "ISC_CPF_MERGE_FILE", MERGE_TARGET, "cpf_merge")
            labels[CPF_SHA_LABEL] = hashlib.sha256(self.cpf_merge.encode("utf-8")).hexdigest()

        targets = [m["target"] for m in mounts]
        for target in set(targets):
            if targets.count(target) > 1:
                raise IrisModuleError("two volumes mount onto %s." % target,
                                      hint="give every volume its own container path (durable_dir uses %s, license_key %s, "
                                           "cpf_merge %s)" % (DURABLE_TARGET, KEY_TARGET, MERGE_TARGET))

        ports = {}
        ports[SUPERSERVER_KEY] = (self.host_ip, self._host_port(params.get("superserver_port"), "superserver_port"))
        if params.get("publish_web", True):
            ports[WEB_KEY] = (self.host_ip, self._host_port(params.get("web_port"), "web_port"))
        for spec in params.get("published_ports") or []:
            for key, binding in self._parse_port(spec):
                if key in ports:
                    raise IrisModuleError("published port %r publishes container port %s a second time." % (spec, key),
                                          hint="publish every container port once (1972 and 52773 are published by "
                                               "superserver_port and web_port)")
                ports[key] = binding

        self.env = env
        self.labels = labels
        self.mounts = sorted(mounts, key=lambda m: m["target"])
        self.command = command
        self.ports = ports
        self.memory = parse_memory(params.get("memory"))
        cpus = params.get("cpus")
        if cpus is not None and cpus < 0:
            raise IrisModuleError("cpus %r is negative." % (cpus,), hint="give a number of CPUs such as 2 or 1.5, or 0 for no limit")
        self.nano_cpus = int(round(float(cpus) * 1e9)) if cpus else 0
        self.cpuset_cpus = parse_cpuset(params.get("cpuset_cpus"))

    @staticmethod
    def _reserve(env, key, value, option):
        if key in env and env[key] != value:
            raise IrisModuleError("env sets %s, which the %s option manages." % (key, option),
                                  hint="remove %s from env" % key)
        env[key] = value

    @staticmethod
    def _host_port(value, option):
        if value in (None, 0):
            return None
        if not 1 <= value <= 65535:
            raise IrisModuleError("%s %r is not a port number." % (option, value),
                                  hint="give a port from 1 to 65535, or leave %s unset so Docker picks a free one" % option)
        return value

    def _parse_port(self, spec):
        """``[host_ip:][host_port:]container_port[/proto]`` (ranges too) -> [(key, (host_ip, host_port))].

        Parsed by the Docker SDK (``docker.utils.ports.split_port``, the ``docker run -p`` syntax); a missing
        address is O(host_ip), never all interfaces; a written address must be an IP address.
        """
        text = str(spec)
        bad = IrisModuleError("published port %r is not '[host_ip:][host_port:]container_port[/protocol]'." % (spec,),
                              hint="for example '127.0.0.1:8080:8080', '8080:80' or '8080' (no blanks; IPv6 in brackets: "
                                   "'[::1]:8080:80')")
        try:
            internal, external = _docker.split_port_spec(text)
        except ValueError:
            raise bad
        if external is None:
            external = [None] * len(internal)
        if len(external) != len(internal):
            raise bad
        result = []
        for container_port, binding in zip(internal, external):
            number, dummy, proto = container_port.partition("/")
            host_ip, host_port = binding if isinstance(binding, tuple) else (None, binding)
            host_ip = self.host_ip if host_ip in (None, "") else parse_host_ip(host_ip, "published port %r: the address" % (spec,))
            try:
                number = int(number)
                host_port = int(host_port) if host_port not in (None, "") else None
            except ValueError:
                raise bad
            if not 1 <= number <= 65535 or (host_port is not None and not 1 <= host_port <= 65535):
                raise bad
            result.append(("%d/%s" % (number, proto or "tcp"), (host_ip, host_port)))
        return result

    def view(self, running, image_id=None):
        """The diff view of this configuration (no secrets)."""
        return config_view(self, running, image_id, self.cpf_merge)


def config_view(config, running, image_id, cpf_merge):
    """The before/after view shared by WantedConfig and ActualConfig (never holds the password)."""
    return dict(
        exists=True,
        running=running,
        image=config.image,
        image_id=image_id,
        env=dict(config.env),
        labels=dict(config.labels),
        ports=dict((k, _port_view(v)) for k, v in sorted(config.ports.items())),
        mounts=copy.deepcopy(config.mounts),
        command=list(config.command),
        memory=config.memory,
        nano_cpus=config.nano_cpus,
        cpuset_cpus=config.cpuset_cpus,
        cpf_merge=cpf_merge,
    )


class ActualConfig(object):
    """The configuration of an existing container, normalised like WantedConfig."""

    def __init__(self, attrs, image_attrs):
        config = attrs.get("Config") or {}
        host = attrs.get("HostConfig") or {}
        image_config = (image_attrs or {}).get("Config") or {}
        self.id = attrs.get("Id")
        self.name = (attrs.get("Name") or "").lstrip("/")
        self.image_id = attrs.get("Image")
        self.image = config.get("Image")
        state = attrs.get("State") or {}
        self.status = state.get("Status")
        self.running = bool(state.get("Running"))
        self.started_at = parse_docker_time(state.get("StartedAt"))
        self.env = _minus(_env_dict(config.get("Env")), _env_dict(image_config.get("Env")))
        self.labels = _minus(config.get("Labels") or {}, image_config.get("Labels") or {})
        self.has_password_file = "--password-file" in (config.get("Cmd") or [])
        command = strip_password_args(config.get("Cmd"))
        if command == strip_password_args(image_config.get("Cmd")):
            command = []
        self.command = command
        ports = {}
        for key, bindings in (host.get("PortBindings") or {}).items():
            binding = (bindings or [{}])[0] or {}
            host_port = binding.get("HostPort")
            ports[key] = (binding.get("HostIp") or "0.0.0.0", int(host_port) if host_port not in (None, "", "0") else None)
        self.ports = ports
        mounts = []
        for mount in host.get("Mounts") or []:
            mounts.append(dict(type=mount.get("Type"), source=mount.get("Source"), target=mount.get("Target"),
                               read_only=bool(mount.get("ReadOnly"))))
        for bind in host.get("Binds") or []:
            mounts.append(parse_volume(bind))
        self.mounts = sorted(mounts, key=lambda m: m["target"])
        self.memory = host.get("Memory") or 0
        self.nano_cpus = host.get("NanoCpus") or 0
        self.cpuset_cpus = host.get("CpusetCpus") or ""
        self.published = {}
        for key, bindings in ((attrs.get("NetworkSettings") or {}).get("Ports") or {}).items():
            for binding in bindings or []:
                if binding.get("HostPort"):
                    self.published[key] = (binding.get("HostIp"), int(binding["HostPort"]))
                    break

    def view(self, cpf_merge):
        """The diff view of the container's configuration (no secrets)."""
        return config_view(self, self.running, self.image_id, cpf_merge)


# What each setting the module manages itself consists of, so a difference is named after the option the
# user wrote (issue 11 item 5: "container would be recreated: cpf_merge changed"), not after a label or mount.
_MANAGED_ENV = {"ISC_DATA_DIRECTORY": "durable_dir", "ISC_CPF_MERGE_FILE": "cpf_merge"}
_MANAGED_TARGETS = {DURABLE_TARGET: "durable_dir", KEY_TARGET: "license_key", MERGE_TARGET: "cpf_merge"}


def compare(wanted, wanted_image_id, actual):
    """Names of the settings (options) that differ, in a fixed order (empty list: the container matches)."""
    found = set()
    if wanted_image_id and actual.image_id != wanted_image_id:
        found.add("image")
    for key in set(wanted.env) | set(actual.env):
        if wanted.env.get(key) != actual.env.get(key):
            found.add(_MANAGED_ENV.get(key, "env"))
    for key in set(wanted.labels) | set(actual.labels):
        if wanted.labels.get(key) != actual.labels.get(key):
            found.add("cpf_merge" if key == CPF_SHA_LABEL else "labels")
    if set(wanted.ports) != set(actual.ports):
        found.add("ports")
    else:
        for key, (host_ip, host_port) in wanted.ports.items():
            actual_ip, actual_port = actual.ports[key]
            if host_ip != actual_ip or (host_port is not None and host_port != actual_port):
                found.add("ports")
                break
    wanted_mounts = dict((m["target"], m) for m in wanted.mounts)
    actual_mounts = dict((m["target"], m) for m in actual.mounts)
    for target in set(wanted_mounts) | set(actual_mounts):
        if wanted_mounts.get(target) != actual_mounts.get(target):
            found.add(_MANAGED_TARGETS.get(target, "volumes"))
    if wanted.command != actual.command:
        wanted_key, actual_key = "--key" in wanted.command, "--key" in actual.command
        rest_differs = [a for a in wanted.command if a not in ("--key", KEY_TARGET)] != \
            [a for a in actual.command if a not in ("--key", KEY_TARGET)]
        found.add("command_args" if rest_differs or wanted_key == actual_key else "license_key")
    if wanted.memory != actual.memory:
        found.add("memory")
    if wanted.nano_cpus != actual.nano_cpus:
        found.add("cpus")
    if wanted.cpuset_cpus != actual.cpuset_cpus:
        found.add("cpuset_cpus")
    order = ("image", "env", "labels", "ports", "volumes", "durable_dir", "license_key", "cpf_merge", "command_args",
             "memory", "cpus", "cpuset_cpus")
    return [name for name in order if name in found]
