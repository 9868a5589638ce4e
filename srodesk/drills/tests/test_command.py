from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from .helpers import conducted, school_in

pytestmark = pytest.mark.django_db


def test_command_prints_what_is_missing_and_fails_on_request() -> None:
    school = school_in("MI")
    conducted(school, dt.date(2026, 9, 10))
    conducted(school, dt.date(2026, 10, 15))
    out = io.StringIO()
    call_command("drill_compliance", "--as-of", "2026-11-20", "--district", school.district.slug, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        f"{school.district.name} / {school.name}: Non-compliant (Michigan school drills, 2026–2027, as of 2026-11-20)"
    )
    assert "  - At risk: 3 fire drills by December 1. 1 more fire drill by 2026-12-01." in lines
    assert "      Publish the 2026-09-10 fire / evacuation drill: it was due by 2026-10-22." in lines
    with pytest.raises(SystemExit) as exit_info:
        call_command("drill_compliance", "--as-of", "2026-11-20", "--fail-on", "at_risk", stdout=io.StringIO())
    assert exit_info.value.code == 1


def test_command_rejects_a_bad_date_and_an_unknown_district() -> None:
    with pytest.raises(CommandError, match="is not a date"):
        call_command("drill_compliance", "--as-of", "20-11-2026")
    with pytest.raises(CommandError, match="No district 'nowhere'"):
        call_command("drill_compliance", "--district", "nowhere")
