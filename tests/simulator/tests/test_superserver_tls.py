# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS on the superserver (iris-sources.md WIRE §3.4): the client opens TLS before HS when ``sslconfig`` names a
section of the SSLDefs.ini file in ISC_SSLconfigurations; plain and TLS clients share the port."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from iris_sim.superserver.server import tls_context_from_ssldefs

from superserver_support import Served, fixture_served, guarded  # noqa: F401  pylint: disable=unused-import

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a test certificate")


@pytest.fixture(name="client_ini")
def fixture_client_ini(tmp_path, monkeypatch):
    """The client's SSLDefs.ini (WIRE §3.4 keys) named by ISC_SSLconfigurations."""
    client_ini = tmp_path / "SSLDefs.ini"
    client_ini.write_text("[simtls]\nTLSMinVersion=16\nTLSMaxVersion=32\nVerifyPeer=0\n", encoding="utf-8")
    monkeypatch.setenv("ISC_SSLconfigurations", str(client_ini))
    return client_ini


@pytest.fixture(name="tls_served")
def fixture_tls_served(tmp_path, client_ini):  # pylint: disable=unused-argument
    import iris  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    cert, key = tmp_path / "server.crt", tmp_path / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server_ini = tmp_path / "server-ssldefs.ini"
    server_ini.write_text("[superserver]\nCertFile=%s\nKeyFile=%s\n" % (cert, key), encoding="utf-8")
    served = Served(tmp_path / "inst", tls_context=tls_context_from_ssldefs(str(server_ini), "superserver"))
    yield served
    served.server.stop()


def test_tls_and_plain_clients_on_one_port(tls_served):
    conn = tls_served.connect(sslconfig="simtls")
    cur = conn.cursor()
    guarded(cur.execute, "SELECT 1")
    assert [tuple(r) for r in guarded(cur.fetchall)] == [(1,)]
    guarded(conn.close)
    plain = tls_served.connect()
    guarded(plain.close)


def test_tls_refused_without_a_server_certificate(served, client_ini):  # pylint: disable=unused-argument
    """No SSLDefs section configured on the server: the TLS hello is refused and logged, the client raises."""
    with pytest.raises(RuntimeError):
        served.connect(sslconfig="simtls")
    assert served.wait_log("TLS ClientHello refused")


def test_ssldefs_errors_say_how_to_fix(tmp_path):
    with pytest.raises(ValueError, match="Fix:"):
        tls_context_from_ssldefs(str(tmp_path / "missing.ini"), "superserver")
    ini = tmp_path / "x.ini"
    ini.write_text("[other]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no section \[superserver\]"):
        tls_context_from_ssldefs(str(ini), "superserver")
