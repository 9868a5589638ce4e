import pytest
from django.core.exceptions import ImproperlyConfigured

from srodesk.config.env import env_bool, env_int, env_list, env_secret, env_str


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("YES", True), ("0", False), ("off", False)])
def test_env_bool(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", not expected) is expected


def test_empty_values_mean_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "")
    monkeypatch.setenv("NUMBER", " ")
    monkeypatch.setenv("TEXT", "")
    assert env_bool("FLAG", True) is True  # an empty MFA_REQUIRED must not turn MFA off
    assert env_int("NUMBER", 30) == 30
    assert env_str("TEXT", "default") == "default"


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be true or false"):
        env_bool("FLAG")
    monkeypatch.setenv("NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="NUMBER must be an integer"):
        env_int("NUMBER", 1)
    monkeypatch.setenv("NUMBER", "3")
    with pytest.raises(ImproperlyConfigured, match="at least 12"):
        env_int("NUMBER", 12, minimum=12)


def test_lists_and_secret_files(monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]
    secret = tmp_path / "key"  # type: ignore[operator]
    secret.write_text("s3cret\n")
    monkeypatch.setenv("KEY_FILE", str(secret))
    assert env_secret("KEY") == "s3cret"
    monkeypatch.setenv("KEY_FILE", str(secret) + ".missing")
    with pytest.raises(ImproperlyConfigured, match="KEY_FILE"):
        env_secret("KEY")
