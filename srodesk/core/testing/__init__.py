"""Generated tests for every registered record type (NetBox style).

A model's whole UI test is a subclass that supplies data only::

    class SchoolViewTests(ViewTestCases.RecordViewTests):
        model = School
        factory = SchoolFactory
        scope = "district"
        def get_form_data(self): return {"district": self.district_home.pk, "name": "New", ...}

Each view and endpoint is tested as anonymous, without permission, with permission in scope and with
permission out of scope (404, nothing changed), plus export scope, audit rows and query counts.
"""

from .cases import APITestCases, Scenario, ViewTestCases

__all__ = ["APITestCases", "Scenario", "ViewTestCases"]
