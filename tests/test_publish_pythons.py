"""reports/loops.toml rows for CPython 3.14/3.15 beside a row of the publisher's own Python (issue #17)."""

import pathlib

from loopconf import publish

REPO = pathlib.Path(__file__).resolve().parent.parent


def test_a_shared_name_keeps_the_plain_folder_for_the_publishers_python(tmp_path):
    table = tmp_path / "loops.toml"
    table.write_text(
        "".join(
            f'[[loop]]\nname = "uvloop"\nfactory = "uvloop:new_event_loop"\npackage = "uvloop"\n'
            f'version = "0.23.0"\npython = "{py}"\n\n'
            for py in ("", "3.14", "3.15")
        )
    )
    rows = publish.load_rows(table)
    assert [r.key for r in rows] == ["uvloop", "uvloop@3.14", "uvloop@3.15"]
    assert [r.folder("0.23.0") for r in rows] == ["uvloop-0.23.0", "uvloop-0.23.0-py3.14", "uvloop-0.23.0-py3.15"]
    for row in rows:
        assert publish.row_of(tmp_path / row.folder("0.23.0"), rows) is row


def test_the_real_table_has_uvloop_on_314_and_315():
    rows = {row.key: row for row in publish.load_rows(REPO / "reports" / "loops.toml")}
    for py in ("3.14", "3.15"):
        assert rows[f"uvloop@{py}"].requirements == ["uvloop==0.23.0"]
    assert rows["uvloop"].folder("0.23.0") == "uvloop-0.23.0"
