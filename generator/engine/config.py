"""The plugin's options in ``mkdocs.yml``, derived from their declaration in ``generator.options``.

    plugins:
      - xieshang:
          content_dir: content
          demo: true

``XieshangConfig`` has one ``Type`` option per field marked ``plugin_option``,
with the same type and default; ``options_for`` turns a loaded configuration
into the generator's ``Options``.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config

from generator.options import Options, plugin_fields

_TYPES: dict[str, type] = {
    name: hint for name, hint in typing.get_type_hints(Options).items()
    if isinstance(hint, type)
}


def _option(declared: dataclasses.Field[Any]) -> config_options.Type[Any]:
    return config_options.Type(_TYPES[declared.name], default=declared.default)


XieshangConfig: type[Config] = type(
    "XieshangConfig", (Config,),
    {declared.name: _option(declared) for declared in plugin_fields()},
)


def options_for(config: Config, *, site_name: str, site_url: str | None,
                repo_url: str | None = None) -> Options:
    """The generator's options from the plugin's configuration and the engine's own settings."""
    plugin = {declared.name: config[declared.name] for declared in plugin_fields()}
    return Options(**plugin, site_name=site_name, site_url=site_url, repo_url=repo_url)
