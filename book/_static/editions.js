// Year switch: reads the site's editions.json and offers every published edition.
// Served from <site>/<year>/_static/, so the site root is two folders up.
(function () {
  var script = document.currentScript;
  if (!script) return;
  var editionRoot = new URL("..", script.src);
  var siteRoot = new URL("../..", script.src);
  var current = editionRoot.pathname.replace(/\/$/, "").split("/").pop();
  function insert(editions) {
    if (!editions.length) return;
    var box = document.createElement("div");
    box.className = "sb-editions";
    var label = document.createElement("label");
    label.setAttribute("for", "sb-edition-select");
    label.textContent = "Ausgabe ";
    var select = document.createElement("select");
    select.id = "sb-edition-select";
    editions.forEach(function (e) {
      var option = document.createElement("option");
      option.value = String(e.year);
      option.textContent = String(e.year);
      if (String(e.year) === current) option.selected = true;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      var rest = window.location.href.slice(editionRoot.href.length);
      window.location.href = new URL(select.value + "/" + rest, siteRoot).href;
    });
    box.appendChild(label);
    box.appendChild(select);
    var pdf = editions.filter(function (e) { return String(e.year) === current; })[0];
    if (pdf && pdf.pdf) {
      var link = document.createElement("a");
      link.href = new URL(pdf.pdf, siteRoot).href;
      link.textContent = "PDF " + current;
      link.className = "sb-pdf-link";
      box.appendChild(link);
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
