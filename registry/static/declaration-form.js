/* The declaration form: add/remove rows, catalogue type-ahead, live checks while typing.
 * No framework. The form works without this file (the server checks again on submit). */
(function () {
  'use strict';
  var form = document.getElementById('decl-form');
  if (!form) { return; }
  var panel = document.getElementById('check-panel');
  var list = panel.querySelector('.check-list');
  var status = panel.querySelector('.check-status');
  var t = panel.dataset;
  var csrf = form.querySelector('input[name=csrf_token]').value;
  var maxAttachment = parseInt(form.dataset.maxAttachment, 10) || 10485760;
  var timer = null, seq = 0;

  // -- rows -------------------------------------------------------------------------------
  function addRow(targetId, templateId) {
    var body = document.getElementById(targetId);
    var tpl = document.getElementById(templateId);
    var row = tpl.content.firstElementChild.cloneNode(true);
    body.appendChild(row);
    var first = row.querySelector('input');
    if (first) { first.focus(); }
    return row;
  }
  form.addEventListener('click', function (ev) {
    var btn = ev.target.closest('button');
    if (!btn) { return; }
    if (btn.classList.contains('add-row')) {
      addRow(btn.dataset.target, btn.dataset.template);
    } else if (btn.classList.contains('remove-row')) {
      var row = btn.closest('.std-row, .ind-row');
      var body = row.parentNode;
      row.remove();
      if (!body.children.length) {  // keep one row to type into
        addRow(body.id, body.id === 'std-rows' ? 'std-row-template' : 'ind-row-template');
      }
      schedule();
    }
  });

  // -- "use the successor" ----------------------------------------------------------------
  function inputFor(field) {
    var parts = field.split('.');
    if (parts[0] === 'standards' && parts.length === 2) {
      return form.querySelectorAll('input[name=standards]')[parseInt(parts[1], 10)] || null;
    }
    if (parts[0] === 'indicators' && parts.length === 3) {
      return form.querySelectorAll('input[name=ind_' + parts[2] + ']')[parseInt(parts[1], 10)] || null;
    }
    return form.querySelector('[name="' + parts[parts.length - 1] + '"]');
  }
  panel.addEventListener('click', function (ev) {
    var btn = ev.target.closest('button.use-suggestion');
    if (!btn) { return; }
    var input = inputFor(btn.dataset.field);
    if (input) {
      input.value = btn.dataset.suggestion;
      input.dispatchEvent(new Event('input', {bubbles: true}));
      input.focus();
    }
    check();
  });

  // -- type-ahead on standard numbers (GET /api/v1/suggest) ---------------------------------
  var datalist = document.getElementById('std-suggest'), suggestTimer = null;
  form.addEventListener('input', function (ev) {
    var el = ev.target;
    if (el.getAttribute('list') !== 'std-suggest') { return; }
    clearTimeout(suggestTimer);
    var q = el.value.trim();
    if (q.length < 2) { return; }
    suggestTimer = setTimeout(function () {
      fetch(form.dataset.suggestUrl + '?q=' + encodeURIComponent(q), {credentials: 'same-origin'})
        .then(function (r) { return r.ok ? r.json() : {items: []}; })
        .then(function (d) {
          datalist.innerHTML = '';
          (d.items || []).forEach(function (s) {
            var o = document.createElement('option');
            o.value = s.number;
            o.label = s.title + (s.status && s.status !== 'current' ? ' (' + s.status + ')' : '');
            datalist.appendChild(o);
          });
        })
        .catch(function () {});
    }, 150);
  });

  // -- live checks ----------------------------------------------------------------------------
  function clearMarks() {
    form.querySelectorAll('.live-error').forEach(function (el) { el.classList.remove('live-error'); });
  }
  function localChecks() {
    var out = [], file = form.querySelector('input[name=attachment]');
    if (file && file.files && file.files[0]) {
      var f = file.files[0];
      if (!/\.pdf$/i.test(f.name)) {
        out.push({code: 'attachment_type', level: 'error', field: 'attachment', message: t.tPdf});
      }
      if (f.size > maxAttachment) {
        out.push({code: 'attachment_size', level: 'error', field: 'attachment', message: t.tSize});
      }
    }
    return out;
  }
  function render(checks) {
    list.innerHTML = '';
    clearMarks();
    var errors = 0, warnings = 0;
    checks.forEach(function (c) {
      if (c.level === 'error') { errors++; } else { warnings++; }
      var li = document.createElement('li');
      li.className = 'check check-' + c.level;
      li.dataset.code = c.code;
      li.dataset.field = c.field;
      var lvl = document.createElement('span');
      lvl.className = 'check-level';
      lvl.textContent = c.level === 'error' ? t.tError : t.tWarning;
      var msg = document.createElement('span');
      msg.className = 'check-msg';
      msg.textContent = c.message;
      li.appendChild(lvl);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(msg);
      if (c.code === 'standard_replaced' && c.suggestion) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'use-suggestion small';
        b.dataset.field = c.field;
        b.dataset.suggestion = c.suggestion;
        b.textContent = t.tUse.replace('__N__', c.suggestion);
        li.appendChild(document.createTextNode(' '));
        li.appendChild(b);
      }
      list.appendChild(li);
      var input = c.level === 'error' ? inputFor(c.field) : null;
      if (input) { input.classList.add('live-error'); }
    });
    status.textContent = checks.length
      ? t.tCount.replace('__E__', errors).replace('__W__', warnings) : t.tOk;
    panel.classList.toggle('has-errors', errors > 0);
    panel.classList.toggle('all-clear', checks.length === 0);
  }
  function check() {
    clearTimeout(timer);
    var mine = ++seq;
    var data = new FormData(form);
    data.delete('attachment');  // checked here in the browser; uploaded only on submit
    status.textContent = t.tChecking;
    panel.classList.add('checking');
    fetch(form.dataset.checkUrl, {
      method: 'POST', body: data, credentials: 'same-origin',
      headers: {'X-CSRFToken': csrf, 'Accept': 'application/json'}
    })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (d) {
        if (mine !== seq) { return; }  // an older answer arriving late
        render(localChecks().concat(d.checks || []));
      })
      .catch(function () { if (mine === seq) { status.textContent = t.tFailed; } })
      .then(function () { if (mine === seq) { panel.classList.remove('checking'); } });
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  }
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  // a form shown again (an edit, a refused submission) is checked at once
  var typed = Array.prototype.some.call(form.querySelectorAll('input[name=standards], input[name=ent_std_number]'),
    function (el) { return el.value.trim() !== ''; });
  if (typed) { check(); }
})();
