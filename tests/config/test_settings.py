"""Settings that keep a deployment safe: no server without a SECRET_KEY of its own unless DEBUG is on."""
import os
import subprocess
import sys

from django.utils import translation

from harness.services import REPO_ROOT


def import_settings(**env) -> subprocess.CompletedProcess:
    """Import config.settings in a fresh interpreter with only these settings in the environment."""
    base = {k: v for k, v in os.environ.items()
            if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run([sys.executable, "-c", "import config.settings as s; print(s.SECRET_KEY)"],
                          cwd=REPO_ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60)


def test_settings_refuse_to_load_without_a_secret_key_when_debug_is_off():
    for env in ({}, {"DEBUG": "0"}, {"DEBUG": "0", "SECRET_KEY": ""}):
        result = import_settings(**env)
        assert result.returncode != 0, env
        assert "ImproperlyConfigured: SECRET_KEY must be set whenever DEBUG is off" in result.stderr


def test_settings_use_the_given_secret_key_and_fall_back_to_a_development_key_only_in_debug():
    assert import_settings(SECRET_KEY="k" * 50).stdout.strip() == "k" * 50
    debug = import_settings(DEBUG="1")
    assert debug.returncode == 0 and debug.stdout.strip().startswith("insecure-development-key")


def test_deploy_check_fails_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_the_page_translations_are_found_through_the_frontend_app():
    with translation.override("nl"):
        assert translation.gettext("Breakout rooms") == "Groepen"
    with translation.override("fr"):
        assert translation.gettext("Breakout rooms") != "Breakout rooms"
