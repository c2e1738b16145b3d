#!/usr/bin/python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iris_fixture
short_description: Export, validate, restore and remove IRIS.DAT database fixtures
version_added: 0.1.0
description:
  - A fixture is a directory holding C(IRIS.DAT) (one IRIS database) and C(manifest.json) (its identity, SHA-256
    checksum and the row count of every SQL table). Fixtures written by iris-devtester load as they are.
  - V(exported) takes a consistent copy of a namespace's database (dismount, copy, mount - never a copy of a mounted
    database) into O(path).
  - V(validated) checks a fixture offline - manifest, file size and SHA-256 - without IRIS or Docker. An unchanged
    fixture whose SHA-256 was verified before is not read again (see O(verify_checksum)).
  - V(present) restores a fixture into a B(new) database and a B(new) namespace of its own (globals and routines both
    in the restored database), verifies the row count of every table through SQL, and records which fixture the
    namespace holds, so running it again with the same fixture changes nothing. Any failure rolls back everything
    the run created.
  - V(absent) removes a restored fixture - namespace, database definition, mount, database file and directory, and
    any temp file an interrupted copy left in the database directory.
author:
  - IRIS DevTools contributors (!UNKNOWN)
extends_documentation_fragment:
  - iris_devtools.iris._iris
  - iris_devtools.iris._iris.connection
  - iris_devtools.iris._attributes
  - iris_devtools.iris._attributes.actiongroup_iris
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the instance and the fixture (the checksum is verified when a restore would follow) and predicts
        RV(ignore:changed), RV(actions) and the diff. It changes nothing. In check mode an export reports the checksum as
        V(null).
  diff_mode:
    support: full
    details:
      - The diff shows the fixture identity (id, version, checksum, table row counts) and where it is restored - never
        data.
  idempotent:
    support: partial
    details:
      - Not idempotent with O(reload=always) or O(force=true), which restore or export again on every run.
options:
  state:
    description:
      - V(present) - namespace O(namespace) holds the fixture at O(path). A namespace that does not exist is created
        with a new database O(database) in O(database_dir). The module never restores into a namespace it did not
        create, and never into V(USER) or V(%SYS).
      - V(absent) - the fixture restored into O(namespace) is removed, with everything the restore created. A namespace
        the module did not restore is left alone (and the module fails).
      - V(exported) - O(path) holds a fixture of namespace O(namespace). An existing fixture with the same
        O(fixture_id) and O(version) is kept; any other content of O(path) is replaced only with O(force=true).
      - V(validated) - the fixture at O(path) is complete and its checksum matches. Needs no instance.
    type: str
    choices: [present, absent, exported, validated]
    default: present
  path:
    description:
      - The fixture directory on the host that runs the module (the Docker host for O(transport=docker)).
      - Required for O(state=present), O(state=exported) and O(state=validated).
      - It must not contain control characters (for example a line feed or NUL).
    type: path
  namespace:
    description:
      - For O(state=present) and O(state=absent) the namespace that holds the restored fixture; for
        O(state=exported) the namespace to export. Not used by O(state=validated).
      - This module has no default namespace. If not set, the value of the E(IRIS_NAMESPACE) environment variable is used.
      - Names the module creates consist of letters, digits and V(_), start with a letter and have at most 63 characters.
        For O(state=exported) the name of an existing namespace, as every module of the collection accepts it - 1 to 64
        characters, a letter or V(%) first, then letters, digits, V(-) or V(_) (for example V(APP) or V(APP-TEST)).
    type: str
    default: null
  database:
    description:
      - Name of the database the fixture is restored into (O(state=present)) or removed from (O(state=absent),
        where the module's record wins).
      - Defaults to the O(namespace) name. It must not exist yet.
    type: str
  database_dir:
    description:
      - Directory of the restored database inside the instance (inside the container for O(transport=docker)).
      - A relative name is resolved under the instance's C(mgr/) directory. Defaults to the lower-case O(database)
        name there, for example C(/usr/irissys/mgr/fixture_orders/).
      - It must not hold an C(IRIS.DAT) yet. A directory the module created is removed with the fixture.
      - Letters, digits, spaces and C(_ . - + @ /) only, at most 200 characters, with no C(.) or C(..) component. Control
        characters (a line feed would add lines to the instance's configuration file) and commas are refused before
        anything is read or changed.
    type: str
  reload:
    description:
      - What O(state=present) does when O(namespace) already holds a fixture restored by this module.
      - V(on_change) - restore again when the fixture (id, version or checksum), O(database) or O(database_dir)
        differ, or the restored database is no longer defined and mounted.
      - V(never) - fail instead of restoring again.
      - V(always) - restore again on every run (not idempotent).
      - A reload is B(not transactional). The new fixture's checksum and the target names are checked first (a damaged
        fixture leaves the old one in place), then the old fixture is removed and the new one restored. If the restore
        fails after that point (copy, IRIS error, row counts), the rollback removes the new one and the namespace is
        left B(without a fixture); the error message and RV(actions) say so. Run the task again (or restore the old
        fixture) to get a fixture back. To keep the old one until the new one is verified, restore into a new
        namespace and remove the old namespace afterwards.
    type: str
    choices: [never, on_change, always]
    default: on_change
  fixture_id:
    description:
      - O(state=exported) - the fixture's id in the manifest. Defaults to the lower-case O(namespace) name.
      - Letters, digits and C(_ . -), starting with a letter or digit, at most 128 characters.
    type: str
  version:
    description:
      - O(state=exported) - the fixture's version in the manifest.
      - Letters, digits and C(_ . - +), starting with a letter or digit, at most 64 characters.
    type: str
    default: 1.0.0
  description:
    description:
      - O(state=exported) - free text for the manifest. Line breaks and tabs are allowed, other control characters
        are not; at most 4096 characters.
    type: str
    default: ''
  verify_checksum:
    description:
      - O(state=validated) - when to compute the SHA-256 of the database file and compare it with the manifest.
      - V(cached) - compute it unless this module verified the same file before and it is provably unchanged since -
        same absolute path, device, inode, size, modification time and change time (C(ctime)) of the database file
        and of C(manifest.json). Any difference, even a C(touch), computes it again. The verified checksums are kept
        in the private directory C(~/.cache/iris_devtools/fixtures/verified) (mode 0700) of the user running the
        module. RV(checksum_verified) says whether the file was read.
      - V(always) - compute it on every run (and remember the result for V(cached) runs).
      - V(never) - check the manifest, the presence and the size of the database file only.
      - A restore (O(state=present)) never relies on this - it computes the SHA-256 of the bytes it copies into the
        instance and installs them only when it matches, whatever this option says.
    type: str
    choices: [cached, always, never]
    default: cached
  force:
    description:
      - O(state=exported) - replace whatever O(path) holds (another fixture, a partial one) with a new export, and
        export again even when the same O(fixture_id) and O(version) are there.
    type: bool
    default: false
notes:
  - Export dismounts the namespace's globals database while it copies the file, so sessions using that namespace fail
    for that time. The database is mounted again even when the copy fails.
  - The namespace to export must keep its data and its code in the same database (a fixture holds one database).
    Tables of schemas starting with V(%) and C(INFORMATION_SCHEMA) are not listed in the manifest.
  - Restore copies C(IRIS.DAT) into the instance with the Docker SDK (O(transport=docker), owned by UID 51773,
    C(irisowner)), as a file copy on the host (O(transport=local), owned like the database directory when the
    module runs as root), or streamed through IRIS on the module's connection (O(transport=native); IRIS writes the
    file, with its own owner and default permissions; the server checks the SHA-256 before the file gets its name).
    Export copies C(IRIS.DAT) out the same ways. Over O(transport=native) the leftover temp files of an interrupted
    copy are listed and removed by IRIS (C(%File)), not by a command beside it; O(state=absent) works over every
    transport, as IRIS itself removes the namespace, the database, C(IRIS.DAT) and the directory it created.
  - O(state=present) reads the fixture's manifest and checks the file size on every run. A restore installs only bytes
    that match the manifest - it computes the SHA-256 of C(IRIS.DAT) over the very bytes it copies into the instance
    (one read) and gives the copy its name C(IRIS.DAT) only when the checksum matches, before anything is mounted; a
    file that is damaged or changes during the copy is removed again, the restore is rolled back and the module fails. A
    reload also checks the file before it removes the old fixture. A run that finds the same fixture in place (the
    manifest's checksum equals the recorded one) does not read the file, so its time does not depend on the fixture
    size; use O(state=validated) to check the file itself. Check mode computes the checksum without copying.
  - A restore into a new namespace prepares the target (writes the record, creates the database directory) in the
    same session that reads the instance; when the copy's checksum does not match, both are removed again, and the
    module fails.
  - The module records each restore in the global C(^IrisDevTools("fixture",<namespace>)) of C(%SYS) (status, fixture
    identity, database, directory). The record is written before anything is created, so a run that was interrupted
    (for example the container stopped during the copy) is cleaned up by the next run or by O(state=absent).
  - Copies land under a temp name in the database directory first (prefix C(.iris-devtools-upload-) for Docker,
    C(.iris-devtools-tmp-) for local copies) and are renamed when complete. A copy interrupted by a stopped container
    can leave such a file; O(state=absent) and the next restore into the namespace remove it and check by listing the
    directory afterwards.
  - Fixture runs against one instance from one host are serialized by a lock file (removed afterwards) in the private
    directory C(~/.cache/iris_devtools/fixtures/locks) (mode 0700) of the user running the module, keyed by the
    instance's identity - for Docker the engine's daemon ID (C(docker info)), the container's ID and O(instance), so
    two O(docker_host) URLs of one engine share one lock; a run waits at most O(timeout) seconds for it. The lock
    directory is in the home of the user running the module, so a run with C(become) and one without use different
    directories (different locks) and are not serialized; run the fixture tasks of one instance as one user. Runs from
    different hosts are not serialized either - the later one fails cleanly because the namespace or database exists by then.
  - "Manifest format (C(manifest.json), schema 1.0, compatible with iris-devtester): C(fixture_id), C(version),
    C(schema_version), C(description), C(created_at) (ISO-8601), C(iris_version), C(namespace) (the source),
    C(dat_file) (V(IRIS.DAT)), C(checksum) (C(sha256:<hex>)) and C(tables) (a list of C(name) and C(row_count)) are
    required. C(size_bytes) and C(created_by) are written by this module; any other field is kept. This module also
    writes C(source_database). A manifest is input like any option - text fields with control characters (C(description)
    may have line breaks and tabs) or longer than 255 characters (C(description) 4096) are refused."
seealso:
  - module: iris_devtools.iris.iris_container
"""

EXAMPLES = r"""
- name: Export namespace APP of container iris-a into a fixture on the Docker host
  iris_devtools.iris.iris_fixture:
    state: exported
    container: iris-a
    namespace: APP
    path: /srv/fixtures/orders
    fixture_id: orders
    version: 2.1.0
    description: Orders with 3 customers

- name: Check a fixture offline (an unchanged fixture verified before is not read again)
  iris_devtools.iris.iris_fixture:
    state: validated
    path: /srv/fixtures/orders

- name: Check it again, reading the whole file whatever an earlier run verified
  iris_devtools.iris.iris_fixture:
    state: validated
    path: /srv/fixtures/orders
    verify_checksum: always

- name: Restore it into a namespace of its own in container iris-b
  iris_devtools.iris.iris_fixture:
    state: present
    container: iris-b
    path: /srv/fixtures/orders
    namespace: ORDERS_TEST
  register: restored

- name: Remove it again
  iris_devtools.iris.iris_fixture:
    state: absent
    container: iris-b
    namespace: ORDERS_TEST
"""

RETURN = r"""
state:
  description: The state the module worked on.
  returned: always
  type: str
  sample: present
actions:
  description:
    - What the module did (or would do in check mode), in words.
    - A reload says that the old fixture is removed first and that the namespace is left without a fixture if the
      restore fails (see O(reload)); a removal lists the leftover temp files it removes.
  returned: always
  type: list
  elements: str
  sample: ["restore fixture orders 2.1.0 into namespace ORDERS_TEST"]
iris_sessions:
  description:
    - Number of IRIS sessions the run opened - 1 when a restored fixture is already in place, 2 for a restore into a
      new namespace, 3 for a reload or the repair of an interrupted restore, one more when a failure is rolled back,
      0 for O(state=validated).
  returned: always
  type: int
  sample: 1
fixture:
  description: Identity of the fixture - id, version, checksum and the row count of each table.
  returned: when state is present, exported or validated
  type: dict
  sample: {"fixture_id": "orders", "version": "2.1.0", "checksum": "sha256:9f86d0...", "tables": [{"name": "SQLUser.Orders", "row_count": 3}]}
manifest:
  description: The complete manifest.
  returned: when state is exported or validated
  type: dict
  sample: {"fixture_id": "orders", "version": "2.1.0", "schema_version": "1.0", "namespace": "APP", "dat_file": "IRIS.DAT"}
tables:
  description:
    - The tables with their row counts. For O(state=present) these are the counts found through SQL in the restored
      namespace (equal to the manifest's); for O(state=exported) the counts written to the manifest.
  returned: when state is present or exported
  type: list
  elements: dict
  sample: [{"name": "SQLUser.Orders", "row_count": 3}]
namespace:
  description: The namespace restored into, removed, or exported.
  returned: when state is present, absent or exported
  type: str
  sample: ORDERS_TEST
database:
  description: The database restored into, removed, or exported.
  returned: when state is present or exported, and when state is absent and something was removed
  type: str
  sample: ORDERS_TEST
directory:
  description: The database directory inside the instance.
  returned: when state is present or exported, and when state is absent and something was removed
  type: str
  sample: /usr/irissys/mgr/orders_test/
fixture_path:
  description:
    - The fixture directory (O(path)). Not named C(path), because Ansible adds the file attributes of a result's C(path),
      including a C(state) key, to the result.
  returned: when state is present, exported or validated
  type: str
  sample: /srv/fixtures/orders
dat_path:
  description: The fixture's database file.
  returned: when state is validated
  type: str
  sample: /srv/fixtures/orders/IRIS.DAT
checksum_verified:
  description:
    - How O(state=validated) verified the checksum (see O(verify_checksum)).
    - V(hashed) - the database file was read and its SHA-256 matches the manifest.
    - V(cached) - the file was not read; an earlier run verified it and it is unchanged since.
    - V(skipped) - not verified (O(verify_checksum=never)).
  returned: when state is validated
  type: str
  sample: cached
checksum_cache_error:
  description: Why the verified checksum could not be remembered (the next run then reads the file again).
  returned: when state is validated and the cache could not be written
  type: str
  sample: "Cannot create the checksum cache directory /home/u/.cache/iris_devtools/fixtures/verified: Permission denied."
"""

from ansible.module_utils.basic import env_fallback

from ansible_collections.iris_devtools.iris.plugins.module_utils._fixture import RELOAD, STATES, VERIFY_CHECKSUM, FixtureManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import run_module


def argument_spec():
    return dict(
        state=dict(type="str", choices=list(STATES), default="present"),
        path=dict(type="path"),
        namespace=dict(type="str", fallback=(env_fallback, ["IRIS_NAMESPACE"])),
        database=dict(type="str"),
        database_dir=dict(type="str"),
        reload=dict(type="str", choices=list(RELOAD), default="on_change"),
        fixture_id=dict(type="str"),
        version=dict(type="str", default="1.0.0"),
        description=dict(type="str", default=""),
        force=dict(type="bool", default=False),
        verify_checksum=dict(type="str", choices=list(VERIFY_CHECKSUM), default="cached"),
    )


REQUIRED_IF = [
    ("state", "present", ("path", "namespace")),
    ("state", "exported", ("path", "namespace")),
    ("state", "validated", ("path",)),
    ("state", "absent", ("namespace",)),
]


def main():
    # No shared "transport: docker needs container" constraint: state=validated works offline; the states that reach
    # an instance check it through _instance (a clear failure naming the container option).
    run_module(FixtureManager, argument_spec(), common_required_if=False, required_if=REQUIRED_IF)


if __name__ == "__main__":
    main()
