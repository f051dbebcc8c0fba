"""What the workspace's browser tests share: viewports, screenshots, the axe audit.

Not a test module (no ``test_`` prefix): ``tests/browser/`` is on ``sys.path`` while
its tests run, so they import it as ``workspace_tour`` (as the portal's import
``portal_tour``).
"""

from __future__ import annotations

from typing import Final

from browser_harness import SCREENSHOTS
from playwright.sync_api import Page

AXE_PATH: Final = "/__test-only__/axe.min.js"
WCAG_TAGS: Final = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
IMPACTS_FAILING: Final = frozenset({"serious", "critical"})
VIEWPORTS: Final = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 360, "height": 740},
}
TIMEOUT_MS: Final = 20_000


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"workspace-{name}.png"), full_page=True)


def axe_failures(page: Page, base_url: str, where: str) -> list[str]:
    """axe's serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    page.add_script_tag(url=base_url + AXE_PATH)
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                      resultTypes: ["violations"]})""",
        list(WCAG_TAGS),
    )
    return [
        f"{where}: {v['id']}: {v['help']} on "
        + str([" ".join(map(str, n["target"])) for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in IMPACTS_FAILING
    ]
