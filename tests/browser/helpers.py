"""What the browser tests do again and again: sign in, check a page with axe-core,
move the focus with the keyboard, save a screenshot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.factories import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

VIEWPORT = {"width": 1280, "height": 800}

#: Reports every Content-Security-Policy violation to the test (through a binding,
#: which outlives navigations, unlike a variable on window).
WATCH_SCRIPT = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`
  );
});
"""


_axe = Axe()


@dataclass
class Watch:
    """What the browser reported behind the test's back."""

    csp_violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.csp_violations, f"Content-Security-Policy violations: {self.csp_violations}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


def new_context(browser: Browser, watch: Watch, **options) -> BrowserContext:
    """A fresh browser profile (1280×800, British English) whose CSP violations and
    uncaught JavaScript errors end up in ``watch``."""
    options = {"viewport": VIEWPORT, "locale": "en-GB", **options}
    context = browser.new_context(**options)
    context.set_default_timeout(5_000)
    context.expose_function("reportCspViolation", lambda text: watch.csp_violations.append(text))
    context.add_init_script(WATCH_SCRIPT)
    context.on("weberror", lambda error: watch.errors.append(str(error.error)))
    context.on(
        "console",
        lambda message: (
            watch.csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return context


@contextmanager
def page_of_its_own(browser: Browser, watch: Watch, base_url: str, **options) -> Iterator[Page]:
    """A page in a browser profile of its own (another screen size, another
    language), closed afterwards."""
    context = new_context(browser, watch, base_url=base_url, **options)
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in(page: Page, user, *, path: str = "/accounts/login/") -> None:
    """Sign in through the real login form, as a person does."""
    page.goto(path)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    results = _axe.run(page)
    blocking = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert not blocking, "\n".join(
        f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(
            f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"]
        )
        for violation in blocking
    )


def focused(page: Page) -> dict:
    """The focused element: its tag, id, accessible text and focus outline."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {
            tag: el.tagName.toLowerCase(),
            id: el.id,
            text: (el.getAttribute("aria-label") || el.innerText || el.value || "").trim(),
            label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : "",
            // A date field's focus sits in its day/month/year parts, where
            // Chromium does not report :focus-visible on the input itself.
            focusVisible:
              el.matches(":focus-visible") ||
              (el.type === "date" && el.matches(":focus-within")),
            outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
          };
        }"""
    )


FOCUS_OUTLINE_AT_LEAST_2PX = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
}"""

STYLESHEETS = """() => Array.from(document.styleSheets, (sheet) => {
  let rules;
  try { rules = sheet.cssRules.length; } catch (error) { rules = String(error); }
  return `${sheet.href}: ${rules} rules`;
})"""


def assert_focus_visible(page: Page) -> None:
    """The focused element shows a focus indicator a person can see."""
    state = focused(page)
    assert state["focusVisible"], f"focus is not visible on {state}"
    if state["outline"] < 2:
        # Once in CI, right after a page was reached with Enter, the skip link
        # had Chromium's own 1px ring, as if the page's stylesheet was not applied
        # yet. Give the page up to 2 s to style the focus; a missing outline rule
        # still fails, with what the page had loaded.
        try:
            page.wait_for_function(FOCUS_OUTLINE_AT_LEAST_2PX, timeout=2_000)
        except PlaywrightTimeoutError:
            state = {**focused(page), "stylesheets": page.evaluate(STYLESHEETS)}
            raise AssertionError(f"no focus outline on {state}") from None


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until ``target`` has the focus, checking on the way
    that the focus is always visible."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        assert_focus_visible(page)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def screenshot(page: Page, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=full_page, animations="disabled")
