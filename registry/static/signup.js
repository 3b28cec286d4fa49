/* Sign-up form: the region defaults from the credit code (characters 3–8) until the person
 * types one. */
(function () {
  'use strict';
  var code = document.getElementById('f-credit_code'), region = document.getElementById('f-region_code');
  if (!code || !region) { return; }
  var auto = !region.value;
  region.addEventListener('input', function () { auto = !region.value; });
  code.addEventListener('input', function () {
    var v = code.value.replace(/\s/g, '').toUpperCase();
    if (auto && v.length >= 8 && /^\d{6}$/.test(v.slice(2, 8))) { region.value = v.slice(2, 8); }
  });
})();
