"""The content extension point, and the rule that workshops never depends on deliberation."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from workshops import extensions

WORKSHOPS = Path(extensions.__file__).resolve().parent
ROOT = WORKSHOPS.parent
BANNED = "deliberation"


def _names_deliberation(name: str | None) -> bool:
    return bool(name) and (name == BANNED or name.startswith(BANNED + "."))


def _imports_of_deliberation(path: Path) -> list[str]:
    """Each import of deliberation in a module, static or by a string given to a call (import_module, get_model)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [f"{path.name}:{node.lineno} import {a.name}" for a in node.names if _names_deliberation(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _names_deliberation(node.module):
            found.append(f"{path.name}:{node.lineno} from {node.module}")
        elif isinstance(node, ast.Call):
            found += [f"{path.name}:{node.lineno} call with {arg.value!r}" for arg in node.args
                      if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                      and _names_deliberation(arg.value.split(":")[0])]
    return found


def test_no_module_of_workshops_imports_deliberation():
    modules = sorted(WORKSHOPS.rglob("*.py"))
    assert len(modules) > 30  # every module, migrations and management commands included
    assert [hit for path in modules for hit in _imports_of_deliberation(path)] == []


def test_the_ast_check_sees_each_way_of_importing(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("import deliberation.models\nfrom deliberation import hooks\nimport deliberationist\n"
                      "from django.apps import apps\napps.get_model('deliberation', 'Board')\n"
                      "importlib.import_module('deliberation.selectors')\n")
    assert [hit.split(" ", 1)[0] for hit in _imports_of_deliberation(module)] == ["bad.py:1", "bad.py:2", "bad.py:5",
                                                                                  "bad.py:6"]


# Django set up without deliberation (nor frontend, which builds on it), deliberation made unimportable,
# then every module of workshops imported: any import of it, even one done inside a function at import
# time, fails. Without the content app the hooks are a clear error, not a silent no-op.
WITHOUT_DELIBERATION = """
import importlib, pkgutil, sys
from importlib.abc import MetaPathFinder

class Blocked(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "deliberation" or name.startswith("deliberation."):
            raise ImportError("workshops imported " + name)

sys.meta_path.insert(0, Blocked())
import django
from django.conf import settings
import config.settings as base
values = {k: getattr(base, k) for k in dir(base) if k.isupper()}
values["INSTALLED_APPS"] = [a for a in base.INSTALLED_APPS if a not in ("deliberation", "frontend")]
values["ROOT_URLCONF"] = "workshops.urls"
settings.configure(**values)
django.setup()
import workshops
names = [m.name for m in pkgutil.walk_packages(workshops.__path__, "workshops.")]
for name in names:
    importlib.import_module(name)
assert not [m for m in sys.modules if m.split(".")[0] == "deliberation"]
from django.core.exceptions import ImproperlyConfigured
from workshops.extensions import content_hooks
try:
    content_hooks()
except ImproperlyConfigured as error:
    print(len(names), "modules;", error)
else:
    raise AssertionError("content_hooks() answered without a registration")
"""


def test_workshops_imports_and_runs_up_to_its_hooks_without_deliberation():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-c", WITHOUT_DELIBERATION], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "modules; No content hooks registered" in done.stdout


def test_deliberation_registers_its_content_once():
    from deliberation.hooks import CONTENT
    assert extensions.content_hooks() is CONTENT
    extensions.content_hooks_register(CONTENT)  # AppConfig.ready run again changes nothing
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        extensions.content_hooks_register(object())
    assert extensions.content_hooks() is CONTENT
