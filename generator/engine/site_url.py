"""The public address the printed notices' QR codes point at: ``site_url``, never a preview's."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from generator.printing.qr import SiteUrlError, site_base

log = logging.getLogger("mkdocs.plugins.xieshang")

_NO_SITE_URL = """xieshang: site_url is not set in mkdocs.yml.
Printed notices carry a QR code with each case's permanent address, <site_url>cases/<id>/,
so the build needs the public address the site is published at. Add it to mkdocs.yml, e.g.

    site_url: https://example.org/archive/

（未设置 site_url：公示上的二维码指向案例的永久地址，需要网站的正式发布地址。）"""


def public_site_url(config: MkDocsConfig) -> str | None:
    """The configured ``site_url``, checked; never the address of a local preview.

    ``mkdocs serve`` replaces ``site_url`` with its own address
    (``http://127.0.0.1:8000/...``) before plugins run. A notice printed from a
    preview and pinned on a board must still point at the public site, so
    then the value is read from the config file again; a preview of a config
    without one shows notices without a QR code. A build without one fails.
    """
    url = config.site_url
    preview = bool(url) and _is_dev_address(str(url), config.dev_addr)
    if preview:
        url = _configured_site_url(config)
    if not url:
        if preview:
            log.warning("xieshang: site_url is not set in mkdocs.yml: notices in this preview "
                        "carry no QR code, and `mkdocs build` will fail until it is set")
            return None
        raise PluginError(_NO_SITE_URL)
    try:
        return site_base(str(url))
    except SiteUrlError as error:
        raise PluginError(f"xieshang: {error}") from None


def _is_dev_address(url: str, dev_addr: Any) -> bool:
    parts = urlsplit(url)
    host, port = dev_addr
    return parts.hostname == str(host).strip("[]") and parts.port == int(port)


def _configured_site_url(config: MkDocsConfig) -> str | None:
    """``site_url`` as the config file says (with ``!ENV`` and ``INHERIT``, as MkDocs reads it)."""
    if not config.config_file_path:
        return None
    with open(config.config_file_path, "rb") as source:
        value = yaml_load(source, get_yaml_loader(config=config)).get("site_url")
    return str(value) if value else None
