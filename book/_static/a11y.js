// Accessibility repairs of the theme's markup (pydata-sphinx-theme 0.17, sphinx-book-theme 1.3).
//
// The navigation sidebar shows sub-pages in <details>; its <summary> holds only a chevron icon
// marked role="presentation" (pydata_sphinx_theme/toctree.py, add_collapse_checkboxes), so a
// screen reader announces an unnamed button (axe rule summary-name). The theme has no option for
// a label; the name is given here, from the link that the toggle belongs to.
(function () {
  function nameToggles() {
    document.querySelectorAll("nav summary").forEach(function (summary) {
      if (summary.textContent.trim() || summary.hasAttribute("aria-label")) return;
      var item = summary.closest("li");
      var link = item && item.querySelector(":scope > a");
      var title = link ? link.textContent.trim() : "";
      summary.setAttribute("aria-label", title ? "Unterseiten von " + title : "Unterseiten");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", nameToggles);
  else nameToggles();
})();

// The part captions of the sidebar carry role="heading" but no level (axe rule aria-required-attr);
// they head the lists below the site title, hence level 2.
(function () {
  function levelCaptions() {
    document.querySelectorAll('p.caption[role="heading"]:not([aria-level])').forEach(function (caption) {
      caption.setAttribute("aria-level", "2");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", levelCaptions);
  else levelCaptions();
})();
