# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test sessions of iris_devtools.iris (run them through ``tools/run <session>``, which bootstraps first).

Why custom sessions and not antsibull-nox's: antsibull-nox 1.10.0 hard-codes ``--docker`` in its
ansible-test sanity and units sessions (antsibull_nox/sessions/ansible_test.py, the sanity and units
session builders; iris-sources.md TOOLCHAIN §3.5), and no container registry is reachable here; its other sessions
install the collection's dependencies with ``ansible-galaxy`` from Galaxy, which is unreachable too
(iris-sources.md TOOLCHAIN §1.3 item 3). So every session runs ansible-test ``--local`` in the venvs below, which
take the collections from the ``ansible`` wheel on PyPI. The sessions keep the ecosystem's shape
(one session per suite, one constraints file) and its names where they match (sanity, units, lint).

Venvs (under $WORK, shared by every checkout; each rebuilt only when its inputs change, so an unchanged
setup takes about 2 s): venv (Python 3.11, ansible-core 2.19, test deps and tools), venv-2.21 (Python
3.12, ansible-core 2.21, test deps), venv-importer (galaxy-importer alone: it pins attrs<24, which breaks
nox: iris-sources.md TOOLCHAIN §1.3 item 1), venv-ee (ansible-core, ansible-runner, ansible-builder and only
meta/ee-requirements.txt: what an execution environment holds). Pins: tests/constraints.txt, for all.

Environment: WORK (default /tmp/iris-devtools), SYNC_ROOT (where the synced ansible_collections/ copy
lives; default $WORK), IRIS_IMAGE (the demo's image), IRIS_TEST_IMAGE (integration, molecule, probe, ee;
default: the simulator image), SKIP_221=1 (skip the ansible-core 2.21 / Python 3.12 legs).
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

import nox
from packaging.requirements import Requirement

nox.options.default_venv_backend = "none"  # the venvs are ours (see above): nox runs the commands
nox.options.sessions = ["test"]

REPO = os.path.dirname(os.path.abspath(__file__))
WORK = os.environ.get("WORK") or "/tmp/iris-devtools"
SYNC_ROOT = os.environ.get("SYNC_ROOT") or WORK
COLL = os.path.join(SYNC_ROOT, "ansible_collections", "iris_devtools", "iris")
CONSTRAINTS = os.path.join(REPO, "tests", "constraints.txt")
UNIT_REQS = os.path.join(REPO, "tests", "unit", "requirements.txt")
EE_REQS = os.path.join(REPO, "meta", "ee-requirements.txt")
VENV = os.path.join(WORK, "venv")
VENV221 = os.path.join(WORK, "venv-2.21")
VENVIMP = os.path.join(WORK, "venv-importer")
VENVEE = os.path.join(WORK, "venv-ee")
SIM_IMAGE_NAME = "iris-devtools/iris-sim"
TEST_PKGS = ["ansible-core", "docker", "jmespath", "intersystems-irispython", "pytest", "pytest-xdist", "pytest-mock",
             "hypothesis", "tree-sitter", "tree-sitter-objectscript"]
TOOL_PKGS = ["ansible-lint", "antsibull-docs", "antsibull-changelog", "molecule", "molecule-plugins[docker]", "reuse"]
SUITES = ["setup", "sanity", "units", "simulator", "lint", "integration", "probe", "molecule", "ee"]

os.environ["ANSIBLE_COLLECTIONS_PATH"] = f"{WORK}/collections:{SYNC_ROOT}"
if os.environ.get("CI") or not sys.stderr.isatty():
    os.environ.update(ANSIBLE_NOCOLOR="1", NO_COLOR="1", PY_COLORS="0")  # no ANSI colours in CI logs
os.environ.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")


def log(msg):
    print(f"[nox] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- helpers

def pin(name, python_version="3.11"):
    """The version tests/constraints.txt pins for NAME under that Python (markers evaluated)."""
    with open(CONSTRAINTS, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            req = Requirement(line)
            if req.name == name and (req.marker is None or req.marker.evaluate({"python_version": python_version})):
                return str(req.specifier).lstrip("=")
    raise ValueError(f"{name} is not pinned in {CONSTRAINTS}")


def find_python(version):
    """A working interpreter (pyenv shims fail for non-global versions: iris-sources.md TOOLCHAIN §5.3), or None."""
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for cand in [f"python{version}", *sorted(glob.glob(f"{root}/versions/{version}.*/bin/python{version}")),
                 f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]:
        exe = shutil.which(cand)
        if exe and subprocess.run([exe, "-c", "import venv"], capture_output=True, check=False).returncode == 0:
            return exe
    return None


def quiet(cmd, **kwargs):
    """Run CMD; show its output without the "Location ... is ignored" noise of a machine-wide pip.conf."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs, check=False)
    out = [ln for ln in proc.stdout.splitlines() if ln and "is ignored: it is neither a file nor a directory" not in ln]
    if out:
        print("\n".join(out), file=sys.stderr)
    if proc.returncode:
        raise nox.command.CommandFailed(f"{cmd[0]} exited {proc.returncode}")


def venv_ensure(path, python, pkgs, req_files=()):
    """(Re)create the venv PATH with PKGS (+ -r REQ_FILES), all under tests/constraints.txt, unless its stamp
    (interpreter, packages, content of the constraints and requirement files) says it is up to date."""
    digest = hashlib.sha256(subprocess.run([python, "-V"], capture_output=True, text=True, check=False).stdout.encode())
    # Requirement files by their path in the repository: every checkout shares the venvs under WORK, so an absolute
    # path (/work/a/... vs /work/b/...) made each checkout rebuild the venv under the others' running sessions.
    for item in [*pkgs, *(os.path.relpath(fname, REPO) for fname in req_files)]:
        digest.update(item.encode())
    for fname in [CONSTRAINTS, *req_files]:  # their requirement lines: editing a comment rebuilds nothing
        with open(fname, encoding="utf-8") as f:
            digest.update("\n".join(ln.split("#", 1)[0].strip() for ln in f).encode())
    stamp, stamp_file = digest.hexdigest()[:16], os.path.join(path, ".stamp")
    if os.path.isfile(stamp_file) and open(stamp_file).read().strip() == stamp and os.access(f"{path}/bin/python", os.X_OK):
        return
    log(f"venv {path} ({python}): installing {len(pkgs)} packages{' + ' if req_files else ''}{' '.join(req_files)}")
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run([python, "-m", "venv", path], check=True)
    quiet([f"{path}/bin/pip", "install", "-q", "-c", CONSTRAINTS, "-U", "pip"])
    reqs = [arg for fname in req_files for arg in ("-r", fname)]
    quiet([f"{path}/bin/pip", "install", "-q", "-c", CONSTRAINTS, *pkgs, *reqs])
    with open(stamp_file, "w") as f:
        f.write(stamp + "\n")


def have_221():
    return os.environ.get("SKIP_221", "0") != "1" and os.access(f"{VENV221}/bin/ansible-test", os.X_OK)


def sim_version():
    with open(os.path.join(REPO, "tests", "simulator", "VERSION")) as f:
        return f.read().strip()


def test_image():
    return os.environ.get("IRIS_TEST_IMAGE") or f"{SIM_IMAGE_NAME}:{sim_version()}"


def image_exists(image):
    return subprocess.run(["docker", "image", "inspect", image], capture_output=True, check=False).returncode == 0


def in_venv(venv, extra=None):
    """Environment for a command run with VENV first on PATH (molecule needs its venv activated: iris-sources.md TOOLCHAIN §1.3)."""
    env = {"PATH": f"{venv}/bin:{os.environ['PATH']}", "VIRTUAL_ENV": venv}
    env.update(extra or {})
    return env


def run(session, venv, *cmd, cwd=None, env=None, ok=(0,), **kwargs):
    """session.run with VENV on PATH, in CWD (default: the synced copy); raises CommandFailed unless the exit code is in OK."""
    if "/" not in cmd[0] and os.access(f"{venv}/bin/{cmd[0]}", os.X_OK):
        cmd = (f"{venv}/bin/{cmd[0]}", *cmd[1:])  # nox looks programs up in its own PATH, not in env's
    with session.chdir(cwd or COLL):
        session.run(*cmd, env=in_venv(venv, env), external=True, success_codes=list(ok), **kwargs)


def check(session, failures, label, venv, *cmd, **kwargs):
    """Run one check of a suite; a failure is recorded and the suite goes on."""
    session.log(label)
    try:
        run(session, venv, *cmd, **kwargs)
    except nox.command.CommandFailed:
        failures.append(label)


def finish(session, failures):
    if failures:
        session.error("failed: " + "; ".join(failures))


# ---------------------------------------------------------------------------------------------- setup steps

def setup_venvs(full=True):
    py311 = find_python("3.11")
    if not py311:
        raise nox.command.CommandFailed("python3.11 not found (tools/bootstrap checks for it)")
    venv_ensure(VENV, py311, TEST_PKGS + TOOL_PKGS, [UNIT_REQS])
    py312 = find_python("3.12")
    # The 2.21 legs of units and sanity run whenever that venv exists: keep it in step with the requirements as well
    # (a stale one skipped the tests of a newly required package).
    if os.environ.get("SKIP_221", "0") != "1" and py312 and (full or os.path.isdir(VENV221)):
        venv_ensure(VENV221, py312, TEST_PKGS, [UNIT_REQS])
    elif full:
        log("python3.12 not found (or SKIP_221=1): skipping the ansible-core 2.21 legs")
    if not full:
        return
    venv_ensure(VENVIMP, py311, ["galaxy-importer", "ansible-core"])
    venv_ensure(VENVEE, py311, ["ansible-core", "ansible-builder", "ansible-runner"], [EE_REQS])


def setup_collections():
    """community.docker, ansible.posix, community.general (+ its filter dependency) from the `ansible` wheel
    on PyPI: Galaxy is unreachable (iris-sources.md TOOLCHAIN §1.3 item 3)."""
    version = pin("ansible")
    dest, wheels = f"{WORK}/collections", f"{WORK}/wheels"
    whl = f"{wheels}/ansible-{version}-py3-none-any.whl"
    if not os.path.isfile(f"{dest}/.stamp-{version}"):
        log(f"extracting community.docker, ansible.posix, community.general from ansible=={version}")
        if not os.path.isfile(whl):
            quiet([f"{VENV}/bin/pip", "download", "-q", "--no-deps", f"ansible=={version}", "-d", wheels])
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest)
        subprocess.run([f"{VENV}/bin/python", "-c", """if 1:
            import sys, zipfile
            want = ('community/docker/', 'community/library_inventory_filtering_v1/', 'ansible/posix/', 'community/general/')
            with zipfile.ZipFile(sys.argv[1]) as z:
                z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith('ansible_collections/')
                                           and n[len('ansible_collections/'):].startswith(want)])
            """, whl, dest], check=True)
        open(f"{dest}/.stamp-{version}", "w").close()
    # ansible-test sets ANSIBLE_COLLECTIONS_PATH to the collection root and ignores ours
    # (ansible_test/_internal/ansible_util.py): make the dependencies visible beside the collection too.
    for root in dict.fromkeys([WORK, SYNC_ROOT]):
        os.makedirs(f"{root}/ansible_collections", exist_ok=True)
        for ns in ("community", "ansible"):
            link = f"{root}/ansible_collections/{ns}"
            if not os.path.lexists(link):
                os.symlink(f"{dest}/ansible_collections/{ns}", link)


def sync_tree():
    """ansible-test must run from a path ending in ansible_collections/iris_devtools/iris: keep a synced copy of
    the working tree (with .git, so ansible-test sees the same file list) there."""
    os.makedirs(COLL, exist_ok=True)
    if os.path.realpath(COLL) == os.path.realpath(REPO):
        return
    subprocess.run(["rsync", "-a", "--delete", "--exclude=/tests/output/", "--exclude=/collections/",
                    "--exclude=/.ansible/", "--exclude=__pycache__/", "--exclude=.pytest_cache/",
                    "--exclude=.hypothesis/", "--exclude=/tests/integration/integration_config.yml",
                    "--exclude=/.nox/", f"{REPO}/", f"{COLL}/"], check=True)


def setup_sim_image():
    """The simulator image (tests/simulator/image/build.sh), rebuilt only when its sources changed or it is missing."""
    build = f"{REPO}/tests/simulator/image/build.sh"
    sim = f"{REPO}/tests/simulator"
    digest = hashlib.sha256()
    files = ["VERSION"]
    for top in ("image", "iris_sim"):
        for dirpath, dummy, names in os.walk(f"{sim}/{top}"):
            files += [os.path.relpath(os.path.join(dirpath, n), sim) for n in names
                      if not n.endswith(".pyc") and "__pycache__" not in dirpath]
    files.sort()
    for rel in files:
        with open(os.path.join(sim, rel), "rb") as f:
            digest.update(rel.encode() + b"\0" + hashlib.sha256(f.read()).digest())
    # build.sh reads these pins from the one pins file; another line there does not rebuild the image.
    for name in ("tree-sitter", "tree-sitter-objectscript", "pip"):
        digest.update(pin(name).encode() + b"\0")
    stamp, stamp_file = digest.hexdigest()[:16], f"{WORK}/sim-image.stamp"
    image = f"{SIM_IMAGE_NAME}:{sim_version()}"
    if image_exists(image) and os.path.isfile(stamp_file) and open(stamp_file).read().strip() == stamp:
        return
    log(f"building the simulator image {image}")
    subprocess.run(["bash", build], env={**os.environ, "PYTHON": f"{VENV}/bin/python"}, stdin=subprocess.DEVNULL,
                   stdout=sys.stderr, check=True)
    with open(stamp_file, "w") as f:
        f.write(stamp + "\n")


def prepare(full=False):
    """What a suite needs: the main venv, the collections and a fresh synced copy (each step a no-op when done)."""
    os.makedirs(WORK, exist_ok=True)
    setup_venvs(full)
    setup_collections()
    sync_tree()


# ---------------------------------------------------------------------------------------------- sessions

@nox.session
def setup(session):
    """Install everything (idempotent; about 2 s when done). tools/bootstrap ran before (apt, dockerd, nox)."""
    start = time.monotonic()
    prepare(full=True)
    setup_sim_image()
    session.log(f"setup done in {time.monotonic() - start:.0f}s (WORK={WORK})")


@nox.session
def sync(session):
    """Refresh the ansible_collections/ copy ansible-test runs from."""
    sync_tree()


@nox.session
def env(session):
    """Print the environment to use the toolchain by hand: source <(tools/run env)."""
    print(f"export WORK={WORK}\nexport ANSIBLE_COLLECTIONS_PATH={os.environ['ANSIBLE_COLLECTIONS_PATH']}\n"
          f"export PATH={VENV}/bin:$PATH\n# ansible-test runs in {COLL} (tools/run sync refreshes that copy)")


def ansible_test_matrix(session, command):
    """ansible-test COMMAND --local on core 2.19/Python 3.11, then core 2.21/Python 3.12 (its own controller: with
    --python 3.11, 2.21 would use the bare pyenv 3.11 without pytest-xdist; iris-sources.md TOOLCHAIN §3.2)."""
    prepare()
    failures = []
    legs = [(VENV, pin("ansible-core"), "3.11")]
    if have_221():
        legs.append((VENV221, pin("ansible-core", "3.12"), "3.12"))
    for venv, core, py in legs:
        check(session, failures, f"ansible-test {command}: ansible-core {core}, Python {py}", venv,
              "ansible-test", command, "--python", py, "--local", "--color", "no", *session.posargs)
    finish(session, failures)


@nox.session
def sanity(session):
    """ansible-test sanity --local (never --docker): core 2.19 on Python 3.11, core 2.21 on Python 3.12, and the
    compile and import tests of the module code on Python 3.8 (the oldest target Python of the support policy)."""
    try:
        ansible_test_matrix(session, "sanity")
    finally:
        sanity_oldest_target(session)


def sanity_oldest_target(session):
    """Module code runs on the managed host on Python 3.8+ (tests/config.yml: python_requires default). ansible-test
    looks python3.8 up on PATH, where the pyenv shim fails for non-global versions (iris-sources.md TOOLCHAIN §5.3): a directory
    with a link to the real interpreter goes first."""
    py38 = find_python("3.8")
    if not py38 or session.posargs:
        session.log("python3.8 not found (or tests named): no compile/import test on Python 3.8")
        return
    pybin = f"{WORK}/pybin"
    os.makedirs(pybin, exist_ok=True)
    if os.path.realpath(f"{pybin}/python3.8") != os.path.realpath(py38):
        if os.path.lexists(f"{pybin}/python3.8"):
            os.remove(f"{pybin}/python3.8")
        os.symlink(os.path.realpath(py38), f"{pybin}/python3.8")
    session.log(f"ansible-test sanity --test compile --test import: ansible-core {pin('ansible-core')}, Python 3.8")
    run(session, VENV, "ansible-test", "sanity", "--test", "compile", "--test", "import", "--python", "3.8", "--local",
        "--color", "no", env={"PATH": f"{VENV}/bin:{pybin}:{os.environ['PATH']}"})


@nox.session
def units(session):
    """ansible-test units --local, same matrix."""
    ansible_test_matrix(session, "units")


@nox.session
def simulator(session):
    """The simulator's pytest suite (tests/simulator/tests) and tests/simulator/smoke.sh."""
    prepare()
    failures = []
    # Never plain pytest in the repo root (iris-sources.md TOOLCHAIN §3.3): run from tests/simulator, no cache dir; 5 = no tests.
    check(session, failures, "pytest tests/simulator/tests", VENV, "pytest", "-q", "-p", "no:cacheprovider",
          "-n", "auto", "tests", cwd=f"{REPO}/tests/simulator", ok=(0, 5))
    check(session, failures, "tests/simulator/smoke.sh", VENV, "bash", f"{REPO}/tests/simulator/smoke.sh", cwd=REPO)
    finish(session, failures)


@nox.session
def lint(session):
    """ansible-lint (production), antsibull-docs, ansible-doc, antsibull-changelog, shellcheck, reuse,
    tools/check_role_specs.py, tools/check_citations.py, the rendered docs and release notes, galaxy build + importer."""
    prepare(full=True)
    failures = []
    # The three extension-less scripts and every *.sh of the repository (image scripts, test helpers).
    shell = [f"{REPO}/tools/run", f"{REPO}/tools/bootstrap", f"{REPO}/.ci/run"] + sorted(
        path for path in glob.glob(f"{REPO}/**/*.sh", recursive=True) if "/." not in path[len(REPO):])
    check(session, failures, "shellcheck tools/run tools/bootstrap .ci/run **/*.sh", VENV, "shellcheck", *shell)
    check(session, failures, "tools/check_role_specs.py (meta/argument_specs.yml of every role == its defaults/main.yml)",
          VENV, "python", f"{REPO}/tools/check_role_specs.py", f"{COLL}/roles")
    check(session, failures, "pytest tests/tools (check_citations' own tests)", VENV, "pytest", "-q", "-p",
          "no:cacheprovider", "test_check_citations.py", cwd=f"{REPO}/tests/tools")
    check(session, failures, "tools/check_citations.py (cited keys are in docs/iris-sources.md; nothing outside "
          "the repo is cited)", VENV, "python", f"{REPO}/tools/check_citations.py", REPO)
    check(session, failures, "reuse lint (every file has its licence: SPDX header or REUSE.toml)", VENV, "reuse", "lint", "--lines")
    check(session, failures, "ansible-lint (profile production, offline)", VENV, "ansible-lint")
    check(session, failures, "antsibull-docs lint-collection-docs", VENV, "antsibull-docs", "lint-collection-docs",
          "--plugin-docs", "--check-extra-docs-refs", "--validate-collection-refs", "self", ".")
    session.log("ansible-doc renders every module and role (no error, no warning)")
    for path in sorted(glob.glob(f"{COLL}/plugins/modules/*.py") + glob.glob(f"{COLL}/roles/*/")):
        kind = "module" if "/plugins/modules/" in path else "role"
        name = os.path.basename(path.rstrip("/")).removesuffix(".py")
        if name == "__init__":
            continue
        proc = subprocess.run(["ansible-doc", "-t", kind, f"iris_devtools.iris.{name}"], cwd=COLL, env={**os.environ,
                              **in_venv(VENV)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        if proc.returncode or proc.stderr.strip():
            session.warn(f"ERROR: ansible-doc -t {kind} iris_devtools.iris.{name}: {proc.stderr.strip() or 'failed'}")
            failures.append(f"ansible-doc {name}")
    check(session, failures, "antsibull-changelog lint", VENV, "antsibull-changelog", "lint")
    lint_render(session, failures)
    lint_import(session, failures)
    # ansible-lint/molecule may install a shadow copy of the collection (iris-sources.md TOOLCHAIN §4.4).
    shutil.rmtree(os.path.expanduser("~/.ansible/collections/ansible_collections/iris_devtools"), ignore_errors=True)
    finish(session, failures)


def galaxy_version():
    with open(f"{REPO}/galaxy.yml", encoding="utf-8") as f:
        return re.search(r"^version:\s*(\S+)", f.read(), re.M).group(1)


def lint_render(session, failures):
    """Render what users read: the docs as antsibull-docs builds them for the docsite, and the release notes
    generated from the fragments (in a scratch copy: no release is made here)."""
    out = f"{SYNC_ROOT}/render"
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(f"{out}/docs")
    check(session, failures, f"antsibull-docs collection (render the docs: {out}/docs)", VENV, "antsibull-docs",
          "collection", "--use-current", "--squash-hierarchy", "--dest-dir", f"{out}/docs", "iris_devtools.iris",
          silent=True)
    guide = f"{out}/docs/docsite/scenario_guide.rst"
    if not (os.path.isfile(guide) and os.path.getsize(guide)) or not glob.glob(f"{out}/docs/**/*_module.rst", recursive=True):
        session.warn("ERROR: antsibull-docs rendered no module page or no scenario guide")
        failures.append("antsibull-docs collection")
    subprocess.run(["rsync", "-a", "--exclude=/tests/", "--exclude=/.git/", f"{COLL}/", f"{out}/changelog/"], check=True)
    check(session, failures, "antsibull-changelog release (scratch copy: the release notes render from the fragments)",
          VENV, "sh", "-c", f"antsibull-changelog release --version {galaxy_version()} >/dev/null 2>&1",
          cwd=f"{out}/changelog")
    try:
        with open(f"{out}/changelog/CHANGELOG.md", encoding="utf-8") as f:
            notes = f.read()
    except OSError:
        notes = ""
    for needle in ("Release Summary", "New Modules", "New Roles"):
        if needle not in notes:
            session.warn(f"ERROR: the release notes have no '{needle}' section ({out}/changelog/CHANGELOG.md)")
            failures.append(f"release notes: {needle}")


def lint_import(session, failures):
    """ansible-galaxy collection build, then galaxy-importer (its ansible-test needs a registry: off; iris-sources.md TOOLCHAIN §3.5)."""
    out, cfg = f"{WORK}/build", f"{WORK}/galaxy-importer.cfg"
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    check(session, failures, "ansible-galaxy collection build", VENV, "ansible-galaxy", "collection", "build",
          "--force", "--output-path", out, silent=True)
    tarballs = glob.glob(f"{out}/iris_devtools-iris-*.tar.gz")
    if not tarballs:
        return
    with open(cfg, "w") as f:
        f.write("[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nANSIBLE_TEST_LOCAL_IMAGE = False\nRUN_ANSIBLE_LINT = True\n")
    session.log(f"galaxy-importer {os.path.basename(tarballs[0])}")
    proc = subprocess.run([f"{VENVIMP}/bin/python", "-m", "galaxy_importer.main", tarballs[0]], cwd=out,
                          env={**os.environ, **in_venv(VENVIMP), "GALAXY_IMPORTER_CONFIG": cfg},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    # The empty tests/sanity/ignore-*.txt files are required; the importer only notes them.
    bad = [ln for ln in proc.stdout.splitlines() if re.match(r"(ERROR|WARNING)", ln)
           and not re.search(r"Ignore files skip ansible-test sanity tests, found ignore-2\.[0-9]*\.txt with 0 statement", ln)]
    if proc.returncode or bad:
        print(proc.stdout, file=sys.stderr)
        failures.append("galaxy-importer")
    else:
        print("\n".join(proc.stdout.splitlines()[-3:]), file=sys.stderr)


@nox.session
def integration(session):
    """ansible-test integration --local (all targets, or the ones given after --), against IRIS_TEST_IMAGE or the
    simulator image (passed to the targets as iris_test_image through integration_config.yml: ansible-test passes
    no environment to them)."""
    prepare()
    cfg = f"{COLL}/tests/integration/integration_config.yml"
    image = os.environ.get("IRIS_TEST_IMAGE") or ""
    if not image and image_exists(test_image()):
        image = test_image()
    if os.path.exists(cfg):
        os.remove(cfg)
    # A random canary password for the targets that use one (iris_test_canary, e.g. target native's instance and
    # logins): it must appear nowhere in ansible-test's output, as molecule's canary below.
    canary = "Canary-" + os.urandom(12).hex()
    with open(cfg, "w") as f:
        f.write(f'---\niris_test_canary: "{canary}"\n' + (f'iris_test_image: "{image}"\n' if image else ""))
    session.log(f"ansible-test integration --local (image: {image or 'chosen by setup_iris_image'}) "
                f"{' '.join(session.posargs) or 'all targets'}")
    os.makedirs(f"{COLL}/tests/output", exist_ok=True)
    out = f"{COLL}/tests/output/integration.log"
    # --allow-destructive: every target creates containers (alias destructive), which --local skips without it.
    rc = tee([f"{VENV}/bin/ansible-test", "integration", "--python", "3.11", "--local", "--allow-destructive", "--color",
              "no", *session.posargs], out, cwd=COLL, env={**os.environ, **in_venv(VENV)})
    failures = [f"ansible-test integration (exit {rc}; output in {out})"] if rc else []
    with open(out, encoding="utf-8", errors="replace") as f:
        if canary in f.read():
            session.warn(f"ERROR: the canary password (iris_test_canary) appears in the integration output ({out})")
            failures.append("canary integration")
    finish(session, failures)


@nox.session
def molecule(session):
    """molecule test --all of each role with a molecule/ directory (or the roles given after --), against
    IRIS_TEST_IMAGE or the simulator image. Each role gets a random canary password (MOLECULE_IRIS_CANARY, which
    the scenarios pass as the role's password); it must appear nowhere in molecule's output."""
    prepare()
    image = test_image()
    if not image_exists(image):
        session.error(f"image {image} not found: 'tools/run setup' builds the simulator image, or set IRIS_TEST_IMAGE")
    os.makedirs(f"{COLL}/tests/output/molecule", exist_ok=True)
    failures, ran = [], False
    for mdir in sorted(glob.glob(f"{COLL}/roles/*/molecule")):
        role_dir = os.path.dirname(mdir)
        role = os.path.basename(role_dir)
        if session.posargs and role not in session.posargs:
            continue
        ran = True
        canary = "Canary-" + os.urandom(12).hex()
        out = f"{COLL}/tests/output/molecule/{role}.log"
        session.log(f"molecule test --all: role {role} (image {image}; output also in {out})")
        rc = tee(["molecule", "test", "--all"], out, cwd=role_dir,
                 env={**os.environ, **in_venv(VENV, {"IRIS_TEST_IMAGE": image, "MOLECULE_IRIS_CANARY": canary})})
        if rc:
            failures.append(f"molecule {role}")
        with open(out, encoding="utf-8", errors="replace") as f:
            if canary in f.read():
                session.warn(f"ERROR: role {role}: the canary password appears in the molecule output ({out})")
                failures.append(f"canary {role}")
    if not ran:
        session.log("no molecule scenarios (roles/*/molecule)")
    # molecule's prerun may install a shadow copy of the collection (iris-sources.md TOOLCHAIN §4.4); the scenarios turn it off.
    shutil.rmtree(os.path.expanduser("~/.ansible/collections/ansible_collections/iris_devtools"), ignore_errors=True)
    finish(session, failures)


@nox.session
def probe(session):
    """The real-IRIS probe kit: its own unit tests, then tests/probe/probe.py against the image given after --,
    IRIS_TEST_IMAGE or the simulator image (table as Markdown + JSON under $WORK/probe/; exit 1 if a row is not ok).
    Options after the image go to probe.py (``--ipm-installer FILE``)."""
    prepare()
    failures = []
    posargs = list(session.posargs)
    image = posargs.pop(0) if posargs and not posargs[0].startswith("-") else test_image()
    check(session, failures, "pytest tests/probe (the probe kit's own logic)", VENV, "pytest", "-q", "-p",
          "no:cacheprovider", "test_probe.py", cwd=f"{REPO}/tests/probe")
    if not image_exists(image):
        session.error(f"image {image} not found: 'tools/run setup' builds the simulator image; load your IRIS image first")
    check(session, failures, f"tests/probe/probe.py {image} (table under {WORK}/probe/)", VENV, "python",
          f"{REPO}/tests/probe/probe.py", image, "--out-dir", f"{WORK}/probe", *posargs, cwd=REPO)
    finish(session, failures)


EE_JOB_EVENTS_CHECK = """if 1:
    # The job events AWX would show: iris_info saw the demo's container running, and the fixtures role restored the
    # sample fixture into namespace DEMO (iris_container's own output is hidden by instance_no_log).
    import glob, json, sys
    events = [json.load(open(p)) for p in glob.glob(sys.argv[1] + '/*.json')]
    def res(e, action):
        d = e.get('event_data', {})
        return (d.get('res') or {}) if d.get('resolved_action') == 'iris_devtools.iris.' + action else {}
    running = [e for e in events if e.get('event') == 'runner_on_ok'
               and ((res(e, 'iris_info').get('instance_state') or {}).get('container') or {}).get('running') is True]
    restored = [e for e in events if e.get('event') == 'runner_item_on_ok'
                and res(e, 'iris_fixture').get('namespace') == 'DEMO' and res(e, 'iris_fixture').get('fixture')]
    sys.exit(0 if running and restored else 'no runner_on_ok event of iris_info with the container running, or no '
             'runner_item_on_ok event of iris_fixture restoring namespace DEMO, in ' + sys.argv[1])
"""


@nox.session
def ee(session):
    """What AWX / Automation Platform does with the collection, without a registry: install the Galaxy artifact and
    let ansible-builder introspect it; ansible-builder create on an EE definition (v3) installing the artifact (no
    image build); playbooks/demo.yml under ansible-runner in venv-ee (ansible-core, ansible-runner and only
    meta/ee-requirements.txt), the collection taken from the artifact only."""
    prepare(full=True)
    out = f"{SYNC_ROOT}/ee"
    shutil.rmtree(out, ignore_errors=True)
    for sub in ("def", "collections", "runner/project", "runner/env", "runner/inventory"):
        os.makedirs(f"{out}/{sub}")
    session.log("ansible-galaxy collection build + install (the artifact an EE gets)")
    run(session, VENV, "ansible-galaxy", "collection", "build", "--force", "--output-path", out, silent=True)
    tarball = glob.glob(f"{out}/iris_devtools-iris-*.tar.gz")[0]
    base = os.path.basename(tarball)
    run(session, VENV, "ansible-galaxy", "collection", "install", "--offline", "--force", "-p", f"{out}/collections",
        tarball, env={"ANSIBLE_COLLECTIONS_PATH": f"{out}/collections"}, silent=True)
    failures = []
    check(session, failures, "ansible-builder introspect (the Python and system packages an EE build installs)",
          VENVEE, "ansible-builder", "introspect", f"{out}/collections", "--write-pip", f"{out}/pip.txt",
          "--write-bindep", f"{out}/bindep.txt")
    pip_txt = open(f"{out}/pip.txt").read() if os.path.exists(f"{out}/pip.txt") else ""
    for pkg in ("docker", "jmespath", "intersystems-irispython"):
        if not re.search(rf"^{re.escape(pkg)}([^A-Za-z0-9_.-]|$)", pip_txt, re.M):
            session.warn(f"ERROR: ansible-builder introspect did not find {pkg} (meta/execution-environment.yml)")
            failures.append(f"introspect {pkg}")
    # The EE definition of the scenario guide (docs/docsite/rst/scenario_guide.rst), installing the artifact.
    shutil.copy(tarball, f"{out}/def/")
    with open(f"{out}/def/execution-environment.yml", "w") as f:
        f.write(f"""---
version: 3
images:
  base_image:
    name: quay.io/ansible/awx-ee:24.6.1
dependencies:
  ansible_core:
    package_pip: ansible-core=={pin('ansible-core')}
  ansible_runner:
    package_pip: ansible-runner=={pin('ansible-runner')}
  galaxy:
    collections:
      - name: collections/{base}
        type: file
additional_build_files:
  - src: {base}
    dest: collections
""")
    check(session, failures, "ansible-builder create (the build context only: no registry, no image build)", VENVEE,
          "ansible-builder", "create", "-f", "execution-environment.yml", "--context", "context", cwd=f"{out}/def")
    ctx = f"{out}/def/context"
    reqs = open(f"{ctx}/_build/requirements.yml").read() if os.path.exists(f"{ctx}/_build/requirements.yml") else ""
    if not (os.path.exists(f"{ctx}/Containerfile") or os.path.exists(f"{ctx}/Dockerfile")) \
            or not os.path.exists(f"{ctx}/_build/collections/{base}") or f"collections/{base}" not in reqs:
        session.warn(f"ERROR: ansible-builder create did not produce a build context that installs {base} ({ctx})")
        failures.append("ansible-builder create")
    name = "iris-devtools-runner-" + os.urandom(4).hex()
    subprocess.run(["rsync", "-a", f"{COLL}/playbooks/", f"{out}/runner/project/playbooks/"], check=True)
    with open(f"{out}/runner/inventory/hosts", "w") as f:
        f.write("localhost ansible_connection=local\n")
    with open(f"{out}/runner/env/envvars", "w") as f:
        f.write(f'---\nANSIBLE_COLLECTIONS_PATH: "{out}/collections"\nANSIBLE_NOCOLOR: "1"\n')
    with open(f"{out}/runner/env/extravars", "w") as f:
        f.write(f'---\niris_image: "{test_image()}"\niris_demo_name: "{name}"\niris_demo_cleanup: true\n')
    label = f"ansible-runner run playbooks/demo.yml (collection from the artifact only; image {test_image()}; container {name})"
    check(session, failures, label, VENVEE, f"{VENVEE}/bin/ansible-runner", "run", f"{out}/runner", "-p",
          "playbooks/demo.yml", "--ident", "demo")
    status_file = f"{out}/runner/artifacts/demo/status"
    status = open(status_file).read().strip() if os.path.exists(status_file) else "missing"
    if status != "successful":
        session.warn(f"ERROR: ansible-runner status: {status} (artifacts: {out}/runner/artifacts/demo)")
        failures.append("ansible-runner status")
    else:
        check(session, failures, "the runner's job events: iris_info saw the container, iris_fixture restored DEMO",
              VENVEE, "python", "-c", EE_JOB_EVENTS_CHECK, f"{out}/runner/artifacts/demo/job_events")
    if subprocess.run(["docker", "container", "inspect", name], capture_output=True, check=False).returncode == 0:
        session.warn(f"ERROR: the demo (iris_demo_cleanup=true) left container {name} behind; removing it")
        subprocess.run(["docker", "rm", "-f", "-v", name], capture_output=True, check=False)
        failures.append("demo cleanup")
    finish(session, failures)


@nox.session
def demo(session):
    """playbooks/demo.yml against IRIS_IMAGE (default: the simulator image); arguments after -- go to ansible-playbook."""
    prepare()
    setup_sim_image()
    image = os.environ.get("IRIS_IMAGE") or f"{SIM_IMAGE_NAME}:{sim_version()}"
    session.log(f"ansible-playbook playbooks/demo.yml (iris_image={image})")
    run(session, VENV, "ansible-playbook", "-i", "localhost,", "playbooks/demo.yml", *session.posargs,
        env={"IRIS_IMAGE": image})


@nox.session
def clean(session):
    """Remove our containers/volumes and temp files (-- --all: also $WORK, except the dockerd pid file and log)."""
    if subprocess.run(["docker", "version"], capture_output=True, check=False).returncode == 0:
        ids = set(subprocess.run(["docker", "ps", "-aq", "--filter", f"ancestor={SIM_IMAGE_NAME}"],
                                 capture_output=True, text=True, check=False).stdout.split())
        label = re.compile(r"(^| |,)iris[_-]devtools[^=]*=")
        for line in subprocess.run(["docker", "ps", "-a", "--format", "{{.ID}} {{.Labels}}"], capture_output=True,
                                   text=True, check=False).stdout.splitlines():
            if label.search(line):
                ids.add(line.split()[0])
        if ids:
            session.log(f"removing containers: {' '.join(sorted(ids))}")
            subprocess.run(["docker", "rm", "-f", "-v", *sorted(ids)], capture_output=True, check=False)
        vols = [ln.split()[0] for ln in subprocess.run(["docker", "volume", "ls", "--format", "{{.Name}} {{.Labels}}"],
                                                       capture_output=True, text=True, check=False).stdout.splitlines() if label.search(ln)]
        if vols:
            session.log(f"removing volumes: {' '.join(vols)}")
            subprocess.run(["docker", "volume", "rm", "-f", *vols], capture_output=True, check=False)
    for path in (f"{WORK}/build", f"{SYNC_ROOT}/ee", f"{COLL}/tests/output", f"{REPO}/tests/output",
                 os.path.expanduser("~/.ansible/collections/ansible_collections/iris_devtools")):
        shutil.rmtree(path, ignore_errors=True)
    if "--all" in session.posargs:
        session.log(f"removing {WORK} (dockerd pid file and log kept)")
        for entry in os.listdir(WORK):
            if entry not in ("dockerd.pid", "dockerd.log"):
                path = os.path.join(WORK, entry)
                shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)


# ---------------------------------------------------------------------------------------------- test: every suite

def tee(cmd, logfile, **kwargs):
    """Run CMD, its output (stdout + stderr) both to our stdout and to LOGFILE; returns the exit code."""
    with open(logfile, "w", encoding="utf-8") as log_f:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                **kwargs)
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace")
            sys.stdout.write(line)
            sys.stdout.flush()
            log_f.write(line)
        return proc.wait()


ERROR_LINE = re.compile(r"^(FAILED|ERROR) |^E +[A-Za-z]|^ERROR: |^\[nox\] ERROR|^nox > .*ERROR|^ +ERROR|Error: |"
                        r"^nox > Command .* failed|^[a-z_./]+:[0-9]+:[0-9]+: ")


def failure_digest(name, logfile):
    """What failed in a suite's log, so that the end of a CI log (often all that is kept) says why: pytest's short
    summary, ansible's fatal lines (not those followed by "...ignoring", which tests expect), ansible-test's errors
    (the last 60: a suite stops at its first real failure), then the log's tail."""
    with open(logfile, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    picked, held = [], None
    for line in lines:
        if re.match(r"^\s*\.\.\.ignoring", line):
            held = None
            continue
        if "FAILED - RETRYING" in line:
            continue
        if held is not None:
            picked.append(held)
            held = None
        if "fatal: [" in line or "FAILED! =>" in line:
            held = line
        elif ERROR_LINE.search(line):
            picked.append(line)
    if held is not None:
        picked.append(held)
    print(f"\n---- suite {name} FAILED: what failed (whole log: {logfile}) ----")
    print("\n".join(ln[:400] for ln in picked[-60:]))
    print(f"---- suite {name}: last lines ----")
    print("\n".join(ln[:400] for ln in lines[-30:]))


@nox.session
def test(session):
    """Every suite (setup first), each as its own nox run so that one failing suite does not stop the others;
    the failing suites' digests, a table, and the last line "suites: N passed, M failed"."""
    logs = f"{WORK}/logs"
    os.makedirs(logs, exist_ok=True)
    results, start = [], time.monotonic()
    for name in SUITES:
        session.log(f"===== suite: {name} =====")
        t0 = time.monotonic()
        rc = tee([sys.executable, "-m", "nox", "-f", __file__, "-s", name], f"{logs}/{name}.log", cwd=REPO)
        results.append((name, rc == 0, time.monotonic() - t0))
    for name, ok, dummy in results:
        if not ok:
            failure_digest(name, f"{logs}/{name}.log")
    passed = sum(1 for result in results if result[1])
    print(f"\n== tests ({time.monotonic() - start:.0f}s, WORK={WORK}) ==")
    for name, ok, secs in results:
        print(f"  {name:<12} {'passed' if ok else 'FAILED':<7} {secs:.0f}s")
    print(f"suites: {passed} passed, {len(results) - passed} failed", flush=True)
    if passed != len(results):
        session.error()
