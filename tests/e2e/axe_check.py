"""The automated accessibility check: axe-core (npm, pinned in tests/e2e/package-lock.json) injected into
the page as it is in the browser, run with its default rules (WCAG 2.0/2.1/2.2 A and AA and best
practices). Serious and critical violations fail; every result is kept for the end-of-run summary."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# (page label, violations) of every check in this run, for pytest_terminal_summary.
RESULTS: list[tuple[str, list[dict[str, Any]]]] = []

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  if (!result.passes.length) throw new Error('axe-core ran no rule that passed: is the page empty?');
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.length,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
    summary: v.nodes.length ? v.nodes[0].failureSummary : '',
  }));
}"""


@functools.cache
def _axe_source() -> str:
    # axe.min.js sets window.axe when `module` is undefined, as inside this function.
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Any, label: str) -> list[dict[str, Any]]:
    """All violations on the page as it is now; recorded under `label`."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the pages' Content-Security-Policy
        # (script-src 'self') does not govern; a <script> tag would be blocked, as it should be.
        page.evaluate(f"() => {{ {_axe_source()}\n}}")
        page.evaluate("() => { if (window.axe === undefined) throw new Error('axe-core did not load'); }")
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    RESULTS.append((label, violations))
    return violations


def assert_accessible(page: Any, label: str) -> list[dict[str, Any]]:
    """Fails on serious or critical violations, naming each rule, its elements and axe's advice."""
    violations = axe_violations(page, label)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core: serious/critical violations on {label} ({page.url}):\n" + "\n".join(
        f"- {v['id']} ({v['impact']}, {v['nodes']} elements): {v['help']}; e.g. {v['targets']}; "
        f"{v['summary']}"
        for v in blocking
    )
    return violations
