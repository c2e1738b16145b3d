# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real-IRIS probe kit: checks, one by one, the IRIS facts the collection relies on that the audit did
not confirm (docs/iris-sources.md, "Calls and facts": the UNVERIFIED rows and the live-instance checklist).

Usage (through ``tools/run probe``; ``IRIS_TEST_IMAGE`` picks the image)::

    python tests/probe/probe.py <image> [--out-dir DIR] [--timeout SECONDS] [--ipm-installer FILE]

It starts the image as a throwaway container (``iris-probe-<random>``, 1972 published on 127.0.0.1 only at a random
host port for the Native API rows, ``--password-file``
with a random password, removed at the end even on failure), waits for "Enabling logons", then runs one small
ObjectScript program per fact through ``docker exec -i <c> iris session IRIS -U %SYS`` (program on stdin).
It prints a table ``fact | collection expects | observed | ok?``, saves it as Markdown and JSON and exits 1 if a
row is not ok.

This is an independent check, like the simulator: it never imports plugins/ (its own output markers, its own
parser). Rows are strict (one outcome is right), or tolerant (the collection works with several outcomes; the
row records which one this image shows).

The rows NR* and NF*-native use the real client (``intersystems-irispython``, the ``iris`` module) on the published
port with the container's random password; they are "skipped (intersystems-irispython not importable)" without it.
The rows IPM2/IPM5/IPMT7/IPMT3 load the installer given with ``--ipm-installer FILE`` and are "skipped (no
--ipm-installer)" without it.  Skipped rows do not fail the run.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import io
import json
import os
import re
import secrets
import subprocess
import sys
import tarfile
import time

INSTANCE = "IRIS"
PASSWORD_DIR = "/tmp/iris-devtools-pw"  # where the collection puts it (audit F15): a private directory ...
PASSWORD_PATH = PASSWORD_DIR + "/password"  # ... holding the file
IRIS_UID = 51773  # irisowner (iris-sources.md S25)
LOGONS = "Enabling logons"  # readiness line (audit F11)
SIM_TITLE = "IRIS simulator (not IRIS)"  # label of tests/simulator/image/Dockerfile

OK = "ok"
OK_TOLERANT = "ok (tolerant)"
FAIL = "FAIL"
SKIP_SIM = "skipped (simulator: not modelled)"
PASSING = (OK, OK_TOLERANT)

# Errors by which an image says "I do not have this" (the simulator answers them for what it does not model).
_MISSING = ("CLASS DOES NOT EXIST", "METHOD DOES NOT EXIST", "PROPERTY DOES NOT EXIST", "NOROUTINE", "NOLINE")
_ERROR = re.compile(r"<([A-Z][A-Z0-9]*(?: [A-Z0-9]+)*)>")

# Independent copies of the collection's start-failure log patterns (plugins/module_utils/_readiness.py,
# FATAL_LOG_PATTERNS): a healthy start's log must not match any of them (audit F10, F12, F14).
FATAL_PATTERNS = {
    "capabilities": re.compile(r"capabilit(y|ies)\b.{0,80}\b(missing|not (set|present|granted|permitted|available)|fail)"
                               r"|(missing|required) (linux )?capabilit", re.I),
    "cpf_merge_failed": re.compile(r"merge file.{0,200}\bfailed\b", re.I),
    "expired_license": re.compile(r"Invalid Community Edition license", re.I),
}


# ----------------------------------------------------------------------------------------------------------
# programs and their output (pure; unit-tested in test_probe.py)
# ----------------------------------------------------------------------------------------------------------

def os_literal(text):
    """An ObjectScript string literal (double the quotes)."""
    return '"' + str(text).replace('"', '""') + '"'


class Program:
    """A probe program: ObjectScript lines for the shell, results written between markers.

    The marker text is put together at run time (``"<"_"<P:..."``) so that an echo of the program line never
    looks like a result.
    """

    def __init__(self, token=None):
        self.token = token or secrets.token_hex(4)
        self.lines = []

    def line(self, text):
        self.lines.append(text)
        return self

    def emit(self, key, expr):
        """A line that writes ``key`` = value of ``expr``."""
        return self.line('write "<"_"<P:%s:%s>>",%s,"<"_"</P>>",!' % (self.token, key, expr))

    def text(self):
        return "\n".join(self.lines + ["halt", ""])


def parse_marks(token, output):
    """The results of a run: {key: value} for every complete marker of ``token`` (first one wins)."""
    marks = {}
    for match in re.finditer(r"<<P:%s:(\w+)>>(.*?)<</P>>" % re.escape(token), output, re.S):
        marks.setdefault(match.group(1), match.group(2))
    return marks


def parse_errors(output):
    """IRIS error names printed by the shell (``<CLASS DOES NOT EXIST> *Foo`` -> "CLASS DOES NOT EXIST")."""
    found = []
    for line in output.replace("\r", "\n").split("\n"):
        match = _ERROR.match(line.strip())
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def says_not_modelled(output):
    """Whether an answer means "this image does not model that" (error names above, or the text)."""
    return "not modelled" in output.lower() or any(name in _MISSING for name in parse_errors(output))


def slug(image):
    """A file-name-safe form of an image reference."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", image).strip("-.") or "image"


@dataclasses.dataclass
class Row:
    key: str        # audit row or checklist item, e.g. "C8" or "S9-3" (docs/iris-sources.md)
    fact: str
    expects: str
    observed: str = ""
    status: str = ""
    tolerant: bool = False

    @property
    def passed(self):
        return self.status in PASSING or self.status.startswith("skipped")


def verdict(good, tolerant=False):
    """The ok? column of a row from whether the observation matches (tolerant rows pass on every outcome)."""
    if tolerant:
        return OK_TOLERANT
    return OK if good else FAIL


def _cell(text):
    return str(text).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def render_markdown(rows, meta):
    """The table a user attaches to a bug report."""
    out = ["# IRIS probe: %s" % meta.get("image", "?"), ""]
    for name in ("image", "image_id", "zversion", "date", "probe_version"):
        if meta.get(name):
            out.append("- %s: `%s`" % (name, _cell(meta[name])))
    out += ["", "| row | fact | collection expects | observed | ok? |", "| --- | --- | --- | --- | --- |"]
    for row in rows:
        out.append("| %s | %s | %s | %s | %s |" % tuple(_cell(x) for x in (row.key, row.fact, row.expects, row.observed, row.status)))
    failed = [row.key for row in rows if not row.passed]
    out += ["", "rows: %d, not ok: %d%s" % (len(rows), len(failed), (" (" + ", ".join(failed) + ")") if failed else "")]
    return "\n".join(out) + "\n"


def render_json(rows, meta):
    return json.dumps({"meta": meta, "rows": [dict(dataclasses.asdict(row), passed=row.passed) for row in rows]},
                      indent=2, sort_keys=True) + "\n"


def exit_code(rows):
    return 0 if rows and all(row.passed for row in rows) else 1


# ----------------------------------------------------------------------------------------------------------
# the container
# ----------------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Result:
    output: str
    marks: dict
    errors: list
    rc: object

    def need(self, *keys):
        missing = [key for key in keys if key not in self.marks]
        if missing:
            raise NoAnswer(self, missing)
        return [self.marks[key] for key in keys]


class NoAnswer(Exception):
    def __init__(self, result, missing):
        self.result = result
        errors = ("; IRIS errors: " + ", ".join(result.errors)) if result.errors else ""
        super().__init__("no answer for %s%s" % (", ".join(missing), errors))


class Instance:
    """A throwaway container of the image under test."""

    def __init__(self, client, image, timeout):
        self.client = client
        self.image = image
        self.timeout = timeout
        self.password = "Pr0be-" + secrets.token_urlsafe(12)
        self.name = "iris-probe-" + secrets.token_hex(4)
        self.container = None
        self.native_port = None  # the host port of 1972 (127.0.0.1 only), for the Native API rows
        self.start_log = ""
        img = client.images.get(image)
        self.image_id = img.id
        self.is_sim = (img.labels or {}).get("org.opencontainers.image.title") == SIM_TITLE

    def start(self):
        # The same start as iris_container: iris-main --password-file <file put with the archive API, 0600, 51773>.
        self.container = self.client.containers.create(
            self.image, command=["--password-file", PASSWORD_PATH], name=self.name, detach=True,
            labels={"iris-devtools.probe": "true"}, ports={"1972/tcp": ("127.0.0.1", None)})
        data = (self.password + "\n").encode()
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            folder = tarfile.TarInfo(os.path.basename(PASSWORD_DIR))
            folder.type, folder.mode, folder.uid, folder.gid, folder.mtime = tarfile.DIRTYPE, 0o700, IRIS_UID, IRIS_UID, int(time.time())
            tar.addfile(folder)
            info = tarfile.TarInfo(os.path.basename(PASSWORD_DIR) + "/" + os.path.basename(PASSWORD_PATH))
            info.size, info.mode, info.uid, info.gid, info.mtime = len(data), 0o600, IRIS_UID, IRIS_UID, int(time.time())
            tar.addfile(info, io.BytesIO(data))
        if not self.container.put_archive(os.path.dirname(PASSWORD_DIR), buf.getvalue()):
            raise RuntimeError("could not put the password file into the container")
        self.container.start()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            logs = self.container.logs().decode("utf-8", "replace")
            if LOGONS in logs:
                self.start_log = logs
                self.container.reload()
                bound = ((self.container.attrs.get("NetworkSettings") or {}).get("Ports") or {}).get("1972/tcp") or []
                self.native_port = bound[0].get("HostPort") if bound else None
                return
            self.container.reload()
            if self.container.status not in ("created", "running"):
                raise RuntimeError("the container stopped before '%s'; its log ends with:\n%s"
                                   % (LOGONS, "\n".join(logs.splitlines()[-20:])))
            time.sleep(1)
        raise RuntimeError("no '%s' in the container log within %d s" % (LOGONS, self.timeout))

    def remove(self):
        if self.container is not None:
            try:
                self.container.remove(force=True, v=True)
            except Exception as exc:  # pylint: disable=broad-except
                print("warning: could not remove container %s: %s" % (self.name, exc), file=sys.stderr)

    def shell(self, argv, stdin="", user=None, timeout=120):
        """``docker exec -i`` (the CLI, like a user would); returns (rc, stdout+stderr text)."""
        cmd = ["docker", "exec", "-i"] + (["-u", user] if user else []) + [self.container.id] + list(argv)
        try:
            proc = subprocess.run(cmd, input=stdin.encode(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            return "timeout", (exc.output or b"").decode("utf-8", "replace")
        return proc.returncode, proc.stdout.decode("utf-8", "replace")

    def run(self, program, namespace="%SYS", user=None, timeout=120):
        rc, out = self.shell(["iris", "session", INSTANCE, "-U", namespace], program.text(), user=user, timeout=timeout)
        return Result(out, parse_marks(program.token, out), parse_errors(out), rc)


# ----------------------------------------------------------------------------------------------------------
# the probes: one function per fact, each with its own small program(s)
# ----------------------------------------------------------------------------------------------------------

PROBES = []


def probe(key, fact, expects, tolerant=False, sim_required=False):
    """Register a probe.  ``sim_required``: a sourced fact the simulator must model (never skipped)."""
    def wrap(func):
        PROBES.append((Row(key, fact, expects, tolerant=tolerant), func, sim_required))
        return func
    return wrap


def _task_lines(p, var, **props):
    p.line("set %s=##class(%%SYS.Task).%%New()" % var)
    for name, value in props.items():
        p.line("set %s.%s=%s" % (var, name, value))


_DAILY = dict(NameSpace='"%SYS"', TaskClass='"%SYS.Task.RunLegacyTask"', TimePeriod=0, TimePeriodEvery=1,
              DailyFrequency=0, DailyStartTime=3600, Description='"iris probe"')


def _with(base, **changes):
    """A copy of the property dict ``base`` with ``changes`` applied."""
    merged = dict(base)
    merged.update(changes)
    return merged


def _status_expr(var="sc", error_prefix=""):
    """ObjectScript: 1 when the %Status in ``var`` is OK, else ``error_prefix`` and its error text."""
    prefix = '"%s"_' % error_prefix if error_prefix else ""
    return "$select($SYSTEM.Status.IsError(%s):%s$SYSTEM.Status.GetErrorText(%s),1:1)" % (var, prefix, var)


def _save(p, var, key):
    """Save a task; writes <key> = 1 or the error text, and <key>_id."""
    p.line("set sc=%s.%%Save()" % var)
    p.emit(key, _status_expr(error_prefix="error: "))
    p.emit(key + "_id", "%s.%%Id()" % var)


def _task_cleanup(inst, ids):
    ids = [i for i in ids if i and i.isdigit()]
    if ids:
        p = Program()
        for i in ids:
            p.line("do ##class(%%SYS.Task).%%DeleteId(%s)" % i)
        inst.run(p)


@probe("A15", "frame bytes $CHAR(2)/$CHAR(3) and a 6,000-character line reach stdout unchanged",
       "bytes unchanged, no line break inserted")
def p_a15(inst, ctx):
    p = Program().emit("frame", '$c(2)_"x"_$c(3)').emit("long", '$tr($j("",6000)," ","a")')
    frame, long_ = inst.run(p).need("frame", "long")
    good = frame == "\x02x\x03" and long_ == "a" * 6000
    return "frame %r, long line %d characters%s" % (frame, len(long_), "" if "\n" not in long_ else " with line breaks"), good


@probe("A16", "a program line of about 31,000 characters (literals of 3,990) is accepted", "the line runs")
def p_a16(inst, ctx):
    literal = os_literal("a" * 3990)
    p = Program().line("set l=0" + " set l=l+$l(%s)" % literal * 7 + " set l=l+$l(%s)" % os_literal("b" * 3000))
    p.emit("len", "l")
    size = len(p.lines[0])
    (got,) = inst.run(p).need("len")
    return "line of %d characters: l=%s" % (size, got), got == str(3990 * 7 + 3000)


@probe("A3", "iris session run by another OS user (root) answers without a login prompt",
       "no prompt (a prompt makes the local transport fail closed: run it as the instance owner)")
def p_a3(inst, ctx):
    res = inst.run(Program().emit("who", "$USERNAME"), user="root")
    if "who" in res.marks:
        return "answered without a prompt ($USERNAME=%s)" % res.marks["who"], True
    prompt = re.search(r"(Username|User ?name|Password)\s*:", res.output, re.I)
    return ("prompted (%s)" % prompt.group(0)) if prompt else "no answer (rc %s)" % res.rc, False


@probe("B3", "two %SYS.Task objects with the same Name", "either (the module fails clearly on duplicates)", tolerant=True)
def p_b3(inst, ctx):
    name = '"iris-probe-dup-%s"' % secrets.token_hex(3)
    p = Program()
    _task_lines(p, "t", **_with(_DAILY, Name=name))
    _save(p, "t", "one")
    _task_lines(p, "u", **_with(_DAILY, Name=name))
    _save(p, "u", "two")
    res = inst.run(p)
    one, two = res.need("one", "two")
    _task_cleanup(inst, [res.marks.get("one_id", ""), res.marks.get("two_id", "")])
    if one != "1":
        raise NoAnswer(res, ["first save (%s)" % one])
    return "second %%Save: %s" % ("saved (names are not unique)" if two == "1" else two), True


@probe("B8", "%Save of a daily task with TimePeriodEvery=8 (the documented range is 1-7)",
       "either (the collection refuses 8 before saving)", tolerant=True)
def p_b8(inst, ctx):
    p = Program()
    _task_lines(p, "t", **_with(_DAILY, Name='"iris-probe-b8"', TimePeriodEvery=8))
    _save(p, "t", "save")
    res = inst.run(p)
    (saved,) = res.need("save")
    _task_cleanup(inst, [res.marks.get("save_id", "")])
    return "saved" if saved == "1" else saved, True


def _several(end):
    return _with(_DAILY, Name='"iris-probe-b14-%s"' % secrets.token_hex(3), DailyFrequency=1, DailyFrequencyTime=1,
                 DailyIncrement=1, DailyStartTime=0, DailyEndTime=end)


@probe("B14", "several times a day with DailyEndTime=86399 saves and reads back 86399", "saved, 86399",
       sim_required=True)
def p_b14(inst, ctx):
    p = Program()
    _task_lines(p, "t", **_several(86399))
    _save(p, "t", "save")
    p.emit("end", "##class(%SYS.Task).%OpenId(t.%Id()).DailyEndTime")
    res = inst.run(p)
    saved, end = res.need("save", "end")
    _task_cleanup(inst, [res.marks.get("save_id", "")])
    return "save: %s, DailyEndTime read back: %r" % (saved, end), saved == "1" and end == "86399"


@probe("B14-empty", "several times a day with DailyEndTime=\"\" (what the collection wrote before 1.0.0)",
       "any (no longer written; recorded for the register)", tolerant=True)
def p_b14_empty(inst, ctx):
    p = Program()
    _task_lines(p, "t", **_several('""'))
    _save(p, "t", "save")
    p.emit("end", "##class(%SYS.Task).%OpenId(t.%Id()).DailyEndTime")
    res = inst.run(p)
    saved, end = res.need("save", "end")
    _task_cleanup(inst, [res.marks.get("save_id", "")])
    return "save: %s, DailyEndTime read back: %r" % (saved, end), True


@probe("B24", "TaskListDetail 'Next Scheduled Date' is MM/DD/YYYY", "MM/DD/YYYY (other locales: next_run is wrong)")
def p_b24(inst, ctx):
    p = Program()
    _task_lines(p, "t", **_with(_DAILY, Name='"iris-probe-b24"'))
    _save(p, "t", "save")
    p.line('set rs=##class(%ResultSet).%New("%SYS.Task:TaskListDetail"),found=""')
    p.line('do rs.Execute()')
    p.line('while rs.Next() { if rs.Get("ID")=t.%Id() { set found=rs.Get("Next Scheduled Date") } }')
    p.emit("next", "found")
    res = inst.run(p)
    (nxt,) = res.need("next")
    _task_cleanup(inst, [res.marks.get("save_id", "")])
    return repr(nxt), bool(re.fullmatch(r"\d\d/\d\d/\d{4}", nxt))


@probe("B25", "%Save of a task whose TaskClass does not exist", "an error status")
def p_b25(inst, ctx):
    p = Program()
    _task_lines(p, "t", **_with(_DAILY, Name='"iris-probe-b25"', TaskClass='"IrisProbe.NoSuchTask"'))
    _save(p, "t", "save")
    res = inst.run(p)
    (saved,) = res.need("save")
    _task_cleanup(inst, [res.marks.get("save_id", "")])
    return "saved" if saved == "1" else saved, saved != "1"


@probe("C2", "$$addprofile with a name holding '.' and '-' stores it as given", "stored as given ($$editprofile of that name returns 1)")
def p_c2(inst, ctx):
    name = os_literal("idt.probe-%s" % secrets.token_hex(2))
    p = Program()
    p.emit("add", "$$addprofile^SystemPerformance(%s,\"probe\",30,2)" % name)
    p.emit("edit", "$$editprofile^SystemPerformance(%s,\"probe 2\",30,2)" % name)
    p.emit("del", "$$delprofile^SystemPerformance(%s)" % name)
    add, edit = inst.run(p).need("add", "edit")
    return "addprofile %s, editprofile %s" % (add, edit), add == "1" and edit == "1"


def _start_run(inst, ctx):
    """One ^SystemPerformance run for the C8/C14 rows (started once)."""
    if "run" not in ctx:
        name = "idtprobe%s" % secrets.token_hex(2)
        p = Program()
        p.emit("add", "$$addprofile^SystemPerformance(%s,\"probe\",10,60)" % os_literal(name))
        # $IO saved and restored around the calls: the routine may switch the device (audit C14).
        p.line("set io=$IO,r=$$run^SystemPerformance(%s),io2=$IO" % os_literal(name))
        p.line("use io")
        p.line("set w=$$waittime^SystemPerformance(r),io3=$IO")
        p.line("use io")
        p.emit("io", "io").emit("run", "r").emit("io_run", "io2").emit("wait", "w").emit("io_wait", "io3")
        ctx["run"] = inst.run(p)
    return ctx["run"]


@probe("C8", "$$waittime^SystemPerformance(runid) of a running run", "text, not -2^... (the collection keeps it opaque)",
       sim_required=True)
def p_c8(inst, ctx):
    res = _start_run(inst, ctx)
    run, wait = res.need("run", "wait")
    note = " (a bare number; the sources show text such as '7 minutes')" if re.fullmatch(r"[0-9.]+", wait) else ""
    return "run id %r, waittime %r%s" % (run, wait, note), run not in ("", "0") and not wait.startswith("-2^")


@probe("C8-unknown", "$$waittime^SystemPerformance of an unknown run id", "-2^... (no such run)", sim_required=True)
def p_c8_unknown(inst, ctx):
    p = Program()
    # $IO saved and restored around the call: the routine may switch the device (audit C14).
    p.line('set io=$IO,w=$$waittime^SystemPerformance("20000101_000000_nosuchrun")')
    p.line("use io")
    (wait,) = inst.run(p.emit("wait", "w")).need("wait")
    return repr(wait), wait.startswith("-2^")


@probe("C14", "$IO after $$run and $$waittime of ^SystemPerformance", "either (the collection saves and restores $IO)",
       tolerant=True)
def p_c14(inst, ctx):
    res = _start_run(inst, ctx)
    io0, io1, io2 = res.need("io", "io_run", "io_wait")
    moved = ["%s -> %r" % (call, dev) for call, dev in (("run", io1), ("waittime", io2)) if dev != io0]
    return ("switched: " + ", ".join(moved)) if moved else "unchanged (%r)" % io0, True


@probe("D7", "Config.Databases.Create of an existing IRIS.DAT, then SYS.Database.MountDatabase", "MountDatabase returns OK")
def p_d7(inst, ctx):
    d = os_literal("/usr/irissys/mgr/irisprobed7/")
    p = Program()
    p.line("set d=%s,ok=##class(%%File).CreateDirectoryChain(d),sc=##class(SYS.Database).CreateDatabase(d)" % d)
    p.line('kill q set q("Directory")=d,sc=##class(Config.Databases).Create("IRISPROBED7",.q)')
    p.emit("create", _status_expr())
    p.emit("mounted", "##class(SYS.Database).%OpenId(d).Mounted")
    p.line("set sc=##class(SYS.Database).MountDatabase(d)")
    p.emit("mount", _status_expr())
    create, mounted, mount = inst.run(p).need("create", "mounted", "mount")
    return "Create %s; mounted after Create: %s; MountDatabase: %s" % (create, mounted, mount), create == "1" and mount == "1"


@probe("D11", "%File.NormalizeDirectory of a relative name in a -U %SYS session", "<install>/mgr/<name>/")
def p_d11(inst, ctx):
    (got,) = inst.run(Program().emit("dir", '##class(%File).NormalizeDirectory("irisprobe")')).need("dir")
    return repr(got), got.endswith("/mgr/irisprobe/")


@probe("D13", "a copied IRIS.DAT: Create + Mount + Config.Namespaces.Create, then SELECT COUNT(*) in the new namespace",
       "the table's row count (2)")
def p_d13(inst, ctx):
    src, dst = "/usr/irissys/mgr/irisprobesrc/", "/usr/irissys/mgr/irisprobedst/"
    p = Program()
    p.line("set d=%s,ok=##class(%%File).CreateDirectoryChain(d),sc=##class(SYS.Database).CreateDatabase(d)" % os_literal(src))
    p.line('kill q set q("Directory")=d,sc=##class(Config.Databases).Create("IRISPROBESRC",.q)')
    p.line('kill q set q("Globals")="IRISPROBESRC",q("Routines")="IRISPROBESRC",sc=##class(Config.Namespaces).Create("IRISPROBESRC",.q)')
    p.line('set $namespace="IRISPROBESRC"')
    p.line('set r=##class(%SQL.Statement).%ExecDirect(,"CREATE TABLE Probe.Fixture (n INT)")')
    p.line('set r=##class(%SQL.Statement).%ExecDirect(,"INSERT INTO Probe.Fixture (n) VALUES (1)")')
    p.line('set r=##class(%SQL.Statement).%ExecDirect(,"INSERT INTO Probe.Fixture (n) VALUES (2)")')
    p.line('set $namespace="%SYS"')
    p.line("set sc=##class(SYS.Database).DismountDatabase(d)")
    p.emit("dismount", _status_expr())
    (dis,) = inst.run(p).need("dismount")
    rc, out = inst.shell(["sh", "-c", "mkdir -p %s && cp %sIRIS.DAT %sIRIS.DAT" % (dst, src, dst)])
    if rc != 0:
        return "copying IRIS.DAT failed: %s" % out.strip()[-200:], False
    p = Program()
    p.line('kill q set q("Directory")=%s,sc=##class(Config.Databases).Create("IRISPROBEDST",.q)' % os_literal(dst))
    p.line("set sc=##class(SYS.Database).MountDatabase(%s)" % os_literal(dst))
    p.line('kill q set q("Globals")="IRISPROBEDST",q("Routines")="IRISPROBEDST",sc=##class(Config.Namespaces).Create("IRISPROBEDST",.q)')
    p.line('set $namespace="IRISPROBEDST"')
    p.line('set r=##class(%SQL.Statement).%ExecDirect(,"SELECT COUNT(*) FROM Probe.Fixture"),n=$select(r.%Next():r.%GetData(1),1:"")')
    p.emit("count", 'n_" SQLCODE "_r.%SQLCODE')
    (count,) = inst.run(p).need("count")
    return "dismount %s; count %s" % (dis, count), count.split(" ")[0] == "2"


@probe("F6", "the --password-file file after the start", "deleted, renamed or kept: all work (the collection checks a login "
       "and removes a leftover file)", tolerant=True, sim_required=True)
def p_f6(inst, ctx):
    directory, base = os.path.split(PASSWORD_PATH)
    rc, out = inst.shell(["ls", "-a", directory])
    names = out.split()
    if rc != 0:
        return "could not list %s: %s" % (directory, out.strip()[-200:]), False
    if base in names:
        return "kept (%s)" % PASSWORD_PATH, True
    renamed = sorted(n for n in names if n.startswith(base.split(".")[0]))
    return ("renamed: " + ", ".join(renamed)) if renamed else "deleted", True


def _login(inst, password):
    # A separate session: a successful Login changes the process's user.
    res = inst.run(Program().emit("login", "$SYSTEM.Security.Login(\"_SYSTEM\",%s)" % os_literal(password)))
    res.need("login")
    return res


def _login_text(mark):
    """How a row shows $SYSTEM.Security.Login's answer."""
    return "accepted" if mark == "1" else "refused (%s)" % mark


def _users_call_then_login(inst, line, key, expr):
    """Run ``line`` (a Security.Users call) and emit ``expr`` as ``key``, then log in with the instance's password in a
    separate session: -> (the value of key, Login's answer)."""
    p = Program()
    p.line(line)
    p.emit(key, expr)
    (value,) = inst.run(p).need(key)
    return value, _login(inst, inst.password).marks["login"]


@probe("F7", "_SYSTEM after --password-file: ChangePassword; password login before it is cleared",
       "either (the source says: change required; the collection clears it)", tolerant=True, sim_required=True)
def p_f7(inst, ctx):
    flag, login = _users_call_then_login(inst, 'kill q set sc=##class(Security.Users).Get("_SYSTEM",.q)', "flag",
                                         '$get(q("ChangePassword"),"(none)")')
    return "ChangePassword=%s; $SYSTEM.Security.Login before: %s" % (flag, _login_text(login)), True


@probe("F7-login", "Security.Users.Modify(\"_SYSTEM\") with ChangePassword=0, then $SYSTEM.Security.Login with the password",
       "Modify returns 1, Login accepted", sim_required=True)
def p_f7_login(inst, ctx):
    modify, login = _users_call_then_login(
        inst, 'kill q set q("ChangePassword")=0,sc=##class(Security.Users).Modify("_SYSTEM",.q)', "modify", _status_expr())
    wrong = _login(inst, inst.password + "x").marks["login"]
    ctx["login_after"] = login == "1"
    return "Modify %s; Login %s; a wrong password %s" % (modify, _login_text(login), "refused" if wrong != "1" else "ACCEPTED"), \
        modify == "1" and login == "1" and wrong != "1"


@probe("F15", "the password file put with the archive API (0600, owner 51773) is read by iris-main",
       "the password works (row F7-login)", sim_required=True)
def p_f15(inst, ctx):
    if "login_after" not in ctx:
        return "not decided (row F7-login gave no answer)", False
    return "password applied" if ctx["login_after"] else "the password does not log in", ctx["login_after"]


@probe("F10", "the collection's start-failure log patterns do not match a healthy start",
       "no match (capabilities, merge failed, licence)")
def p_f10(inst, ctx):
    hits = [name for name, pattern in FATAL_PATTERNS.items() for line in inst.start_log.splitlines() if pattern.search(line)]
    return ("matched: " + ", ".join(sorted(set(hits)))) if hits else "no match in %d log lines" % len(inst.start_log.splitlines()), not hits


def _merge(inst, text):
    path = "/tmp/iris-probe-%s.cpf" % secrets.token_hex(3)
    rc, out = inst.shell(["sh", "-c", "cat > %s && iris merge %s %s; echo \"rc=$?\"" % (path, INSTANCE, path)], stdin=text)
    merge_rc = re.findall(r"rc=(\d+)", out)
    return (merge_rc[-1] if merge_rc else rc), out


@probe("F14", "iris merge with a failing action: exit status, and whether the 'merge file ... failed' pattern matches",
       "either (a miss only delays the start failure)", tolerant=True)
def p_f14(inst, ctx):
    rc, out = _merge(inst, "[Actions]\nCreateNamespace:Name=IRISPROBEBAD,Globals=IRISPROBE_NO_SUCH_DB,Routines=IRISPROBE_NO_SUCH_DB\n")
    dummy, log = inst.shell(["sh", "-c", "tail -n 40 /usr/irissys/mgr/messages.log 2>/dev/null"])
    match = FATAL_PATTERNS["cpf_merge_failed"].search(out + "\n" + log)
    if says_not_modelled(out) or re.search(r"unknown command|usage", out, re.I):
        raise NoAnswer(Result(out, {}, parse_errors(out) or ["iris merge: " + out.strip()[:80]], rc), ["merge"])
    return "exit %s; pattern %s" % (rc, "matches" if match else "does not match"), True


@probe("H3", "a merge file with a lower-case [actions] header", "either (the collection refuses it)", tolerant=True)
def p_h3(inst, ctx):
    rc, out = _merge(inst, "[actions]\nCreateDatabase:Name=IRISPROBELC,Directory=/usr/irissys/mgr/irisprobelc\n")
    (exists,) = inst.run(Program().emit("exists", '##class(Config.Databases).Exists("IRISPROBELC")')).need("exists")
    return "exit %s; database %s" % (rc, "created (header honoured)" if exists == "1" else "not created (ignored or refused)"), True


@probe("S9-1", "%SYS.Task TimePeriod display values 0-5", "Daily, Weekly, Monthly, ..., On Demand", tolerant=True)
def p_s9_1(inst, ctx):
    p = Program()
    for value in range(6):
        p.emit("v%d" % value, "##class(%%SYS.Task).TimePeriodLogicalToDisplay(%d)" % value)
    got = inst.run(p).need(*["v%d" % value for value in range(6)])
    return ", ".join("%d=%s" % (i, v) for i, v in enumerate(got)), True


@probe("S9-2", "%Save of DailyFrequency=1 without DailyIncrement", "either (the collection always writes both)", tolerant=True)
def p_s9_2(inst, ctx):
    props = _several(86399)
    props.pop("DailyIncrement")
    p = Program()
    _task_lines(p, "t", **props)
    _save(p, "t", "save")
    res = inst.run(p)
    (saved,) = res.need("save")
    _task_cleanup(inst, [res.marks.get("save_id", "")])
    return "saved" if saved == "1" else saved, True


@probe("S9-3", "SYS.Database.CreateDatabase formal parameters", "recorded (the collection does not call it)", tolerant=True)
def p_s9_3(inst, ctx):
    (spec,) = inst.run(Program().emit("spec", '##class(%Dictionary.CompiledMethod).%OpenId("SYS.Database||CreateDatabase").FormalSpec')).need("spec")
    return spec, True


@probe("S9-4", "iris session: stdin echo, and the end of stdin without halt", "either (programs always end with halt and "
       "results are read between markers)", tolerant=True)
def p_s9_4(inst, ctx):
    p = Program()
    p.emit("x", '"y"')
    rc, out = inst.shell(["iris", "session", INSTANCE, "-U", "%SYS"], "\n".join(p.lines) + "\n", timeout=60)
    echoed = "write " in out
    if rc == "timeout":
        return "no halt: session did not end within 60 s; echo %s" % ("yes" if echoed else "no"), True
    return "no halt: session ended, exit %s; echo of the program %s" % (rc, "yes" if echoed else "no"), True


@probe("S9-5", "Config.Databases:List is an SQL procedure", "recorded (the collection calls it through %ResultSet)", tolerant=True)
def p_s9_5(inst, ctx):
    (proc,) = inst.run(Program().emit("proc", '##class(%Dictionary.CompiledQuery).%OpenId("Config.Databases||List").SqlProc')).need("proc")
    return "SqlProc=%s" % proc, True


# ----------------------------------------------------------------------------------------------------------
# rows added for the 1.0.0 register rows (N*, NF*, UT*, IPM*, NR*)
# ----------------------------------------------------------------------------------------------------------

class Skip(Exception):
    """A row that cannot run here (no client, no option); its text becomes the status."""


NO_CLIENT = "skipped (intersystems-irispython not importable)"
NO_IPM = "skipped (no --ipm-installer)"


@probe("N2-pending", "$SYSTEM.Security.Login with the right password while _SYSTEM has ChangePassword=1",
       "either (inferred: refused; the collection clears the flag first, row F7-login)", tolerant=True)
def p_n2_pending(inst, ctx):
    flag, login = _users_call_then_login(
        inst, 'kill q set q("ChangePassword")=1,sc=##class(Security.Users).Modify("_SYSTEM",.q)', "modify", _status_expr())
    _users_call_then_login(inst, 'kill q set q("ChangePassword")=0,sc=##class(Security.Users).Modify("_SYSTEM",.q)',
                           "modify", _status_expr())
    return "Modify %s; Login while a change is pending: %s" % (flag, _login_text(login)), True


@probe("N6", "while a ^SystemPerformance run is going, no report *_<runid>.html in $$getlogdir",
       "no report yet (the report marks a finished run)")
def p_n6(inst, ctx):
    res = _start_run(inst, ctx)
    (run,) = res.need("run")
    p = Program()
    p.line("set io=$IO,d=$$getlogdir^SystemPerformance()")
    p.line("use io")
    p.emit("dir", "d").emit("report", '$ZSEARCH(d_"*_"_%s_".html")' % os_literal(run))
    directory, report = inst.run(p).need("dir", "report")
    return "logdir %r; report while running: %r" % (directory, report), bool(directory) and report == ""


def try_expr_line(var, expr):
    """A line that sets ``var`` to ``expr``, or to "caught <NAME>" when it raises (the error's Name)."""
    return 'try { set %s=%s } catch e { set %s="caught "_e.Name }' % (var, expr, var)


def _write_file(inst, path, text):
    rc, out = inst.shell(["sh", "-c", "mkdir -p %s && cat > %s" % (os.path.dirname(path), path)], stdin=text)
    if rc != 0:
        raise RuntimeError("could not write %s: %s" % (path, out.strip()[-200:]))


def del_class_source(cls):
    """A UDL class with one class method Hello() returning "hello"."""
    return 'Class %s\n{\n\nClassMethod Hello() As %%String\n{\n  quit "hello"\n}\n\n}\n' % cls


def del_routine_source(name):
    """A UDL routine ``name`` with a label hello() returning "hi"."""
    return "ROUTINE %s\n%s ;\n quit\nhello() quit \"hi\"\n" % (name, name)


@probe("N10", "$SYSTEM.OBJ.Delete(class,\"-d\",.log) of a class loaded by the probe", "1; calling the class after it "
       "raises <CLASS DOES NOT EXIST>")
def p_n10(inst, ctx):
    tag = secrets.token_hex(2)
    cls, path = "IrisProbe.Del%s" % tag, "/tmp/iris-probe-n10-%s/Del.cls" % tag
    _write_file(inst, path, del_class_source(cls))
    p = Program()
    p.line('set sc=$SYSTEM.OBJ.Load(%s,"ck-d")' % os_literal(path))
    p.emit("load", _status_expr(error_prefix="error: "))
    p.line(try_expr_line("v", "$classmethod(%s,\"Hello\")" % os_literal(cls)))
    p.emit("before", "v")
    p.line('set sc=$SYSTEM.OBJ.Delete(%s,"-d",.log)' % os_literal(cls))
    p.emit("delete", _status_expr(error_prefix="error: "))
    p.line(try_expr_line("v", "$classmethod(%s,\"Hello\")" % os_literal(cls)))
    p.emit("after", "v")
    load, before, delete, after = inst.run(p, namespace="USER").need("load", "before", "delete", "after")
    return "Load %s; call before %r; Delete %s; call after %r" % (load, before, delete, after), \
        before == "hello" and delete == "1" and "CLASS DOES NOT EXIST" in after


@probe("N11", "##class(%Library.Routine).Delete(\"Name.mac\") of a routine loaded by the probe", "1; calling the "
       "routine after it raises <NOROUTINE>")
def p_n11(inst, ctx):
    tag = secrets.token_hex(2)
    name, path = "IrisProbeR%s" % tag, "/tmp/iris-probe-n11-%s/IrisProbeR%s.mac" % (tag, tag)
    _write_file(inst, path, del_routine_source(name))
    p = Program()
    p.line('set sc=$SYSTEM.OBJ.Load(%s,"ck-d")' % os_literal(path))
    p.emit("load", _status_expr(error_prefix="error: "))
    p.line(try_expr_line("v", "$$hello^%s()" % name))
    p.emit("before", "v")
    p.line("set sc=##class(%%Library.Routine).Delete(%s)" % os_literal(name + ".mac"))
    p.emit("delete", _status_expr(error_prefix="error: "))
    p.line(try_expr_line("v", "$$hello^%s()" % name))
    p.emit("after", "v")
    load, before, delete, after = inst.run(p, namespace="USER").need("load", "before", "delete", "after")
    return "Load %s; call before %r; Delete %s; call after %r" % (load, before, delete, after), \
        before == "hi" and delete == "1" and "NOROUTINE" in after


STREAM_DATA = bytes(range(256)) + b"iris probe\r\n" + bytes([0, 255, 13, 10])


def stream_lines(p, path, data):
    """Lines that write ``data`` (bytes) to ``path`` with %Stream.FileBinary and emit link/write/save/size/read/hash."""
    codes = ",".join(str(b) for b in data)
    p.line("set s=##class(%%Stream.FileBinary).%%New(),sc=s.LinkToFile(%s)" % os_literal(path))
    p.emit("link", _status_expr(error_prefix="error: "))
    p.line("set x=$char(%s),sc=s.Write(x)" % codes)
    p.emit("write", _status_expr(error_prefix="error: "))
    p.line("set sc=s.%Save()")
    p.emit("save", _status_expr(error_prefix="error: "))
    p.emit("size", "s.Size")
    p.line("do s.Rewind() set y=s.Read(%d)" % (len(data) + 10))
    p.emit("same", "(y=x)")
    # Hex by \\ and # (no $ZHEX): two digits a byte.
    p.line('set h=$SYSTEM.Encryption.SHAHashStream(256,s),d="0123456789ABCDEF",hx="" '
           'for i=1:1:$length(h) { set a=$ascii(h,i),hx=hx_$extract(d,a\\16+1)_$extract(d,a#16+1) }')
    p.emit("hash", "hx")


@probe("NF1", "%Stream.FileBinary %New, LinkToFile(new file), Write(bytes), %Save, Size, Read (ObjectScript in a session)",
       "each %Status 1; Size = bytes written; Read gives them back")
def p_nf1(inst, ctx):
    p = Program()
    stream_lines(p, "/tmp/iris-probe-nf-%s.bin" % secrets.token_hex(3), STREAM_DATA)
    res = inst.run(p)
    ctx["nf"] = res
    link, write, save, size, same = res.need("link", "write", "save", "size", "same")
    return "LinkToFile %s, Write %s, %%Save %s, Size %s (wrote %d), Read equal %s" % (link, write, save, size, len(STREAM_DATA), same), \
        (link, write, save, size, same) == ("1", "1", "1", str(len(STREAM_DATA)), "1")


@probe("NF2", "$SYSTEM.Encryption.SHAHashStream(256, saved file stream) (ObjectScript in a session)",
       "the SHA-256 of the bytes written (32 bytes)")
def p_nf2(inst, ctx):
    res = ctx.get("nf") or inst.run(Program())
    (got,) = res.need("hash")
    want = hashlib.sha256(STREAM_DATA).hexdigest().upper()
    return "%s (%s)" % (got, "matches" if got == want else "expected " + want), got == want


UT_CLASS = "IrisProbe.UT"
UT_SOURCE = """Class IrisProbe.UT Extends %UnitTest.TestCase
{

ClassMethod Probe() As %String
{
  quit "here"
}

Method TestPass()
{
  do $$$AssertEquals(1, 1, "one is one")
}

Method TestFail()
{
  do $$$AssertEquals(1, 2, "one is not two")
}

}
"""


def ut_result_lines(p, idx_var, key):
    """Lines that find the suite/case of run ``idx_var`` and emit ``key``_pass/_fail (status of each method) and
    ``key``_asserts (the status of the first assertion of TestFail) (iris-sources.md T3, T4)."""
    p.line('set su=$order(^UnitTest.Result(%s,"")),ca=$select(su="":"",1:$order(^UnitTest.Result(%s,su,"")))' % (idx_var, idx_var))
    p.emit(key + "_suite", 'su_"/"_ca')
    p.emit(key + "_pass", '$select(ca="":"",1:$listget($get(^UnitTest.Result(%s,su,ca,"TestPass")),1))' % idx_var)
    p.emit(key + "_fail", '$select(ca="":"",1:$listget($get(^UnitTest.Result(%s,su,ca,"TestFail")),1))' % idx_var)
    p.emit(key + "_assert", '$select(ca="":"",1:$listget($get(^UnitTest.Result(%s,su,ca,"TestFail",1)),1))' % idx_var)


def ut_verdict(marks, key):
    """(text, good) of a unit-test run: TestPass status 1, TestFail status 0, its assertion 0."""
    got = [marks.get(key + part, "") for part in ("_pass", "_fail", "_assert")]
    text = "suite/case %s; TestPass %s, TestFail %s, its assertion %s" % (marks.get(key + "_suite", "?"), got[0], got[1], got[2])
    return text, got == ["1", "0", "0"]


def _ut_dir(inst):
    base = "/tmp/iris-probe-ut-%s/" % secrets.token_hex(3)
    rc, out = inst.shell(["sh", "-c", "mkdir -p %sprobe && cat > %sprobe/UT.cls" % (base, base)], stdin=UT_SOURCE)
    if rc != 0:
        raise RuntimeError("could not write the test class: %s" % out.strip()[-200:])
    return base


@probe("UT1", "^UnitTestRoot=<dir>, RunTest(\"probe\",\"/load/run/nodisplay/loadudl/recursive/delete\"), root set back",
       "a new ^UnitTest.Result index; TestPass 1, TestFail 0")
def p_ut1(inst, ctx):
    base = _ut_dir(inst)
    p = Program()
    p.line("set old=$get(^UnitTestRoot),before=$order(^UnitTest.Result(\"\"),-1)")
    p.line("set ^UnitTestRoot=%s" % os_literal(base))
    p.line('set sc=##class(%UnitTest.Manager).RunTest("probe","/load/run/nodisplay/loadudl/recursive/delete")')
    p.line("set ^UnitTestRoot=old,after=$order(^UnitTest.Result(\"\"),-1)")
    p.emit("sc", _status_expr(error_prefix="error: ")).emit("new", "(after'=before)")
    p.line(try_expr_line("v", '$classmethod("%s","Probe")' % UT_CLASS))
    p.emit("root", "$get(^UnitTestRoot)=old").emit("left", "v")
    ut_result_lines(p, "after", "r")
    res = inst.run(p, namespace="USER", timeout=300)
    sc, new, root, left = res.need("sc", "new", "root", "left")
    ctx["ut1"] = res
    text, good = ut_verdict(res.marks, "r")
    return "RunTest %s; new index %s; root restored %s; class after the run (/delete): %r; %s" % (sc[:60], new, root, left, text), \
        good and new == "1" and root == "1"


@probe("UT2", "^UnitTestRoot=<dir> holding an empty suite directory, RunTest(\"loaded:IrisProbe.UT\","
       "\"/noload/nodelete/run/nodisplay/norecursive\") of a compiled class (iris-sources.md UT2, IRISREF24)",
       "a new ^UnitTest.Result index; TestPass 1, TestFail 0; the class stays")
def p_ut2(inst, ctx):
    base = _ut_dir(inst)
    rc, out = inst.shell(["mkdir", "-p", base + "loaded"])
    if rc != 0:
        raise RuntimeError("could not make the suite directory: %s" % out.strip()[-200:])
    p = Program()
    p.line('set sc=$SYSTEM.OBJ.Load(%s,"ck-d")' % os_literal(base + "probe/UT.cls"))
    p.emit("load", _status_expr(error_prefix="error: "))
    p.line("set old=$get(^UnitTestRoot),before=$order(^UnitTest.Result(\"\"),-1),^UnitTestRoot=%s" % os_literal(base))
    p.line('set sc=##class(%%UnitTest.Manager).RunTest("loaded:%s","/noload/nodelete/run/nodisplay/norecursive")'
           % UT_CLASS)
    p.line("set ^UnitTestRoot=old,after=$order(^UnitTest.Result(\"\"),-1)")
    p.line(try_expr_line("v", '$classmethod("%s","Probe")' % UT_CLASS))
    p.emit("sc", _status_expr(error_prefix="error: ")).emit("new", "(after'=before)").emit("left", "v")
    ut_result_lines(p, "after", "r")
    p.line('set sc=$SYSTEM.OBJ.Delete(%s,"-d")' % os_literal(UT_CLASS))
    res = inst.run(p, namespace="USER", timeout=300)
    load, sc, new, left = res.need("load", "sc", "new", "left")
    text, good = ut_verdict(res.marks, "r")
    return "Load %s; RunTest %s; new index %s; class after the run: %r; %s" % (load, sc[:60], new, left, text), \
        good and load == "1" and new == "1" and left == "here"


@probe("UT3", "RunTest's %Status when a test fails (the collection reads ^UnitTest.Result, never the %Status)",
       "either (recorded)", tolerant=True)
def p_ut3(inst, ctx):
    res = ctx.get("ut1")
    if res is None:
        raise RuntimeError("row UT1 gave no answer")
    (sc,) = res.need("sc")
    return "RunTest with a failing test returned %s" % ("1 (OK)" if sc == "1" else sc[:120]), True


# ---- the class keyword Abstract (register key ROBJABS, rows ABS1, ABS3) ----
def abs_class_sources(base, sub):
    """A UDL ``[ Abstract ]`` %RegisteredObject class ``base`` with a class method Kind(), and its subclass ``sub``."""
    return {"Base.cls": 'Class %s Extends %%RegisteredObject [ Abstract ]\n{\n\nClassMethod Kind() As %%String\n{\n'
                        '  quit "kind"\n}\n\n}\n' % base,
            "Sub.cls": "Class %s Extends %s\n{\n\n}\n" % (sub, base)}


@probe("ABS1", "a [ Abstract ] class (iris-sources.md ROBJABS): its class method, %New() of it, %New() of a subclass",
       "the class method runs; %New of the abstract class gives \"\" (the simulator's model) or an error, never an "
       "object; the subclass's %New an object")
def p_abs1(inst, ctx):
    tag = secrets.token_hex(2)
    base, sub = "IrisProbe.Abs%s" % tag, "IrisProbe.Abs%sSub" % tag
    directory = "/tmp/iris-probe-abs1-%s/" % tag
    for name, text in abs_class_sources(base, sub).items():
        _write_file(inst, directory + name, text)
    p = Program()
    p.line('set sc=$SYSTEM.OBJ.Load(%s,"ck-d") if sc { set sc=$SYSTEM.OBJ.Load(%s,"ck-d") }'
           % (os_literal(directory + "Base.cls"), os_literal(directory + "Sub.cls")))
    p.emit("load", _status_expr(error_prefix="error: "))
    p.line(try_expr_line("k", "$classmethod(%s,\"Kind\")" % os_literal(base)))
    p.line("kill %objlasterror " + try_expr_line("o", "##class(%s).%%New()" % base))
    p.line('set n=$select(o="":"null",$isobject(o):"object",1:o)')
    p.line('set le=$select($data(%objlasterror):$SYSTEM.Status.GetErrorText(%objlasterror),1:"")')
    p.line(try_expr_line("s", "$isobject(##class(%s).%%New())" % sub))
    p.emit("kind", "k").emit("new", "n").emit("lasterr", "le").emit("sub", "s")
    p.line('set sc=$SYSTEM.OBJ.Delete(%s,"-d")' % os_literal(sub + "," + base))
    try:
        load, kind, new, lasterr, subnew = inst.run(p, namespace="USER").need("load", "kind", "new", "lasterr", "sub")
    finally:
        inst.shell(["rm", "-rf", directory])
    return "Load %s; Kind() %r; %%New of the abstract class: %s (%%objlasterror %r); subclass %%New is an object: %s" % (
        load, kind, new, lasterr[:120], subnew), load == "1" and kind == "kind" and new != "object" and subnew == "1"


ABS_TEST_SOURCES = {
    "AbsBase.cls": 'Class IrisProbe.AbsBase Extends %UnitTest.TestCase [ Abstract ]\n{\n\nMethod TestBase()\n{\n'
                   '  do $$$AssertTrue(1, "base")\n}\n\n}\n',
    "AbsChild.cls": 'Class IrisProbe.AbsChild Extends IrisProbe.AbsBase\n{\n\nMethod TestChild()\n{\n'
                    '  do $$$AssertTrue(1, "child")\n}\n\n}\n',
}


@probe("ABS3", "RunTest(\"abs\",\"/load/run/nodisplay/loadudl/norecursive/delete\") of a suite holding an abstract "
       "TestCase class and its subclass (iris-sources.md ABS3)", "recorded: the %Status and the classes "
       "^UnitTest.Result lists (the simulator refuses the run: not modelled)", tolerant=True)
def p_abs3(inst, ctx):
    base = "/tmp/iris-probe-abs3-%s/" % secrets.token_hex(3)
    for name, text in ABS_TEST_SOURCES.items():
        _write_file(inst, base + "abs/" + name, text)
    p = Program()
    p.line("set old=$get(^UnitTestRoot),before=$order(^UnitTest.Result(\"\"),-1),^UnitTestRoot=%s" % os_literal(base))
    p.line('set sc=##class(%UnitTest.Manager).RunTest("abs","/load/run/nodisplay/loadudl/norecursive/delete")')
    p.line("set ^UnitTestRoot=old,after=$order(^UnitTest.Result(\"\"),-1)")
    p.emit("sc", _status_expr(error_prefix="error: ")).emit("new", "(after'=before)")
    p.line('set cases="",su=$select(after=before:"",1:$order(^UnitTest.Result(after,""))),ca="" '
           'if su\'="" { for { set ca=$order(^UnitTest.Result(after,su,ca)) quit:ca=""  '
           'set cases=cases_ca_"="_$listget(^UnitTest.Result(after,su,ca),1)_"/"_$listget(^UnitTest.Result(after,su,ca),4)_";" } }')
    p.emit("cases", "cases")
    try:
        res = inst.run(p, namespace="USER", timeout=300)
    finally:
        inst.shell(["rm", "-rf", base])
    sc, new, cases = res.need("sc", "new", "cases")
    if says_not_modelled(sc):
        raise NoAnswer(res, ["RunTest (%s)" % sc[:200]])
    return "RunTest %s; new index %s; cases %s" % (sc[:120], new, cases[:300] or "none"), True


def _ipm(inst, ctx):
    """Loads the IPM installer given with --ipm-installer once; -> the load's Result."""
    path = ctx.get("ipm_installer")
    if not path:
        raise Skip(NO_IPM)
    if "ipm" not in ctx:
        with open(path, "rb") as fh:
            data = fh.read()
        target = "/tmp/iris-probe-ipm/" + os.path.basename(path)
        rc, out = inst.shell(["sh", "-c", "mkdir -p /tmp/iris-probe-ipm && cat > %s" % target], stdin=data.decode("latin-1"))
        if rc != 0:
            raise RuntimeError("could not copy the installer: %s" % out.strip()[-200:])
        p = Program()
        p.line('set sc=$SYSTEM.OBJ.Load(%s,"ck")' % os_literal(target))
        p.emit("load", _status_expr(error_prefix="error: "))
        ctx["ipm"] = inst.run(p, timeout=600)
    return ctx["ipm"]


@probe("IPM2", "after loading the IPM installer: %IPM.Storage.Module NameExists(\"zpm\"), NameOpen(\"zpm\").VersionString",
       "NameExists 1, a version string")
def p_ipm2(inst, ctx):
    (load,) = _ipm(inst, ctx).need("load")
    p = Program()
    p.emit("exists", '##class(%IPM.Storage.Module).NameExists("zpm")')
    p.emit("version", '##class(%IPM.Storage.Module).NameOpen("zpm").VersionString')
    exists, version = inst.run(p).need("exists", "version")
    return "Load %s; NameExists %s; version %r" % (load[:60], exists, version), exists == "1" and bool(version)


@probe("IPM5", "IPM's shell with a path holding a blank (load \"/tmp/iris probe/\")",
       "either (the module refuses blanks; recorded how IPM splits)", tolerant=True)
def p_ipm5(inst, ctx):
    _ipm(inst, ctx)
    inst.shell(["sh", "-c", "mkdir -p '/tmp/iris probe/'"])
    p = Program()
    p.line('set sc=##class(%IPM.Main).Shell("load /tmp/iris probe/")')
    p.emit("sc", _status_expr(error_prefix="error: "))
    res = inst.run(p, timeout=300)
    (sc,) = res.need("sc")
    said = " ".join(res.output.split())
    if "/tmp/iris probe" in said:
        seen = "; the answer names the path whole"
    elif re.search(r"/tmp/iris\b", said):
        seen = "; the answer names /tmp/iris alone (split at the blank)"
    else:
        seen = ""
    return "Shell %s%s" % (sc[:120], seen), True


# ---- IPM's test phase of a module (register rows IPMT3, IPMT7, UT5) ----

IPMT_MODULE = "iris-probe-ipmt"
IPMT_PACKAGE = "IrisProbe.IPMT"
# class -> file under the module root: two in the RunTest root <Name>/IrisProbe/IPMT/ (one UDL, one XML export), two
# of the same package under <Name>/Other/ (loaded by LoadTestDirectory only; IPMTEST, register rows IPMT2, IPMT3).
IPMT_CLASSES = (("IrisProbe.IPMT.UdlCase", "tests/IrisProbe/IPMT/UdlCase.cls"),
                ("IrisProbe.IPMT.XmlCase", "tests/IrisProbe/IPMT/XmlCase.xml"),
                ("IrisProbe.IPMT.OutsideUdl", "tests/Other/OutsideUdl.cls"),
                ("IrisProbe.IPMT.OutsideXml", "tests/Other/OutsideXml.xml"))
IPMT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<Export generator="IRIS" version="26">
  <Document name="%s.ZPM">
    <Module>
      <Name>%s</Name>
      <Version>1.0.0</Version>
      <Description>iris_devtools probe kit: which test classes IPM's test phase loads and runs</Description>
      <Packaging>module</Packaging>
      <UnitTest Name="/tests/" Package="%s" Phase="test"/>
    </Module>
  </Document>
</Export>
""" % (IPMT_MODULE, IPMT_MODULE, IPMT_PACKAGE)


def ipmt_files():
    """{path under the module root: text} of the probe's IPM module: the manifest and four passing test classes."""
    files = {"module.xml": IPMT_MANIFEST}
    for cls, path in IPMT_CLASSES:
        if path.endswith(".cls"):
            files[path] = ("Class %s Extends %%UnitTest.TestCase\n{\n\nMethod TestPass()\n{\n"
                           "  do $$$AssertEquals(1, 1, \"one is one\")\n}\n\n}\n" % cls)
        else:  # an XML export of the same class (the format of tests/sample_app/exports; register XMLEXP)
            files[path] = ('<?xml version="1.0" encoding="UTF-8"?>\n<Export generator="IRIS" version="26">\n'
                           '<Class name="%s">\n<Super>%%UnitTest.TestCase</Super>\n<Method name="TestPass">\n'
                           '<Implementation><![CDATA[\n  do $$$AssertEquals(1, 1, "one is one")\n]]></Implementation>\n'
                           '</Method>\n</Class>\n</Export>\n' % cls)
    return files


def ipmt_program(root):
    """Load the module at ``root``, run its test phase as iris_unittest does (register row UT5), emit what happened:
    load, exists, test (%Status), runs ("index:suite/case=status;..." of the new ^UnitTest.Result indexes), and
    c0..c3 (defined and compiled, "11"/"10"/"00", of each class of IPMT_CLASSES)."""
    p = Program()
    p.line('set before=$order(^UnitTest.Result(""),-1)')
    p.line("set sc=##class(%%IPM.Main).Shell(%s)" % os_literal("load " + root))
    p.emit("load", _status_expr(error_prefix="error: "))
    p.emit("exists", "##class(%%IPM.Storage.Module).NameExists(%s)" % os_literal(IPMT_MODULE))
    p.line("set sc=##class(%%IPM.Main).Shell(%s)" % os_literal("test %s -only -DUnitTest.FailuresAreFatal=0" % IPMT_MODULE))
    p.emit("test", _status_expr(error_prefix="error: "))
    p.line('set i=before,out="" for { set i=$order(^UnitTest.Result(i)) quit:i=""  set su="" for { '
           'set su=$order(^UnitTest.Result(i,su)) quit:su=""  set ca="" for { set ca=$order(^UnitTest.Result(i,su,ca)) '
           'quit:ca=""  set x=$get(^UnitTest.Result(i,su,ca)),out=out_$select(out="":"",1:";")_i_":"_su_"/"_ca_"="_'
           '$select($listvalid(x):$listget(x,1),1:"?") } } }')
    p.emit("runs", "out")
    for n, (cls, path) in enumerate(IPMT_CLASSES):
        p.emit("c%d" % n, "##class(%%Dictionary.ClassDefinition).%%ExistsId(%s)_##class(%%Dictionary.CompiledClass)"
               ".%%ExistsId(%s)" % (os_literal(cls), os_literal(cls)))
    return p


def ipmt_runs(text):
    """"3:s/IrisProbe.IPMT.UdlCase=1;..." -> [(index, suite, case, status)]."""
    runs = []
    for item in filter(None, text.split(";")):
        index, rest = item.split(":", 1) if ":" in item else ("", item)
        name, status = rest.rsplit("=", 1) if "=" in rest else (rest, "")
        suite, case = name.rsplit("/", 1) if "/" in name else ("", name)
        runs.append((index, suite, case, status))
    return runs


def _ipmt(inst, ctx):
    """Runs the probe's IPM module once (rows IPMT7, IPMT3); -> its marks.  A skip or a non-answer (the simulator:
    "not modelled (IPMT7)") is kept and raised again for the other row."""
    if "ipmt" not in ctx:
        try:
            _ipm(inst, ctx)
            root = "/tmp/iris-probe-ipmt-%s/" % secrets.token_hex(3)
            for path, text in ipmt_files().items():
                _write_file(inst, root + path, text)
            try:
                res = inst.run(ipmt_program(root), timeout=600)
            finally:
                cleanup = Program()
                cleanup.line("set sc=##class(%%IPM.Main).Shell(%s)" % os_literal("uninstall " + IPMT_MODULE))
                cleanup.line("set sc=$SYSTEM.OBJ.Delete(%s,\"-d\")" % os_literal(",".join(entry[0] for entry in IPMT_CLASSES)))
                inst.run(cleanup, timeout=300)
                inst.shell(["rm", "-rf", root])
            load, test = res.need("load", "test")
            res.need("exists")
            if says_not_modelled(load + " " + test):
                raise NoAnswer(res, ["the test phase (%s)" % (test if test != "1" else load)[:300]])
            res.need("runs", "c0", "c1", "c2", "c3")
            ctx["ipmt"] = res.marks
        except (Skip, NoAnswer) as exc:
            ctx["ipmt"] = exc
    if isinstance(ctx["ipmt"], Exception):
        raise ctx["ipmt"]
    return ctx["ipmt"]


def _ipmt_ran(runs, cls):
    return any(run[2] == cls for run in runs)


@probe("IPMT7", "IPM test phase of a module (UnitTest Name=/tests/ Package=IrisProbe.IPMT): zpm load, then Shell(\"test "
       "<module> -only -DUnitTest.FailuresAreFatal=0\"), new ^UnitTest.Result indexes; does LoadDir(dir,\"k/nodisplay\") "
       "load UDL .cls, does the root IrisProbe\\IPMT resolve on Unix", "either (recorded: the answer is the fact)",
       tolerant=True)
def p_ipmt7(inst, ctx):
    marks = _ipmt(inst, ctx)
    runs = ipmt_runs(marks["runs"])
    classes = ", ".join("%s %s" % (cls.rsplit(".", 1)[1], marks["c%d" % n]) for n, (cls, path) in enumerate(IPMT_CLASSES))
    udl = "yes" if marks["c2"].startswith("1") else "no"
    root = "yes" if any(_ipmt_ran(runs, cls) for cls, path in IPMT_CLASSES if "/IrisProbe/IPMT/" in path) else "no"
    return ("load %s; module installed %s; test %s; new indexes %s; ran %s; classes after (defined/compiled): %s; "
            "LoadDir loads UDL .cls: %s; the RunTest root resolves: %s"
            % (marks["load"][:80], marks["exists"], marks["test"][:120], ",".join(sorted({r[0] for r in runs})) or "none",
               "; ".join("%s/%s=%s" % r[1:] for r in runs) or "nothing", classes, udl, root)), True


@probe("IPMT3", "IPM test phase: classes of Package=IrisProbe.IPMT under <Name>/IrisProbe/IPMT/ run; the same package's "
       "classes under <Name>/Other/ are loaded and compiled but not run", "IrisProbe.IPMT.XmlCase ran; OutsideXml "
       "compiled, not run; OutsideUdl not run")
def p_ipmt3(inst, ctx):
    marks = _ipmt(inst, ctx)
    runs = ipmt_runs(marks["runs"])
    got = {cls.rsplit(".", 1)[1]: _ipmt_ran(runs, cls) for cls, path in IPMT_CLASSES}
    text = "ran: %s; OutsideXml defined/compiled %s" % (", ".join(k for k, v in got.items() if v) or "none", marks["c3"])
    return text, got["XmlCase"] and marks["c3"] == "11" and not got["OutsideXml"] and not got["OutsideUdl"]


@probe("IPMT8", "IPM test phase: the suite subscript RunTest(\"\") records under ^UnitTestRoot=<Name>/IrisProbe/IPMT/ "
       "(the simulator records the ^UnitTestRoot value)", "either (recorded: the answer is the fact)", tolerant=True)
def p_ipmt8(inst, ctx):
    runs = ipmt_runs(_ipmt(inst, ctx)["runs"])
    return "suites: %s" % ("; ".join(sorted({run[1] for run in runs})) or "none"), True


# ---- the native runner (intersystems-irispython over the published superserver port) ----

NR_CLASS = "IrisProbe.NativeV1"


def nr_ddl(cls=NR_CLASS):
    """The probe's own runner method (an equivalent of the collection's, not imported): each line of ``prog`` runs
    with XECUTE in namespace ``ns`` after NEW $NAMESPACE; the result is the value of the local ``out``; then
    argumentless LOCK and TROLLBACK:$TLEVEL (iris-sources.md RSQLMETH, RCOSNS, LOCK)."""
    # No colon in the text: the client reads ":1" as a named parameter ("Parameter Name error").
    return ("CREATE METHOD Run(IN prog VARCHAR(32000), IN ns VARCHAR(64)) RETURNS VARCHAR(32000) FOR %s "
            "LANGUAGE OBJECTSCRIPT\n{\n new $NAMESPACE\n set $NAMESPACE=ns\n"
            " set n=$length(prog,$char(10)),i=0\n while i<n { set i=i+1 xecute $piece(prog,$char(10),i) }\n"
            " set r=$get(@\"out\")\n lock\n if $TLEVEL { trollback }\n quit r\n}" % cls)


def nr_where_ddl(cls=NR_CLASS):
    return "CREATE METHOD Where() RETURNS VARCHAR(64) FOR %s LANGUAGE OBJECTSCRIPT\n{\n quit $NAMESPACE\n}" % cls


def sqlcode_of(text):
    """The SQLCODE in a DB-API error text ("[SQLCODE: <-361>:..." -> -361), or None."""
    match = re.search(r"SQLCODE:?\s*<?(-?\d+)>?", text)
    return int(match.group(1)) if match else None


def _native(inst, ctx):
    """(connection, IRIS object) of the client on the published port; Skip when the client is missing."""
    if "native" in ctx:
        if isinstance(ctx["native"], Exception):
            raise ctx["native"]
        return ctx["native"]
    try:
        import iris  # pylint: disable=import-outside-toplevel
    except ImportError:
        ctx["native"] = Skip(NO_CLIENT)
        raise ctx["native"] from None
    if not inst.native_port:
        ctx["native"] = RuntimeError("port 1972 is not published")
        raise ctx["native"]
    try:
        conn = iris.connect("127.0.0.1", int(inst.native_port), "USER", "_SYSTEM", inst.password)
    except Exception as exc:  # pylint: disable=broad-except
        ctx["native"] = NoAnswer(Result(str(exc), {}, parse_errors(str(exc)), None), ["native connect"])
        raise ctx["native"] from None
    ctx["native"] = (conn, iris.createIRIS(conn))
    return ctx["native"]


def _native_fail(exc, what):
    text = str(exc)
    return NoAnswer(Result(text, {}, parse_errors(text) or [e for e in _MISSING if e in text], None), [what])


def _sql(conn, statement):
    """-> None or the error text."""
    cur = conn.cursor()
    try:
        cur.execute(statement)
        return None
    except Exception as exc:  # pylint: disable=broad-except
        return str(exc)
    finally:
        cur.close()


@probe("NR1", "CREATE METHOD ... FOR IrisProbe.NativeV1 LANGUAGE OBJECTSCRIPT over DB-API, twice",
       "first succeeds; the second fails with SQLCODE -361")
def p_nr1(inst, ctx):
    conn, dummy = _native(inst, ctx)
    first = _sql(conn, nr_ddl())
    if first is not None and says_not_modelled(first):
        raise _native_fail(first, "CREATE METHOD")
    where = _sql(conn, nr_where_ddl())
    second = _sql(conn, nr_ddl())
    ctx["nr_created"] = first is None
    texts = ("ok" if first is None else first[:100], "ok" if where is None else where[:80],
             "ok (no error)" if second is None else second[:120])
    return "first %s; Where() %s; second: %s" % texts, \
        first is None and second is not None and sqlcode_of(second) == -361


def _call(irs, method, *args):
    """-> (the method's string, None) or (None, the error text); an image that does not model something in the
    program raises NoAnswer (on the simulator: skipped)."""
    try:
        return str(irs.classMethodValue(NR_CLASS, method, *args)), None
    except Exception as exc:  # pylint: disable=broad-except
        if "not modelled" in str(exc).lower():
            raise _native_fail(exc, "%s.%s" % (NR_CLASS, method)) from None
        return None, str(exc)


def _err_text(err):
    return (" error " + err[:80]) if err else ""


def _runner(inst, ctx):
    """-> (DB-API connection, Native API object) once row NR1 has created the runner class."""
    connected = _native(inst, ctx)
    if not ctx.get("nr_created"):
        raise RuntimeError("row NR1 did not create the runner")
    return connected


@probe("NR2", "classMethodValue of the runner; of a missing method; of a missing class",
       "the method's string; <METHOD DOES NOT EXIST>; <CLASS DOES NOT EXIST>")
def p_nr2(inst, ctx):
    conn, irs = _runner(inst, ctx)
    got, err = _call(irs, "Run", 'set out="hello"', "USER")
    nomethod = _call(irs, "NoSuchMethod")[1] or "(no error)"
    try:
        irs.classMethodValue("IrisProbe.NoSuchClass", "Run")
        noclass = "(no error)"
    except Exception as exc:  # pylint: disable=broad-except
        noclass = str(exc)
    good = got == "hello" and "METHOD DOES NOT EXIST" in nomethod and "CLASS DOES NOT EXIST" in noclass
    return "Run %r%s; missing method: %s; missing class: %s" % (got, _err_text(err), nomethod[:80],
                                                                noclass[:80]), good


@probe("NR4", "SET $NAMESPACE in one XECUTE holds for the next; after the call (NEW $NAMESPACE) the namespace is back",
       "%SYS inside; USER after")
def p_nr4(inst, ctx):
    conn, irs = _runner(inst, ctx)
    inside, err = _call(irs, "Run", 'set $NAMESPACE="%SYS"\nset out=$NAMESPACE', "USER")
    after, err2 = _call(irs, "Where")
    return "inside %r; after %r%s" % (inside, after, (" errors: %s %s" % (err, err2)) if err or err2 else ""), \
        inside == "%SYS" and after == "USER"


def _lock_free_and_global(inst):
    """From another session in %SYS: (whether ^IrisProbeL can be locked at once, $DATA(^IrisProbeT))."""
    p = Program()
    # Another process: the lock can be taken at once (timeout 0) only if the runner released it.
    p.line("lock +^IrisProbeL:0 set free=$TEST lock:free -^IrisProbeL")
    p.emit("lock", "free").emit("set", "$data(^IrisProbeT)")
    return inst.run(p).need("lock", "set")


def _run_then_look(inst, ctx, program):
    """Run ``program`` in the runner, then look from another session: (result, error, lock free, $DATA(^IrisProbeT)).
    In %SYS: the simulator models LOCK there only (lock names by mapped database)."""
    conn, irs = _runner(inst, ctx)
    got, err = _call(irs, "Run", program, "%SYS")
    lock, setv = _lock_free_and_global(inst)
    return got, err, lock, setv


@probe("NR6-lock", "argumentless LOCK at the end of the runner releases a lock the program took",
       "another process can take the lock at once")
def p_nr6_lock(inst, ctx):
    got, err, lock, dummy = _run_then_look(inst, ctx, "lock +^IrisProbeL:5\nset out=$TEST")
    return "lock taken in the program %r%s; free after the call %s" % (got, _err_text(err), lock), got == "1" and lock == "1"


@probe("NR6", "TROLLBACK (when $TLEVEL) at the end of the runner ends a transaction the program left open",
       "the open transaction's SET is rolled back; its lock released")
def p_nr6(inst, ctx):
    program = "kill ^IrisProbeT\nlock +^IrisProbeL:5\ntstart\nset ^IrisProbeT=1\nset out=$TLEVEL"
    got, err, lock, setv = _run_then_look(inst, ctx, program)
    return "$TLEVEL in the program %r%s; lock free after %s; ^IrisProbeT after %s" % (got, _err_text(err), lock, setv), \
        got == "1" and lock == "1" and setv == "0"


@probe("NR7", "DROP METHOD of every method of IrisProbe.NativeV1", "each DROP succeeds; the empty class is deleted")
def p_nr7(inst, ctx):
    conn, irs = _runner(inst, ctx)
    errors = [e for e in (_sql(conn, "DROP METHOD Run FROM %s" % NR_CLASS), _sql(conn, "DROP METHOD Where FROM %s" % NR_CLASS)) if e]
    p = Program().line(try_expr_line("v", '$classmethod("%s","Where")' % NR_CLASS)).emit("left", "v")
    (left,) = inst.run(p, namespace="USER").need("left")
    return "DROP %s; calling the class after: %r" % ("ok" if not errors else "; ".join(e[:80] for e in errors), left), \
        not errors and "CLASS DOES NOT EXIST" in left


def _native_stream(inst, ctx):
    if "nf_native" not in ctx:
        conn, irs = _native(inst, ctx)
        path = "/tmp/iris-probe-nfn-%s.bin" % secrets.token_hex(3)
        out = {}
        try:
            s = irs.classMethodObject("%Stream.FileBinary", "%New")
            out["link"] = str(s.invoke("LinkToFile", path))
            out["write"] = str(s.invoke("Write", STREAM_DATA))
            out["save"] = str(s.invoke("%Save"))
            out["size"] = str(s.get("Size"))
            s.invoke("Rewind")
            out["read"] = bytes(s.invokeBytes("Read", len(STREAM_DATA) + 10))
            out["hash"] = bytes(irs.classMethodBytes("%SYSTEM.Encryption", "SHAHashStream", 256, s))
        except Exception as exc:  # pylint: disable=broad-except
            out["error"] = str(exc)
        ctx["nf_native"] = out
    return ctx["nf_native"]


@probe("NF1-native", "the NF1 calls through the Native API (classMethodObject, invoke, invokeBytes; bytes written)",
       "each %Status 1; Size = bytes written; invokeBytes(Read) gives them back")
def p_nf1_native(inst, ctx):
    out = _native_stream(inst, ctx)
    if "error" in out and says_not_modelled(out["error"]):
        raise _native_fail(out["error"], "stream")
    got = tuple(out.get(k) for k in ("link", "write", "save", "size"))
    same = out.get("read") == STREAM_DATA
    return "LinkToFile/Write/%%Save/Size %s; Read equal %s%s" % ("/".join(map(str, got)), same,
                                                                 (" error " + out["error"][:100]) if "error" in out else ""), \
        got == ("1", "1", "1", str(len(STREAM_DATA))) and same


@probe("NF2-native", "classMethodBytes(%SYSTEM.Encryption, SHAHashStream, 256, stream) over the Native API",
       "32 bytes: the SHA-256 of the bytes written")
def p_nf2_native(inst, ctx):
    out = _native_stream(inst, ctx)
    if "hash" not in out:
        if says_not_modelled(out.get("error", "")):
            raise _native_fail(out["error"], "SHAHashStream")
        return "no hash: %s" % out.get("error", "?")[:120], False
    want = hashlib.sha256(STREAM_DATA).digest()
    return "%s (%s)" % (out["hash"].hex(), "matches" if out["hash"] == want else "expected " + want.hex()), out["hash"] == want


# ----------------------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------------------

def run_probes(inst, probes=None, ctx=None):
    rows, ctx = [], (ctx if ctx is not None else {})
    for template, func, sim_required in (probes if probes is not None else PROBES):
        row = dataclasses.replace(template)
        try:
            observed, good = func(inst, ctx)
            row.observed, row.status = observed, verdict(good, row.tolerant)
        except Skip as exc:
            row.observed, row.status = "-", str(exc)
        except NoAnswer as exc:
            if inst.is_sim and not sim_required and says_not_modelled(exc.result.output + " " + " ".join("<%s>" % e for e in exc.result.errors)):
                row.observed, row.status = "%s" % exc, SKIP_SIM
            else:
                row.observed, row.status = "%s" % exc, FAIL
        except Exception as exc:  # pylint: disable=broad-except
            row.observed, row.status = "probe error: %s: %s" % (type(exc).__name__, exc), FAIL
        rows.append(row)
        print("  %-11s %-34s %s" % (row.key, row.status, row.observed[:120]), file=sys.stderr, flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("image")
    parser.add_argument("--out-dir", default=os.path.join(os.environ.get("WORK", "/tmp/iris-devtools"), "probe"))
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("IRIS_PROBE_TIMEOUT", "300")))
    parser.add_argument("--ipm-installer", metavar="FILE", help="an IPM installer (.xml) for the rows IPM2/IPM5/IPMT7/IPMT3 "
                        "(without it they are skipped)")
    args = parser.parse_args(argv)
    if args.ipm_installer and not os.path.isfile(args.ipm_installer):
        parser.error("--ipm-installer %s is not a file. Fix: give the path of an IPM installer .xml" % args.ipm_installer)
    import docker  # the Docker SDK of the venv; imported here so the unit tests do not need it
    import signal

    def stop(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, stop)
    client = docker.from_env()
    inst = Instance(client, args.image, args.timeout)
    meta = {"image": args.image, "image_id": inst.image_id, "simulator": inst.is_sim,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "probe_version": 1}
    print("probe: starting %s as %s (waiting up to %d s for '%s')" % (args.image, inst.name, args.timeout, LOGONS), file=sys.stderr)
    try:
        try:
            inst.start()
            res = inst.run(Program().emit("zv", "$ZVERSION"))
            meta["zversion"] = res.marks.get("zv", "(no answer: %s)" % res.output.strip()[-200:])
            rows = run_probes(inst, ctx={"ipm_installer": args.ipm_installer})
        except Exception as exc:  # pylint: disable=broad-except
            rows = [Row("start", "the image starts with --password-file and logs '%s'" % LOGONS, "started",
                        "%s: %s" % (type(exc).__name__, exc), FAIL)]
    finally:
        inst.remove()
    os.makedirs(args.out_dir, exist_ok=True)
    base = os.path.join(args.out_dir, "iris-probe-%s-%s" % (slug(args.image), meta["date"][:10]))
    with open(base + ".md", "w", encoding="utf-8") as fh:
        fh.write(render_markdown(rows, meta))
    with open(base + ".json", "w", encoding="utf-8") as fh:
        fh.write(render_json(rows, meta))
    print(render_markdown(rows, meta))
    print("probe table: %s.md (and .json)" % base)
    return exit_code(rows)


if __name__ == "__main__":
    sys.exit(main())
