// The header's language switch (Material's links with hreflang) keeps the page's state: the
// explorer keeps its whole state in the query string, so a link to the same page in the other
// language takes the current query string and hash along when it is followed, opened in a new
// tab or copied.

/** `href` with the query string and hash of `current`. */
export function withState(href, current) {
  const url = new URL(href, current);
  const here = new URL(current);
  url.search = here.search;
  url.hash = here.hash;
  return url.href;
}

/** Keep the state on every language link of `doc`, just before it is used. */
export function keepStateAcrossLanguages(doc = document) {
  const update = (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[hreflang]") : null;
    if (link) link.href = withState(link.href, doc.location.href);
  };
  for (const type of ["pointerdown", "focusin", "click", "auxclick", "contextmenu"]) {
    doc.addEventListener(type, update, true);
  }
}
