#!/usr/bin/python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iris_ipm
short_description: Install IPM offline at a pinned version and manage one IPM package in an InterSystems IRIS namespace
version_added: 0.1.0
description:
  - Makes IPM (the InterSystems Package Manager, C(zpm)) present at a pinned version in O(namespace), installed offline
    from the installer file you provide (an XML export, C(zpm-<version>.xml)), and one IPM package present or absent.
  - A package comes from a directory or C(.tgz) file on the host that runs the module (O(src), uploaded into the instance),
    a directory or tarball already in the instance (O(remote_src)), or a filesystem repository in the instance
    (O(repository)). No network is needed.
  - Idempotent through IPM's own record of installed modules (C(%IPM.Storage.Module)) - a package installed at the
    wanted name and version is not loaded again.
  - IPM 0.9 and later is installed per namespace, so everything happens in O(namespace).
  - Knows IPM 0.9.x and 0.10.x. IPM below 0.9 (the C(%ZPM) generation, IRIS before 2025.1) is not managed.
  - One IRIS session reads the versions; a second one applies a change and reads the result back.
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
      - Check mode predicts the real run - the same RV(ignore:changed), RV(actions) and RV(commands) - without uploading
        or loading anything.
      - When the version a package will get is known only after the install (O(repository) or a O(remote_src) tarball
        without O(version)), check mode returns RV(package.version) as V(null).
  diff_mode:
    support: full
    details:
      - The diff shows the IPM version and the package (name, version, installed) before and after.
  idempotent:
    support: full
options:
  name:
    description:
      - Name of the IPM package (module), as the C(<Name>) of its C(module.xml) gives it.
      - Leave it out to manage only IPM itself (O(ipm_version)).
    type: str
  version:
    description:
      - Version the package must have (a semantic version, for example V(1.2.3)).
      - With O(src), or a O(remote_src) directory, the source's C(module.xml) gives the version; if O(version) is
        set, it must be the same.
      - Without a version, an installed package counts as present whatever its version.
      - A different installed version is uninstalled first, then the wanted one installed (IPM 0.10.4 and later may
        refuse to install over an installed version); IPM refuses to uninstall a package other packages depend on.
      - Not used with O(state=absent).
    type: str
  state:
    description:
      - V(present) - the package is installed (at O(version) when set).
      - V(absent) - the package is not installed (C(uninstall)).
    type: str
    choices: [present, absent]
    default: present
  src:
    description:
      - The package on the host that runs the module - a directory with C(module.xml) at its top, or a C(.tgz) /
        C(.tar.gz) file. A directory is packed into a C(.tgz) there, then uploaded into the instance under
        O(upload_dir) and loaded with IPM's C(load) command; the uploaded file is removed afterwards (over
        O(transport=native) by IRIS, C(%File)); a file that stays is named in a warning.
      - IPM below 0.10.0 needs C(module.xml) at the top of a tarball.
      - Exactly one of O(src), O(remote_src) and O(repository) is needed with O(state=present).
    type: path
  remote_src:
    description:
      - The package already in the instance's file system - an absolute path to a directory with C(module.xml), or
        to a C(.tgz) file (C(.tar.gz) needs IPM 0.10.0 or later). Loaded with IPM's C(load) command.
      - Paths must not contain blanks or quotes (IPM splits its command line on blanks).
    type: str
  repository:
    description:
      - A filesystem repository in the instance - an absolute directory that IPM scans for C(module.xml) files. The
        module registers it (C(repo -name iris-devtools -fs -path ...)) and installs O(name) (at O(version) when set)
        from it with IPM's C(install) command; dependencies are found there too.
    type: str
  repository_depth:
    description:
      - How many directory levels IPM scans in O(repository) for C(module.xml) files; V(0) scans all.
    type: int
    default: 0
  upload_dir:
    description:
      - Directory in the instance (it must exist) where O(src) and O(ipm_installer) are uploaded for loading.
    type: str
    default: /tmp
  ipm_version:
    description:
      - The IPM version that must be installed in O(namespace), for example V(0.10.9). IPM is installed (or replaced)
        from O(ipm_installer) when another version, or none, is installed.
      - Needs O(ipm_installer).
    type: str
  ipm_installer:
    description:
      - The IPM installer of O(ipm_version) on the host that runs the module - the XML export IPM publishes as its
        installer (C(zpm-<version>.xml)). It is uploaded into O(upload_dir) and loaded with
        C($System.OBJ.Load(file,"ck")); the module checks afterwards that IPM reports O(ipm_version).
    type: path
  ipm_checksum:
    description:
      - Expected SHA-256 of O(ipm_installer), as V(sha256:<64 hex digits>). The file is checked before anything else,
        and the uploaded bytes are checked again.
    type: str
notes:
  - Loading the installer needs the C(%All) role, which the docker transport's C(irisowner) has in the official
    containers.
  - The module reads IPM's state from C(%IPM.Storage.Module), not from the text of C(list-installed); commands run
    through C(##class(%IPM.Main).Shell), whose returned status tells whether they failed (C(zpm "...") prints and does
    not).
  - Sources of these facts - see docs/iris-sources.md in the collection (keys T5, T15, T39, IPMSRC).
seealso:
  - name: IPM (InterSystems Package Manager)
    description: The package manager's repository, installer and documentation.
    link: https://github.com/intersystems/ipm
"""

EXAMPLES = r"""
---
- name: IPM 0.10.9 in namespace USER, from an installer downloaded beforehand
  iris_devtools.iris.iris_ipm:
    container: iris-ci
    namespace: USER
    ipm_version: 0.10.9
    ipm_installer: files/zpm-0.10.9.xml
    ipm_checksum: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

- name: The application's package from its source tree on the controller
  iris_devtools.iris.iris_ipm:
    container: iris-ci
    namespace: USER
    name: sample-app
    src: "{{ playbook_dir }}/../app"

- name: A dependency at a pinned version from a filesystem repository mounted into the container
  iris_devtools.iris.iris_ipm:
    container: iris-ci
    name: testcoverage
    version: 4.1.2
    repository: /opt/ipm-packages
    repository_depth: 2

- name: Remove a package
  iris_devtools.iris.iris_ipm:
    container: iris-ci
    name: sample-app
    state: absent
"""

RETURN = r"""
iris_sessions:
  description: How many IRIS sessions the module opened (1 when nothing changed, 2 when something did).
  returned: always
  type: int
  sample: 2
actions:
  description:
    - What the module did (or, in check mode, would do), in order - V(install_ipm), V(uninstall), V(load),
      V(install).
  returned: always
  type: list
  elements: str
  sample: ["install_ipm", "load"]
commands:
  description: The IPM shell commands run (or, in check mode, that would run), in order.
  returned: always
  type: list
  elements: str
  sample: ["load /tmp/iris-devtools-ipm-sample-app-1.0.0.tgz"]
ipm_version:
  description: The IPM version installed in O(namespace) after the run; V(null) when IPM is not installed there.
  returned: always
  type: str
  sample: 0.10.9
package:
  description: The package after the run; V(null) when O(name) is not set.
  returned: always
  type: dict
  contains:
    name:
      description: The package name.
      type: str
      sample: sample-app
    version:
      description: Its installed version; V(null) when it is not installed (or, in check mode, not yet known).
      type: str
      sample: 1.0.0
    installed:
      description: Whether it is installed.
      type: bool
      sample: true
"""

from ansible_collections.iris_devtools.iris.plugins.module_utils._ipm import IpmManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import run_module


def argument_spec():
    return dict(
        name=dict(type="str"),
        version=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        src=dict(type="path"),
        remote_src=dict(type="str"),
        repository=dict(type="str"),
        repository_depth=dict(type="int", default=0),
        upload_dir=dict(type="str", default="/tmp"),
        ipm_version=dict(type="str"),
        ipm_installer=dict(type="path"),
        ipm_checksum=dict(type="str"),
    )


def main():
    run_module(IpmManager, argument_spec(),
               mutually_exclusive=[("src", "remote_src", "repository")],
               required_together=[("ipm_version", "ipm_installer")],
               required_by={"ipm_checksum": ("ipm_installer",)})


if __name__ == "__main__":
    main()
