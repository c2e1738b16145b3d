# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_manifest: the predecessor's manifest loads, every invalid field fails naming it + a fix, round trip."""

from __future__ import annotations

import copy
import hashlib
import json
import os

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _files, _manifest
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.tests.unit.plugins.module_utils.test_files import _blob

CHECKSUM = "sha256:" + "ab" * 32

# The shape of iris-devtester's real example (iris-sources.md LESSONS §4.2): tests/fixtures/static-test-fixture,
# created 2025-11-04, namespace STATIC_FIXTURE_02E0CBC3, one table SQLUser.PluginTestData with 2 rows,
# features and known_queries null, created_at = datetime.utcnow().isoformat() + "Z", iris_version "unknown".
PREDECESSOR = {
    "fixture_id": "static-test-fixture",
    "version": "1.0.0",
    "schema_version": "1.0",
    "description": "Static test fixture for plugin tests",
    "created_at": "2025-11-04T15:02:33.123456Z",
    "iris_version": "unknown",
    "namespace": "STATIC_FIXTURE_02E0CBC3",
    "dat_file": "IRIS.DAT",
    "checksum": CHECKSUM,
    "tables": [{"name": "SQLUser.PluginTestData", "row_count": 2}],
    "features": None,
    "known_queries": None,
}


def _write_raw(directory, content):
    path = os.path.join(str(directory), _manifest.MANIFEST_FILE)
    with open(path, "w") as handle:
        handle.write(content if isinstance(content, str) else json.dumps(content, indent=2))
    return path


def test_constants():
    assert (_manifest.MANIFEST_FILE, _manifest.DAT_FILE, _manifest.SCHEMA_VERSION) == ("manifest.json", "IRIS.DAT", "1.0")


def test_predecessor_manifest_loads_unchanged(tmp_path):
    _write_raw(tmp_path, PREDECESSOR)
    loaded = _manifest.load(str(tmp_path))
    assert loaded == PREDECESSOR
    assert list(loaded)[:10] == list(_manifest.REQUIRED_FIELDS)


def test_extra_fields_pass_through():
    manifest = dict(PREDECESSOR, size_bytes=12, created_by="someone", custom={"a": [1, 2]}, another="x")
    out = _manifest.validate(manifest)
    assert out["custom"] == {"a": [1, 2]} and out["another"] == "x"
    assert out["size_bytes"] == 12 and out["created_by"] == "someone"


def test_validate_returns_a_normalised_copy():
    manifest = dict(PREDECESSOR, checksum="sha256:" + "AB" * 32, dat_file="./IRIS.DAT")
    original = copy.deepcopy(manifest)
    out = _manifest.validate(manifest)
    assert out["checksum"] == CHECKSUM
    assert out["dat_file"] == "IRIS.DAT"
    assert manifest == original  # input untouched
    out["tables"][0]["row_count"] = 99
    assert manifest["tables"][0]["row_count"] == 2


@pytest.mark.parametrize("field", _manifest.REQUIRED_FIELDS)
def test_every_missing_required_field_fails_naming_it(field):
    manifest = dict(PREDECESSOR)
    del manifest[field]
    with pytest.raises(IrisModuleError) as info:
        _manifest.validate(manifest)
    assert info.value.details["field"] == field
    assert "'%s' is missing" % field in info.value.msg
    assert info.value.hint


BAD_VALUES = [
    ("fixture_id", "", "fixture_id"),
    ("fixture_id", 12, "fixture_id"),
    ("version", "  ", "version"),
    ("schema_version", "2.0", "schema_version"),
    ("schema_version", 1.0, "schema_version"),
    ("description", None, "description"),
    ("created_at", "yesterday", "created_at"),
    ("created_at", "", "created_at"),
    ("iris_version", "", "iris_version"),
    ("namespace", "", "namespace"),
    ("dat_file", "/usr/irissys/mgr/user/IRIS.DAT", "dat_file"),
    ("dat_file", "../other/IRIS.DAT", "dat_file"),
    ("dat_file", "C:\\fixtures\\IRIS.DAT", "dat_file"),
    ("dat_file", ".", "dat_file"),
    ("checksum", "ab" * 32, "checksum"),  # the predecessor treated a missing prefix as an error too
    ("checksum", "sha256:" + "ab" * 31, "checksum"),
    ("checksum", "md5:" + "ab" * 32, "checksum"),
    ("checksum", "sha256:" + "zz" * 32, "checksum"),
    ("tables", {"name": "SQLUser.T"}, "tables"),
    ("tables", ["SQLUser.T"], "tables[0]"),
    ("tables", [{"row_count": 1}], "tables[0].name"),
    ("tables", [{"name": "SQLUser.T; DROP TABLE x", "row_count": 1}], "tables[0].name"),
    ("tables", [{"name": "a.b.c", "row_count": 1}], "tables[0].name"),
    ("tables", [{"name": "SQLUser.T", "row_count": -1}], "tables[0].row_count"),
    ("tables", [{"name": "SQLUser.T", "row_count": "2"}], "tables[0].row_count"),
    ("tables", [{"name": "SQLUser.T", "row_count": True}], "tables[0].row_count"),
    ("tables", [{"name": "SQLUser.T"}], "tables[0].row_count"),
    ("tables", [{"name": "SQLUser.T", "row_count": 1}, {"name": "sqluser.t", "row_count": 1}], "tables[1].name"),
    ("size_bytes", -1, "size_bytes"),
    ("size_bytes", "12", "size_bytes"),
    ("created_by", 5, "created_by"),
    ("features", [1], "features"),
    ("known_queries", {"q": 1}, "known_queries"),
    ("known_queries", ["SELECT 1"], "known_queries"),
]


@pytest.mark.parametrize("field, value, named", BAD_VALUES)
def test_every_invalid_field_fails_naming_it_and_the_fix(field, value, named):
    manifest = dict(PREDECESSOR)
    manifest[field] = value
    with pytest.raises(IrisModuleError) as info:
        _manifest.validate(manifest)
    assert info.value.details["field"] == named
    assert "'%s'" % named in info.value.msg
    assert info.value.hint and "Fix:" in info.value.as_result()["msg"]


@pytest.mark.parametrize("value", ["2025-11-04T15:02:33Z", "2025-11-04T15:02:33.123456Z", "2025-11-04T15:02:33+01:00",
                                   "2025-11-04T15:02:33.123456", "2025-11-04"])
def test_created_at_iso_forms_accepted(value):
    assert _manifest.validate(dict(PREDECESSOR, created_at=value))["created_at"] == value


def test_empty_tables_and_unqualified_names_accepted():
    assert _manifest.validate(dict(PREDECESSOR, tables=[]))["tables"] == []
    names = [t["name"] for t in _manifest.validate(dict(PREDECESSOR, tables=[{"name": "Person", "row_count": 0},
                                                                             {"name": "%Dictionary.X_1", "row_count": 3}]))["tables"]]
    assert names == ["Person", "%Dictionary.X_1"]


def test_not_an_object():
    with pytest.raises(IrisModuleError) as info:
        _manifest.validate([PREDECESSOR])
    assert "JSON object" in info.value.msg


def test_load_missing_dir_file_and_bad_json(tmp_path):
    with pytest.raises(IrisModuleError) as info:
        _manifest.load(str(tmp_path / "nope"))
    assert "does not exist" in info.value.msg and info.value.hint
    with pytest.raises(IrisModuleError) as info:
        _manifest.load(str(tmp_path))
    assert "manifest.json" in info.value.msg and "Cannot read" in info.value.msg
    _write_raw(tmp_path, '{"fixture_id": ')
    with pytest.raises(IrisModuleError) as info:
        _manifest.load(str(tmp_path))
    assert "not valid JSON" in info.value.msg


def test_load_names_the_file_and_the_field(tmp_path):
    bad = dict(PREDECESSOR)
    del bad["namespace"]
    path = _write_raw(tmp_path, bad)
    with pytest.raises(IrisModuleError) as info:
        _manifest.load(str(tmp_path))
    assert path in info.value.msg and "'namespace' is missing" in info.value.msg
    assert info.value.details == {"field": "namespace", "path": path}


def test_build_defaults_and_validation():
    manifest = _manifest.build("fx1", "1.0.0", "USER", "IRIS for UNIX 2024.1", "sha256:" + "CD" * 32,
                               [("SQLUser.A", 3), {"name": "SQLUser.B", "row_count": 0}], 8192,
                               extra={"features": {"bitmap": True}})
    assert manifest["schema_version"] == "1.0" and manifest["dat_file"] == "IRIS.DAT"
    assert manifest["checksum"] == "sha256:" + "cd" * 32
    assert manifest["tables"] == [{"name": "SQLUser.A", "row_count": 3}, {"name": "SQLUser.B", "row_count": 0}]
    assert manifest["size_bytes"] == 8192 and manifest["created_by"] == _manifest.CREATED_BY
    assert manifest["features"] == {"bitmap": True}
    assert manifest["created_at"].endswith("Z") and manifest["description"] == ""
    assert _manifest.build("f", "1", "USER", "", CHECKSUM, [], 0)["iris_version"] == "unknown"
    with pytest.raises(IrisModuleError) as info:
        _manifest.build("fx1", "1.0.0", "USER", "v", CHECKSUM, [], 1, extra={"checksum": CHECKSUM})
    assert info.value.details["field"] == "checksum"
    with pytest.raises(IrisModuleError) as info:
        _manifest.build("", "1.0.0", "USER", "v", CHECKSUM, [], 1)
    assert info.value.details["field"] == "fixture_id"


def test_write_load_round_trip_and_refuse_overwrite(tmp_path):
    manifest = _manifest.build("fx1", "2.0.0", "APP", "2025.1", CHECKSUM, [("SQLUser.A", 3)], 100,
                               description="d", created_at="2026-01-02T03:04:05Z", extra={"mine": [1]})
    path = _manifest.write(str(tmp_path), manifest)
    assert path == os.path.join(str(tmp_path), "manifest.json")
    assert _manifest.load(str(tmp_path)) == manifest
    with open(path) as handle:
        text = handle.read()
    assert text.startswith('{\n  "fixture_id": "fx1",') and text.endswith("}\n")
    assert sorted(os.listdir(str(tmp_path))) == ["manifest.json"]  # no temp file left

    changed = dict(manifest, version="3.0.0")
    with pytest.raises(IrisModuleError) as info:
        _manifest.write(str(tmp_path), changed)
    assert "already exists" in info.value.msg and "force" in info.value.hint
    assert _manifest.load(str(tmp_path))["version"] == "2.0.0"
    _manifest.write(str(tmp_path), changed, force=True)
    assert _manifest.load(str(tmp_path))["version"] == "3.0.0"
    assert sorted(os.listdir(str(tmp_path))) == ["manifest.json"]


def test_write_invalid_manifest_writes_nothing(tmp_path):
    with pytest.raises(IrisModuleError):
        _manifest.write(str(tmp_path), dict(PREDECESSOR, checksum="nope"))
    assert os.listdir(str(tmp_path)) == []


def test_identity():
    ident = _manifest.identity(dict(PREDECESSOR, size_bytes=5))
    assert ident == {"fixture_id": "static-test-fixture", "version": "1.0.0", "checksum": CHECKSUM,
                     "tables": [{"name": "SQLUser.PluginTestData", "row_count": 2}]}


# -- a hostile manifest.json is input too (issue 11 item 1) -------------------------------------------------------------
@pytest.mark.parametrize("field, value, problem", [
    ("fixture_id", "shop\nfixture", "U+000A (line feed)"),
    ("version", "1.0\r", "U+000D (carriage return)"),
    ("namespace", "SRC\x00", "U+0000 (NUL)"),
    ("iris_version", "2025.1\x1b[31m", "U+001B"),
    ("dat_file", "IRIS\x00.DAT", "U+0000 (NUL)"),
    ("dat_file", "IRIS.DAT\n", "U+000A (line feed)"),
    ("description", "a\x00b", "U+0000 (NUL)"),
    ("description", "a\x7fb", "U+007F (DEL)"),
    ("created_by", "tool\x85", "U+0085"),
    ("fixture_id", "x" * 256, "has 256 characters, more than 255"),
    ("description", "x" * 4097, "has 4097 characters, more than 4096"),
])
def test_control_characters_and_overlong_texts_are_refused(tmp_path, field, value, problem):
    _write_raw(tmp_path, dict(PREDECESSOR, **{field: value}))
    with pytest.raises(IrisModuleError) as err:
        _manifest.load(str(tmp_path))
    assert err.value.details["field"] == field and problem in err.value.msg, err.value.msg
    assert err.value.msg.endswith(".") and err.value.hint


def test_multi_line_description_is_allowed():
    assert _manifest.validate(dict(PREDECESSOR, description="line 1\n\tline 2\r\n"))["description"] == "line 1\n\tline 2\r\n"


@pytest.mark.parametrize("pattern, value", [
    (_manifest._CHECKSUM_RE, CHECKSUM), (_manifest._ISO_RE, "2025-11-04T15:02:33Z"), (_manifest._TABLE_RE, "SQLUser.PluginTestData"),
])
def test_a_trailing_line_feed_does_not_slip_through_a_pattern(pattern, value):
    """The patterns themselves refuse it (anchored with \\A...\\Z), with re.match too - not only _text's control check
    that runs first for text fields."""
    assert pattern.match(value) and pattern.fullmatch(value)
    assert pattern.match(value + "\n") is None and pattern.fullmatch(value + "\n") is None


def test_a_table_name_with_a_trailing_line_feed_is_refused():
    with pytest.raises(IrisModuleError) as err:
        _manifest.validate(dict(PREDECESSOR, tables=[{"name": "SQLUser.PluginTestData\n", "row_count": 2}]))
    assert err.value.details["field"] == "tables[0].name"


# -- validate_fixture: the offline check of a whole fixture directory -----------------------------------------
def _make_fixture(directory, data, with_size=True, **changes):
    dat = os.path.join(str(directory), "IRIS.DAT")
    with open(dat, "wb") as handle:
        handle.write(data)
    manifest = _manifest.build("fx", "1.0.0", "USER", "2025.1", "sha256:" + hashlib.sha256(data).hexdigest(),
                               [("SQLUser.T", 1)], len(data))
    if not with_size:
        del manifest["size_bytes"]
    manifest.update(changes)
    _manifest.write(str(directory), manifest)
    return dat


def test_validate_fixture_ok(tmp_path):
    data = _blob(100000)
    dat = _make_fixture(tmp_path, data)
    manifest, dat_path = _manifest.validate_fixture(str(tmp_path))
    assert dat_path == dat and manifest["size_bytes"] == 100000


def test_validate_fixture_truncated_fails_on_size_before_hashing(tmp_path, monkeypatch):
    data = _blob(100000)
    dat = _make_fixture(tmp_path, data)
    with open(dat, "r+b") as handle:
        handle.truncate(60000)
    monkeypatch.setattr(_files, "sha256_file", lambda *a, **k: pytest.fail("hashed although the size is wrong"))
    with pytest.raises(IrisModuleError) as info:
        _manifest.validate_fixture(str(tmp_path))
    assert "truncated" in info.value.msg and "60000" in info.value.msg and "100000" in info.value.msg
    assert info.value.details["size_bytes"] == 60000 and info.value.hint


def test_validate_fixture_corrupt_fails_on_checksum(tmp_path):
    data = _blob(100000)
    dat = _make_fixture(tmp_path, data)
    with open(dat, "r+b") as handle:
        handle.seek(5000)
        handle.write(b"\xff\x00")
    with pytest.raises(IrisModuleError) as info:
        _manifest.validate_fixture(str(tmp_path))
    assert "Checksum mismatch" in info.value.msg and "corrupt" in info.value.hint
    assert info.value.details["checksum"] != info.value.details["expected_checksum"]
    # without the checksum step the same fixture passes (size is still right)
    assert _manifest.validate_fixture(str(tmp_path), verify_checksum=False)[1] == dat


def test_validate_fixture_truncated_without_size_bytes_fails_on_checksum(tmp_path):
    dat = _make_fixture(tmp_path, _blob(5000), with_size=False)
    with open(dat, "r+b") as handle:
        handle.truncate(4000)
    with pytest.raises(IrisModuleError) as info:
        _manifest.validate_fixture(str(tmp_path))
    assert "Checksum mismatch" in info.value.msg


def test_validate_fixture_missing_dat_and_directory_dat(tmp_path):
    dat = _make_fixture(tmp_path, b"x")
    os.unlink(dat)
    with pytest.raises(IrisModuleError) as info:
        _manifest.validate_fixture(str(tmp_path))
    assert "missing" in info.value.msg and "IRIS.DAT" in info.value.msg and info.value.hint
    os.mkdir(dat)
    with pytest.raises(IrisModuleError) as info:
        _manifest.validate_fixture(str(tmp_path))
    assert "not a regular file" in info.value.msg


def test_validate_fixture_other_dat_file_name(tmp_path):
    data = b"abc"
    os.mkdir(str(tmp_path / "data"))
    (tmp_path / "data" / "DB.DAT").write_bytes(data)
    manifest = _manifest.build("fx", "1", "USER", "v", "sha256:" + hashlib.sha256(data).hexdigest(), [], 3)
    manifest["dat_file"] = "data/DB.DAT"
    _manifest.write(str(tmp_path), manifest)
    assert _manifest.validate_fixture(str(tmp_path))[1] == os.path.join(str(tmp_path), "data", "DB.DAT")


def test_validate_fixture_bad_manifest_names_field(tmp_path):
    _make_fixture(tmp_path, b"abc")
    path = os.path.join(str(tmp_path), "manifest.json")
    text = open(path).read().replace('"namespace"', '"namespac"')
    with open(path, "w") as handle:
        handle.write(text)
    with pytest.raises(IrisModuleError) as info:
        _manifest.validate_fixture(str(tmp_path))
    assert info.value.details["field"] == "namespace"


def test_check_checksum(tmp_path):
    data = _blob(1000)
    _make_fixture(tmp_path, data)
    manifest = _manifest.load(str(tmp_path))
    _manifest.check_checksum(manifest, "x", "sha256:" + hashlib.sha256(data).hexdigest())
    with pytest.raises(IrisModuleError) as info:
        _manifest.check_checksum(manifest, "x", "sha256:" + "0" * 64)
    assert "Checksum mismatch for x" in info.value.msg and info.value.details["expected_checksum"] == manifest["checksum"]
