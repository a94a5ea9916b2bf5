/*
 * The Chronicle: filters on the timeline page, from the address's hash.
 *
 *   timeline.html#kind=proposal&actor=<id>&treaty=<id>&tag=<id>&from=YYYY&to=YYYY
 *
 * Every key is optional. Each episode is an element with data-episode and its
 * facets in data attributes (written by macros/templates/_views.html.j2, the
 * same facets the timeline(...) macro filters on at build time). The form,
 * hidden until this script runs, writes the hash; the hash, read on load and
 * on every change (Back and Forward included), decides what is shown. Without
 * the script the whole list is there. Does nothing on a page without the
 * timeline; makes no request.
 */
(function () {
  "use strict";

  var KEYS = ["kind", "actor", "treaty", "tag", "from", "to"];
  var LISTS = { actor: "actors", treaty: "treaties", tag: "tags" };
  var YEAR = /^\d{1,4}$/;

  /* The filter state in a hash, or null when the hash is something else (an anchor such as #y2018). */
  function parse(hash) {
    var text = hash.replace(/^#/, "");
    var state = {};
    if (text === "") return state;
    if (text.indexOf("=") < 0) return null;
    text.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at < 1) return;
      var key = decodeURIComponent(pair.slice(0, at));
      var value = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " ")).trim();
      if (KEYS.indexOf(key) < 0 || value === "") return;
      if ((key === "from" || key === "to") && !YEAR.test(value)) return;
      state[key] = value;
    });
    return state;
  }

  function serialize(state) {
    return KEYS.filter(function (key) {
      return state[key];
    })
      .map(function (key) {
        return key + "=" + encodeURIComponent(state[key]);
      })
      .join("&");
  }

  function matches(entry, state) {
    var data = entry.dataset;
    if (state.kind && data.kind !== state.kind) return false;
    for (var key in LISTS) {
      if (state[key] && (data[LISTS[key]] || "").split(" ").indexOf(state[key]) < 0) return false;
    }
    var year = parseInt(data.year, 10);
    if (state.from && year < parseInt(state.from, 10)) return false;
    if (state.to && year > parseInt(state.to, 10)) return false;
    return true;
  }

  function init() {
    var root = document.querySelector("[data-chronicle-timeline]");
    if (!root) return;
    var form = root.querySelector("form[data-chronicle-filters]");
    var status = root.querySelector("[data-chronicle-status]");
    var entries = Array.prototype.slice.call(root.querySelectorAll("[data-episode]"));
    var years = Array.prototype.slice.call(root.querySelectorAll("section[data-year]"));
    if (!form || !status) return;
    var current = {};

    /* A value the hash names but the form does not offer (an actor with no episode, say) is still shown. */
    function select(field, value) {
      if (field.tagName === "SELECT" && value) {
        var known = Array.prototype.some.call(field.options, function (option) {
          return option.value === value;
        });
        if (!known) field.add(new Option(value, value));
      }
      field.value = value || "";
    }

    function show(state) {
      current = state;
      KEYS.forEach(function (key) {
        if (form.elements[key]) select(form.elements[key], state[key]);
      });
      var shown = 0;
      entries.forEach(function (entry) {
        var keep = matches(entry, state);
        entry.hidden = !keep;
        if (keep) shown += 1;
      });
      years.forEach(function (section) {
        var empty = !section.querySelector("[data-episode]:not([hidden])");
        section.hidden = empty;
        var year = section.getAttribute("data-year");
        var links = document.querySelectorAll(
          '.chronicle-years a[data-year="' + year + '"], .md-nav--secondary a[href="#y' + year + '"]'
        );
        Array.prototype.forEach.call(links, function (link) {
          (link.closest("li") || link).hidden = empty;
        });
      });
      var filtered = serialize(state) !== "";
      var total = entries.length;
      if (!filtered) status.textContent = "Showing all " + total + " episodes.";
      else if (shown === 0) status.textContent = "No episode matches these filters (of " + total + ").";
      else status.textContent = "Showing " + shown + " of " + total + " episode" + (total === 1 ? "" : "s") + ".";
    }

    function fromAddress() {
      var state = parse(window.location.hash);
      if (state !== null) show(state);
    }

    function fromForm() {
      var state = {};
      KEYS.forEach(function (key) {
        var field = form.elements[key];
        if (field && field.value.trim() !== "") state[key] = field.value.trim();
      });
      var hash = serialize(state);
      if (hash === serialize(current)) return;
      if (hash) {
        window.location.hash = hash; // a new history entry; hashchange shows it
      } else {
        // No filter: the plain address, as a new history entry too.
        window.history.pushState(null, "", window.location.pathname + window.location.search);
        show({});
      }
    }

    form.addEventListener("change", fromForm);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fromForm();
    });
    form.addEventListener("reset", function () {
      // The fields are cleared after this event: read them once they are.
      window.setTimeout(fromForm, 0);
    });
    window.addEventListener("hashchange", fromAddress);
    window.addEventListener("popstate", fromAddress);

    form.hidden = false;
    status.hidden = false;
    fromAddress();
    if (parse(window.location.hash) === null) show({});
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
