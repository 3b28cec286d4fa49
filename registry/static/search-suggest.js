/* Search page type-ahead: numbers and titles from /api/v1/suggest (the URL is the search
 * box's data-suggest-url). No framework, no network beyond the registry itself. */
(function () {
  'use strict';
  var box = document.getElementById('search-q'), list = document.getElementById('search-suggest'), t;
  if (!box || !list) { return; }
  var url = box.dataset.suggestUrl;
  box.addEventListener('input', function () {
    clearTimeout(t);
    var v = box.value.trim();
    if (!v) { return; }
    t = setTimeout(function () {
      fetch(url + '?q=' + encodeURIComponent(v)).then(function (r) { return r.ok ? r.json() : {items: []}; })
        .then(function (d) {
          list.innerHTML = '';
          d.items.forEach(function (s) { var o = document.createElement('option'); o.value = s.number; o.label = s.title; list.appendChild(o); });
        });
    }, 150);
  });
})();
