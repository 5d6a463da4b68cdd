"""Browser-test helpers: which Chromium to drive, signing in, and watching what a page loads."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package (DESIGN §2), not Playwright's download
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in CI containers
    "--disable-gpu",
    # Nothing but the page under test may reach the network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MISSING_CHROMIUM = "Chromium not installed: apt-get install -y chromium"


def require_chromium(path: Path = CHROMIUM, environ: os._Environ | dict[str, str] = os.environ) -> None:
    """Skip the browser tests without Chromium, except in CI, where that is a failure."""
    if path.exists():
        return
    if environ.get("CI"):
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    pytest.skip(MISSING_CHROMIUM)


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the form, as a person would, and wait for the page that follows."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/accounts/login/" not in page.url, page.inner_text("main")


# Every src, href, srcset and poster in the DOM, every stylesheet and every url() in CSS
# (rules, @import-ed sheets, style attributes), resolved to absolute URLs.
_COLLECT_URLS_JS = r"""
() => {
  const found = [];
  const add = (value, base) => {
    if (!value) return;
    try { found.push(new URL(value.trim(), base || document.baseURI).href); }
    catch (error) { found.push(value); }
  };
  const cssUrls = (text, base) => {
    for (const match of text.matchAll(/url\(\s*(['"]?)(.*?)\1\s*\)/g)) add(match[2], base);
  };
  for (const element of document.querySelectorAll("[src], [href], [srcset], [poster], object[data]")) {
    for (const name of ["src", "href", "poster", "data"]) add(element.getAttribute(name));
    const srcset = element.getAttribute("srcset");
    if (srcset) for (const part of srcset.split(",")) add(part.trim().split(/\s+/)[0]);
  }
  for (const element of document.querySelectorAll("[style]")) cssUrls(element.getAttribute("style"));
  const walk = (rules, base) => {
    for (const rule of rules) {
      if (rule.href !== undefined && rule.styleSheet) {  // @import
        add(rule.href, base);
        sheet(rule.styleSheet);
      } else if (rule.cssRules) {
        walk(rule.cssRules, base);
      }
      if (rule.style) cssUrls(rule.cssText, base);
    }
  };
  const sheet = (styleSheet) => {
    const base = styleSheet.href || document.baseURI;
    if (styleSheet.href) add(styleSheet.href);
    let rules;
    try { rules = styleSheet.cssRules; } catch (error) { return; }  // another origin's sheet: its href counts
    walk(rules, base);
  };
  for (const styleSheet of document.styleSheets) sheet(styleSheet);
  return found;
}
"""

_ALLOWED_SCHEMES = ("data:",)


@dataclass
class ResourceCollector:
    """Records what a page loads, and refuses (and records) every request leaving the app."""

    origin: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    referenced: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.route("**/*", self._route)

    def _route(self, route) -> None:
        if self.is_local(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def is_local(self, url: str) -> bool:
        if url.startswith(_ALLOWED_SCHEMES):
            return True
        parts, origin = urlsplit(url), urlsplit(self.origin)
        return (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc)

    def collect_references(self, page) -> list[str]:
        """Read the DOM and stylesheets of the page as it is now."""
        urls = page.evaluate(_COLLECT_URLS_JS)
        self.referenced.extend(urls)
        return urls

    def external(self) -> list[str]:
        everything = [*self.requests, *self.blocked, *self.referenced]
        return sorted({url for url in everything if not self.is_local(url)})

    def seen(self, pattern: str) -> bool:
        return any(re.search(pattern, url) for url in [*self.requests, *self.referenced])
