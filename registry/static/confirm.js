/* Forms with data-confirm="question" ask before they submit (an inline onsubmit handler
 * would be blocked by the Content-Security-Policy). */
(function () {
  'use strict';
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      ev.preventDefault();
    }
  });
})();
