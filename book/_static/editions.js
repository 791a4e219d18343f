// Year switch: reads the site's editions.json and offers every published edition.
// Served from <site>/<year>/_static/, so the site root is two folders up.
//
// Keyboard: a closed <select> changes its value with the arrow keys (and type-ahead) and fires
// "change" at every step; opening another edition there would take the reader away at the first
// key press (WCAG 3.2.2, "On Input"). So a change made with those keys only selects a year,
// Enter opens it; a change made with the mouse or in the opened list opens it at once.
(function () {
  var script = document.currentScript;
  if (!script) return;
  var editionRoot = new URL("..", script.src);
  var siteRoot = new URL("../..", script.src);
  var current = editionRoot.pathname.replace(/\/$/, "").split("/").pop();
  function browsingKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return false;  // Alt+ArrowDown opens the list
    return /^(Arrow|Home$|End$|Page)/.test(event.key) || (event.key.length === 1 && event.key !== " ");
  }
  function insert(editions) {
    if (!editions.length) return;
    var box = document.createElement("nav");  // a landmark: screen readers list it among the page's regions
    box.className = "sb-editions";
    box.setAttribute("aria-label", "Ausgaben");
    var label = document.createElement("label");
    label.setAttribute("for", "sb-edition-select");
    label.textContent = "Ausgabe ";
    var select = document.createElement("select");
    select.id = "sb-edition-select";
    var hint = document.createElement("span");
    hint.id = "sb-edition-hint";
    hint.className = "sb-visually-hidden";
    hint.textContent = "Pfeiltasten wählen ein Berichtsjahr, die Eingabetaste öffnet diese Seite in seiner Ausgabe.";
    select.setAttribute("aria-describedby", hint.id);
    editions.forEach(function (e) {
      var option = document.createElement("option");
      option.value = String(e.year);
      option.textContent = String(e.year);
      if (String(e.year) === current) option.selected = true;
      select.appendChild(option);
    });
    function open() {
      if (select.value === current) return;
      var rest = window.location.href.slice(editionRoot.href.length);
      window.location.href = new URL(select.value + "/" + rest, siteRoot).href;
    }
    var browsing = false;
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); open(); return; }
      browsing = browsingKey(event);
    });
    select.addEventListener("mousedown", function () { browsing = false; });
    select.addEventListener("change", function () {
      if (browsing) { browsing = false; return; }
      open();
    });
    box.appendChild(label);
    box.appendChild(select);
    box.appendChild(hint);
    var pdf = editions.filter(function (e) { return String(e.year) === current; })[0];
    if (pdf && pdf.pdf) {
      var link = document.createElement("a");
      link.href = new URL(pdf.pdf, siteRoot).href;
      link.textContent = "PDF " + current;
      link.className = "sb-pdf-link";
      box.appendChild(link);
    }
    if (pdf && pdf.annex) {
      var annex = document.createElement("a");
      annex.href = new URL(pdf.annex, siteRoot).href;
      annex.textContent = "Ortsteil-Steckbriefe " + current + " (PDF)";
      annex.className = "sb-pdf-link";
      box.appendChild(annex);
    }
    var home = document.createElement("a");
    home.href = siteRoot.href;
    home.textContent = "Alle Ausgaben";
    home.className = "sb-pdf-link";
    box.appendChild(home);
    var target = document.querySelector(".bd-sidebar-primary .sidebar-primary-items__start") ||
                 document.querySelector(".bd-sidebar-primary") || document.body;
    target.insertBefore(box, target.firstChild);
  }
  document.addEventListener("DOMContentLoaded", function () {
    fetch(new URL("editions.json", siteRoot)).then(function (r) { return r.ok ? r.json() : []; })
      .then(insert).catch(function () {});
  });
})();
