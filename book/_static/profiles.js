// The index of the Ortsteil profiles: filter the table by a search text and by Stadtbezirk.
(function () {
  function start() {
    var search = document.getElementById("sb-ot-search");
    var district = document.getElementById("sb-ot-sbz");
    var count = document.getElementById("sb-ot-count");
    var table = document.querySelector("table.sb-ot-index");
    if (!search || !district || !table) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function norm(text) { return text.toLocaleLowerCase("de").normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
    function update() {
      var wanted = norm(search.value.trim());
      var sbz = district.value;
      var shown = 0;
      rows.forEach(function (row) {
        var match = (!sbz || row.getAttribute("data-sbz") === sbz) && (!wanted || norm(row.textContent).indexOf(wanted) >= 0);
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      count.textContent = shown + " von " + rows.length + " Ortsteilen";
    }
    search.addEventListener("input", update);
    district.addEventListener("change", update);
    update();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
