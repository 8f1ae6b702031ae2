"""The package's layout: stages that import only earlier stages, a core without the engine,
and every plugin option documented in the README."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.options import Options, plugin_fields

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"

# The pipeline's stages in order (ARCHITECTURE.md); a module may import from its
# own stage and from earlier ones, never from a later one.
STAGES = ("options", "records", "printing", "data", "feeds", "site", "search", "engine", "cli")


def stage_of(module: str) -> str:
    """``generator.site.render`` -> ``site``; the package's entry points are ``cli``."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("cli", "__main__"):
        return "cli"
    return parts[1]


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every ``generator...`` module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "generator"}


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_stage() -> None:
    assert {stage_of(module_name(path)) for path in MODULES} == set(STAGES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_imports_from_a_later_stage(path: Path) -> None:
    here = STAGES.index(stage_of(module_name(path)))
    later = sorted(name for name in imported_modules(path)
                   if name != "generator" and STAGES.index(stage_of(name)) > here)
    assert later == [], f"{module_name(path)} imports from a later stage"


def test_the_stage_check_sees_an_import_from_a_later_stage(tmp_path: Path) -> None:
    module = tmp_path / "x.py"
    module.write_text("def f():\n    from generator.site import render\n", encoding="utf-8")
    assert imported_modules(module) == {"generator.site", "generator.site.render"}
    assert STAGES.index(stage_of("generator.site.render")) > STAGES.index("records")


def test_the_core_never_imports_the_engine() -> None:
    """Every module outside ``generator/engine/`` imports without MkDocs (or ProperDocs)."""
    core = [module_name(path) for path in MODULES
            if stage_of(module_name(path)) != "engine" and path.name != "__main__.py"]
    code = (
        "import sys\n"
        f"for name in {core!r}:\n"
        "    __import__(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'properdocs'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def documented_options() -> dict[str, str]:
    """The plugin options table of the README: option name -> default as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| `([^`]*)` \|", readme, flags=re.MULTILINE)
    return dict(rows)


def test_every_plugin_option_is_documented_with_its_default() -> None:
    declared = {option.name: option.default for option in plugin_fields()}
    documented = documented_options()
    assert sorted(documented) == sorted(declared)
    for name, default in declared.items():
        written = str(default).lower() if isinstance(default, bool) else str(default)
        assert documented[name] == written, name


def test_options_have_one_default_each() -> None:
    """The engine's configuration class is derived from ``Options``: the same names and
    defaults, never declared twice."""
    from generator.engine.config import XieshangConfig

    config = XieshangConfig()
    config.load_dict({})
    assert config.validate() == ([], [])
    assert dict(config) == {option.name: getattr(Options(), option.name)
                            for option in plugin_fields()}


def test_no_file_of_the_package_is_ignored_by_git() -> None:
    """A new module that .gitignore swallows works here and is missing from every clone."""
    files = [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    git = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=ROOT,
                         input="\n".join(str(p.relative_to(ROOT)) for p in files),
                         capture_output=True, text=True, check=False)
    assert git.returncode in (0, 1), git.stderr  # 1: nothing ignored
    assert git.stdout == ""


def test_ruff_lints_every_module() -> None:
    """`make test` lints the package; an exclude pattern must not silently leave a folder out."""
    ruff = Path(sys.executable).with_name("ruff")
    listed = subprocess.run([str(ruff), "check", "--show-files", "generator"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    assert {Path(name).resolve() for name in listed} >= {path.resolve() for path in MODULES}
