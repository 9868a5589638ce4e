from django.apps import AppConfig


class SampleConfig(AppConfig):
    """A record type that exists only in the test settings: an education-class, need-to-know case,
    so the generic machinery's access log and case-membership rules are exercised by the generated tests."""

    name = "srodesk.core.tests.sample"
    label = "sample"
    verbose_name = "Sample cases"
