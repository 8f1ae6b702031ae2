"""Everything the benchmarks assume about the rest of the project, in one place.

When the generator, the MkDocs plugin or the search step changes its
interface, adapt the function here and nothing else:

* `check_argv`: the `check` command over a content folder.
* `generate_docs`: the generator alone, content folder -> Markdown docs tree,
  run the way the plugin runs it.
* `prepare_site_dir`: a work folder in which `mkdocs build` runs the project's
  own mkdocs.yml, unchanged, over the synthetic content.
* `plain_config`: a config that builds an already generated docs tree with
  the same theme, navigation and Markdown extensions, without our plugin.
* `search_built`: whether the build produced a search index (Pagefind).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bench.machine import ROOT

PROJECT_CONFIG = ROOT / "mkdocs.yml"
OUR_PLUGINS = frozenset({"xieshang"})
# Top-level entries of the repository a work folder never links to.
NOT_LINKED = frozenset({"content", "build", "site", "bench", ".git", ".venv", "mkdocs.yml"})


def check_argv(content: Path) -> list[str]:
    """`python -m generator check` over the whole of `content` (platforms included)."""
    return [sys.executable, "-m", "generator", "check", "--content", str(content)]


def generate_docs(config_file: Path) -> None:
    """The generator alone: MkDocs reads `config_file` and every plugin's
    `on_config` runs, which is where ours validates the records and writes the
    docs tree with the options the config gives it (site_url for QR codes,
    demo, git dates). Nothing of the engine's page building runs.
    (bench/steps.py calls this in a subprocess of its own.)"""
    from mkdocs.config import load_config

    config = load_config(config_file=str(config_file))
    config.plugins.on_config(config)


def prepare_site_dir(work: Path) -> Path:
    """Make `work` look like the repository to mkdocs.yml: its own copy of the
    config, links to the folders the config names (theme overrides, ...), and
    the synthetic `content/` already in place. Returns the config path."""
    text = PROJECT_CONFIG.read_text(encoding="utf-8")
    config = work / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    for entry in sorted(ROOT.iterdir()):
        link = work / entry.name
        if _named_as_path(entry, text) and not link.exists() and not link.is_symlink():
            link.symlink_to(entry)
    return config


def without_size_warning(config: Path) -> None:
    """Turn off the plugin's warning about sites over GitHub Pages' 1 GB (``size_warning_mb:
    0``): from about 20,000 cases the site is larger, and under ``--strict`` the warning
    fails the build (and a build that warned leaves no state for a warm one)."""
    text = config.read_text(encoding="utf-8")
    anchor = "  - xieshang:\n"
    if anchor not in text:
        raise ValueError(f"no xieshang plugin entry in {config}")
    config.write_text(text.replace(anchor, anchor + "      size_warning_mb: 0\n", 1),
                      encoding="utf-8")


def _named_as_path(entry: Path, config_text: str) -> bool:
    """Whether a value in mkdocs.yml is `entry`'s name or starts with `name/`.
    Python packages are never linked: the work folder is on sys.path."""
    if entry.name in NOT_LINKED or entry.name.startswith(".") or (entry / "__init__.py").exists():
        return False
    value = re.compile(rf"""(?:^|[:\-]\s)['"]?{re.escape(entry.name)}(?:/|['"]?\s*$)""", re.M)
    return bool(value.search(config_text))


def serve_argv(config: Path, address: str) -> list[str]:
    """`mkdocs serve` as `make serve` runs it, on `address` (host:port)."""
    return [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-f", str(config), "-a", address]


def served_path(config: Path) -> str:
    """The path `mkdocs serve` serves the site under: that of `site_url` (e.g. /archive/)."""
    site_url = _load(config).get("site_url") or "/"
    path = urlsplit(str(site_url)).path or "/"
    return path if path.endswith("/") else path + "/"


def built_docs_dir(work: Path) -> Path:
    """Where the plugin wrote the Markdown tree (its `build_dir`)."""
    options = _our_plugin_options(_load(PROJECT_CONFIG))
    return work / options.get("build_dir", "build/docs")


def plain_config(site_config: Path, docs: Path, no_overrides: Path) -> str:
    """mkdocs.yml text for `docs` with everything of the project's config but our
    plugins and theme overrides (`no_overrides` is an empty folder that takes
    their place): the engine's own cost on the same pages."""
    config = _load(site_config)
    others = [p for p in _plugins(config) if _plugin_name(p) not in OUR_PLUGINS]
    no_overrides.mkdir(parents=True, exist_ok=True)
    plain = {
        "INHERIT": str(site_config),
        "docs_dir": str(docs),
        "plugins": others,
        "hooks": [],
        "theme": {"custom_dir": str(no_overrides)},
        "strict": False,
    }
    return yaml.safe_dump(plain, allow_unicode=True, sort_keys=False)


def search_built(site: Path) -> bool:
    """Pagefind writes its bundle to `site/pagefind/` (pagefind-entry.json inside)."""
    return (site / "pagefind" / "pagefind-entry.json").exists()


def pagefind_argv(site: Path, out: Path) -> list[str]:
    """Index an already built site again, into `out`, to time the indexer alone."""
    return [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(out)]


# ---------------------------------------------------------------- helpers


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml even with tags (`!ENV`, `!!python/name:`): their values
    are kept as plain text, which is enough to find the plugins."""


def _any_tag(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_TolerantLoader.add_multi_constructor("!", _any_tag)
_TolerantLoader.add_multi_constructor("tag:", _any_tag)


def _load(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}


def _plugins(config: dict[str, Any]) -> list[Any]:
    plugins = config.get("plugins", ["search"])  # MkDocs' default
    if isinstance(plugins, dict):
        return [{name: options} for name, options in plugins.items()]
    return list(plugins)


def _plugin_name(entry: Any) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


def _our_plugin_options(config: dict[str, Any]) -> dict[str, Any]:
    for entry in _plugins(config):
        if _plugin_name(entry) == "xieshang" and isinstance(entry, dict):
            return entry["xieshang"] or {}
    return {}
