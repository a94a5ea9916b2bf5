/*
 * The Chronicle: Tab and Shift+Tab move through the search results.
 *
 * Material for MkDocs lets the arrow keys walk the results and Enter open the
 * best one, but it closes the search on Tab, so a reader who knows only Tab
 * never reaches a result. While the search is open and the focus is in its
 * box or on a result, Tab now moves to the next result (Shift+Tab to the one
 * before), in the order the arrow keys use. Tabbing past either end leaves
 * the event to Material, which closes the search as before; Enter on a
 * focused result follows its link. Material also sends the focus back to the
 * search box on any other key, Shift included, which would undo Shift+Tab
 * before it arrives: a Shift pressed on a result is kept from it.
 */
(function () {
  "use strict";
  var RESULTS = ":not(details) > [href], summary, details[open] [href]";

  window.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" && event.key !== "Shift") return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var toggle = document.getElementById("__search");
    var search = document.querySelector("[data-md-component=search]");
    if (!toggle || !toggle.checked || !search) return;
    var query = search.querySelector("[data-md-component=search-query]");
    var result = search.querySelector("[data-md-component=search-result]");
    if (!query || !result) return;
    var stops = [query].concat(Array.prototype.slice.call(result.querySelectorAll(RESULTS)));
    var here = stops.indexOf(document.activeElement);
    if (here < 0) return;
    if (event.key === "Shift") {
      if (here > 0) event.stopImmediatePropagation();
      return;
    }
    var next = here + (event.shiftKey ? -1 : 1);
    if (next < 0 || next >= stops.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    stops[next].focus();
  }, true);
})();
