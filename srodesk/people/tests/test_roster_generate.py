"""The synthetic OneRoster generator: spec-shaped files, the quirks real exporters write, deterministic output."""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from srodesk.people.roster.generate import USERS_11, USERS_12, generate

pytestmark = pytest.mark.django_db


def rows_of(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def manifest_of(folder: Path) -> dict[str, str]:
    return dict(tuple(row) for row in rows_of(folder / "manifest.csv")[1:])  # type: ignore[misc]


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", students=60, schools=3, version="1.2", seed=9)
    second = generate(tmp_path / "b", students=60, schools=3, version="1.2", seed=9)
    other = generate(tmp_path / "c", students=60, schools=3, version="1.2", seed=10)

    names = sorted(p.name for p in first.path.iterdir())
    assert names == sorted(p.name for p in second.path.iterdir())
    assert all((first.path / n).read_bytes() == (second.path / n).read_bytes() for n in names)
    assert (first.path / "users.csv").read_bytes() != (other.path / "users.csv").read_bytes()


def test_a_zip_is_deterministic_too(tmp_path: Path) -> None:
    generate(tmp_path / "a.zip", students=30, schools=2, version="1.1", seed=4)
    generate(tmp_path / "b.zip", students=30, schools=2, version="1.1", seed=4)

    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert sorted(archive.namelist()) == [
            "academicSessions.csv",
            "demographics.csv",
            "enrollments.csv",
            "manifest.csv",
            "orgs.csv",
            "users.csv",
        ]


@pytest.mark.parametrize(("version", "columns"), [("1.1", USERS_11), ("1.2", USERS_12)])
def test_users_have_the_spec_columns_in_order_plus_extensions(tmp_path: Path, version: str, columns: tuple) -> None:
    result = generate(tmp_path / "set", students=20, schools=2, version=version, seed=1)

    header = rows_of(result.path / "users.csv")[0]
    assert header[: len(columns)] == list(columns)
    assert header[-1] == "ext_homeroom"
    assert ("metadata.idea" in header) is (version == "1.1")


def test_the_manifest_lists_every_file_of_the_version(tmp_path: Path) -> None:
    result = generate(tmp_path / "set", students=20, schools=2, version="1.2", seed=1)

    manifest = manifest_of(result.path)
    assert manifest["oneroster.version"] == "1.2"
    assert manifest["manifest.version"] == "1.0"
    assert {k: v for k, v in manifest.items() if v == "bulk"} == {
        "file.academicSessions": "bulk",
        "file.demographics": "bulk",
        "file.enrollments": "bulk",
        "file.orgs": "bulk",
        "file.users": "bulk",
        "file.roles": "bulk",
    }
    assert manifest["file.userProfiles"] == "absent"
    assert len([k for k in manifest if k.startswith("file.")]) == 21


def test_bulk_files_carry_the_usual_exporter_quirks(tmp_path: Path) -> None:
    result = generate(tmp_path / "set", students=40, schools=3, version="1.1", seed=2)

    raw = (result.path / "users.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == raw.count(b"\n")
    users = rows_of(result.path / "users.csv")
    header = users[0]
    status, modified = header.index("status"), header.index("dateLastModified")
    assert any(row[status] == "" for row in users[1:])
    assert any(row[modified] == "" for row in users[1:])
    # Multi-valued cells are quoted: guardians list their children, students their guardians.
    assert b'"grd-' in raw or b'"stu-' in raw
    stamps = {row[modified][19:] for row in users[1:] if row[modified]}
    assert {".000Z", "Z"} <= stamps


def test_quirks_use_the_one_zero_demographics_headers_and_drop_optional_columns(tmp_path: Path) -> None:
    result = generate(tmp_path / "set", students=40, schools=2, version="1.1", seed=2, quirks=True)

    header = rows_of(result.path / "demographics.csv")[0]
    assert header[:5] == ["userSourcedId", "status", "dateLastModified", "birthdate", "sex"]
    assert "password" not in rows_of(result.path / "users.csv")[0]
    births = [row[3] for row in rows_of(result.path / "demographics.csv")[1:]]
    assert any("/" in b for b in births)
    assert any("-" in b for b in births)


def test_schools_have_twelve_digit_nces_ids(tmp_path: Path) -> None:
    result = generate(tmp_path / "set", students=10, schools=4, version="1.2", seed=3)

    orgs = rows_of(result.path / "orgs.csv")
    schools = [row for row in orgs[1:] if row[4] == "school"]
    assert len(schools) == 4
    assert all(len(row[5]) == 12 and row[5].isdigit() for row in schools)
    assert [row[4] for row in orgs[1:]].count("district") == 1


def test_a_delta_updates_deletes_and_adds(tmp_path: Path) -> None:
    result = generate(tmp_path / "delta", students=200, schools=3, version="1.2", seed=5, delta=True)

    manifest = manifest_of(result.path)
    assert manifest["file.users"] == "delta"
    assert manifest["file.academicSessions"] == "absent"
    users = rows_of(result.path / "users.csv")
    statuses = [row[1] for row in users[1:]]
    assert statuses.count("tobedeleted") == 200 // 50 + 1
    assert "" not in statuses
    assert all(row[2] for row in users[1:])
    assert result.expected["users.csv"] == {
        "rows": 23,
        "created": 7,
        "updated": 11,
        "deactivated": 5,
        "unchanged": 0,
    }


def test_the_command_writes_a_folder_or_a_zip(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("generate_roster", str(tmp_path / "set.zip"), students=25, schools=2, seed=3, stdout=out)
    call_command("generate_roster", str(tmp_path / "set"), students=25, schools=2, oneroster_version="1.1", stdout=out)

    assert zipfile.is_zipfile(tmp_path / "set.zip")
    assert (tmp_path / "set" / "manifest.csv").exists()
    assert "OneRoster 1.2 bulk set written to" in out.getvalue()
    assert "users.csv: " in out.getvalue()


def test_bad_sizes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one student"):
        generate(tmp_path / "x", students=0, schools=1)
