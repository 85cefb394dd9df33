/* Search on the search page, in the browser, with no network: the indexes are scripts, one a year
   (search/YYYY-N.js, each adding itself to window.NEWSARCHIVE_SEARCH, newest first), so this
   works from a server and from file:// alike.

   A report matches when it has every word typed, the last one as a prefix (it may still be being
   typed), and passes the place, topic and year filters. Results keep the indexes' order: newest first. */
(function () {
  "use strict";

  var MAX_SHOWN = 100;

  // Keep in step with words() in newsarchive/search.py, which normalised the index's words:
  // lower case, accents dropped, split at anything that is not a letter or a digit.
  function words(text) {
    return text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "")
      .split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  // The first position in the sorted list at which ``word`` is, or would be.
  function lowerBound(list, word) {
    var low = 0, high = list.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (list[middle] < word) { low = middle + 1; } else { high = middle; }
    }
    return low;
  }

  function reportsWith(index, word, asPrefix) {
    var found = new Set();
    for (var i = lowerBound(index.words, word); i < index.words.length; i++) {
      var candidate = index.words[i];
      if (candidate !== word && !(asPrefix && candidate.startsWith(word))) { break; }
      index.postings[i].forEach(function (number) { found.add(number); });
    }
    return found;
  }

  function termNumber(table, slug) {
    return table.findIndex(function (entry) { return entry[0] === slug; });
  }

  function asked(query) {
    return words(query.q).length > 0 || Boolean(query.location || query.topic || query.year);
  }

  // The numbers of one index's matching reports, ascending (newest first).
  function search(index, query) {
    var typed = words(query.q);
    var matches = null;
    typed.forEach(function (word, position) {
      var found = reportsWith(index, word, position === typed.length - 1);
      matches = matches === null ? found : new Set(Array.from(matches).filter(function (n) { return found.has(n); }));
    });
    var numbers = matches === null ? index.reports.map(function (_, n) { return n; })
      : Array.from(matches).sort(function (a, b) { return a - b; });
    var place = termNumber(index.locations, query.location), topic = termNumber(index.topics, query.topic);
    return numbers.filter(function (n) {
      var report = index.reports[n];
      return (!query.location || report[4].indexOf(place) >= 0)
        && (!query.topic || report[5].indexOf(topic) >= 0)
        && (!query.year || report[2].slice(0, 4) === query.year);
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // One result, shaped like a report in a listing; text only, never parsed as HTML.
  function resultItem(index, report) {
    var item = element("li", "report-item");
    var heading = item.appendChild(element("h2", "report-title"));
    var link = heading.appendChild(element("a", "", report[0]));
    link.href = report[1];
    var meta = item.appendChild(element("p", "meta"));
    var time = meta.appendChild(element("time", "", report[3]));
    time.dateTime = report[2];
    var places = report[4].map(function (n) { return index.locations[n][1]; });
    if (places.length) { meta.appendChild(document.createTextNode(" · " + places.join(", "))); }
    return item;
  }

  function count(n) { return n.toLocaleString("en") + (n === 1 ? " report" : " reports"); }

  // Every index's matching reports as [index, report] pairs, newest first; null when nothing was asked.
  function searchAll(indexes, query) {
    if (!asked(query)) { return null; }
    var found = [];
    indexes.forEach(function (index) {
      search(index, query).forEach(function (n) { found.push([index, index.reports[n]]); });
    });
    return found;
  }

  function show(found, status, list) {
    list.replaceChildren();
    list.hidden = !found || !found.length;
    if (found === null) {
      status.textContent = "Type a word or two, or choose a place, topic or year.";
      return;
    }
    found.slice(0, MAX_SHOWN).forEach(function (pair) { list.appendChild(resultItem(pair[0], pair[1])); });
    if (!found.length) {
      status.textContent = "No report matches. Try fewer or other words, or fewer filters.";
    } else if (found.length > MAX_SHOWN) {
      status.textContent = "Showing the newest " + MAX_SHOWN + " of " + count(found.length)
        + "; add words or filters to narrow them.";
    } else {
      status.textContent = count(found.length) + " found, newest first.";
    }
  }

  function start() {
    var form = document.getElementById("search-form");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var indexes = window.NEWSARCHIVE_SEARCH || [];
    if (indexes.length !== Number(form.dataset.indexes)) {
      status.textContent = "The search index did not load; reload the page to try again.";
      return;
    }
    var fields = ["q", "location", "topic", "year"];
    var asked = new URLSearchParams(window.location.search);
    fields.forEach(function (name) {
      var field = form.elements[name], value = asked.get(name);
      // A place, topic or year the page does not offer (an out-of-date address) is left out: the search widens.
      var offered = field.tagName !== "SELECT"
        || Array.from(field.options).some(function (option) { return option.value === value; });
      if (value !== null && offered) { field.value = value; }
    });

    function run() {
      var query = {}, shown = new URLSearchParams();
      fields.forEach(function (name) {
        query[name] = form.elements[name].value;
        if (query[name]) { shown.set(name, query[name]); }
      });
      show(searchAll(indexes, query), status, list);
      // The address carries the search, so it can be bookmarked and shared. Some browsers refuse
      // to change the address of a file:// page; the search itself has worked by then.
      try {
        var address = shown.toString();
        window.history.replaceState(null, "", address ? "?" + address : window.location.pathname);
      } catch (refused) { /* the results are shown; only the address stays as it was */ }
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    form.addEventListener("input", run);  // typing, and choosing in a select, both fire "input"
    run();
  }

  start();
}());
