// Every page of the site (mkdocs.yml extra_javascript): a table that needs more width than the
// page has scrolls inside Material's wrapper; that wrapper gets keyboard focus (and a name), so
// it can be scrolled without a mouse.
function focusableScrolling() {
  for (const wrap of document.querySelectorAll(".md-typeset__scrollwrap")) {
    if (wrap.scrollWidth <= wrap.clientWidth || wrap.hasAttribute("tabindex")) continue;
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    const head = wrap.querySelector("th");
    wrap.setAttribute("aria-label", head ? head.textContent.trim() : document.title);
  }
}

if (document.readyState === "complete") focusableScrolling();
else addEventListener("load", focusableScrolling);
addEventListener("resize", focusableScrolling);
