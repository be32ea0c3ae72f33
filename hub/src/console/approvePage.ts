import { REGION_PATTERN, TRUST_CLASSES } from '../policy/index.ts';
import { renderConsolePage } from './consoleLayout.ts';

/**
 * The node approval page (`verification_uri` of enrollment). An operator pastes an admin or operator
 * token, sees what the node sent (name, inventory), chooses the org, region and trust class — the
 * operator's word, never the node's — and approves or denies through the admin API. The page holds
 * no data of its own: everything is fetched with the operator's token, so it reveals nothing to a
 * visitor without one. Untrusted values (node name, inventory) are only ever set as textContent.
 */

const BODY = `
<h1>Approve a node</h1>
<p class="hint">A machine running <code>porten login</code> printed a code. Check that it is the machine you expect, then choose
where it belongs. Region and trust class are yours to set: nothing the node reports about itself is used for routing.</p>

<section>
  <label for="token">Admin or operator token</label>
  <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="porten-admin-…">
  <p class="hint">Kept in this tab only (sessionStorage) and sent only to this hub.</p>
  <label for="code">Enrollment code</label>
  <input id="code" autocomplete="off" spellcheck="false" placeholder="ABCD-EFGH">
  <button id="load" type="button">Look up</button>
</section>

<div id="status" role="status" aria-live="polite"></div>

<section id="enrollment" hidden>
  <h2>Node</h2>
  <dl>
    <dt>Code</dt><dd id="e-code"></dd>
    <dt>Name</dt><dd id="e-name"></dd>
    <dt>Status</dt><dd id="e-status"></dd>
    <dt>Requested</dt><dd id="e-age"></dd>
    <dt>Expires</dt><dd id="e-expires"></dd>
  </dl>
  <label>Hardware inventory (as reported by the node)</label>
  <pre id="e-inventory"></pre>

  <div id="decision">
    <h2>Decision</h2>
    <label for="org">Organization</label>
    <select id="org"></select>
    <label for="region">Region</label>
    <input id="region" autocomplete="off" spellcheck="false" placeholder="e.g. eu-west">
    <p class="hint">Lower-case letters, digits and dashes.</p>
    <label for="trust">Trust class</label>
    <select id="trust"></select>
    <label for="name">Node name</label>
    <input id="name" autocomplete="off" spellcheck="false">
    <button id="approve" type="button">Approve</button>
    <button id="deny" type="button" class="danger">Deny</button>
  </div>
</section>
`;

// Browser code, ES2020, no template literals (this file embeds it in one). Talks to /admin/v1 only.
const SCRIPT = `
(function () {
  'use strict';
  var TOKEN_KEY = 'porten.adminToken';
  var REGION = new RegExp(${JSON.stringify(REGION_PATTERN.source)});
  var TRUST = ${JSON.stringify(TRUST_CLASSES)};
  var API = new URL('../admin/v1', location.href).pathname;
  var $ = function (id) { return document.getElementById(id); };
  var current = null;

  $('token').value = sessionStorage.getItem(TOKEN_KEY) || '';
  $('code').value = new URLSearchParams(location.search).get('code') || '';
  TRUST.forEach(function (t) { var o = document.createElement('option'); o.value = t; o.textContent = t; $('trust').appendChild(o); });
  $('trust').value = 'verified';

  function show(text, kind) { $('status').textContent = text; $('status').className = kind || 'info'; }

  function api(method, path, body) {
    var token = $('token').value.trim();
    if (!token) return Promise.reject(new Error('Paste an admin or operator token first.'));
    sessionStorage.setItem(TOKEN_KEY, token);
    var headers = { authorization: 'Bearer ' + token };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(API + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        return res.json().catch(function () { return null; }).then(function (data) {
          if (!res.ok) throw new Error((data && data.error && data.error.message) || ('HTTP ' + res.status));
          return data;
        });
      });
  }

  function fill(e, orgs) {
    current = e;
    $('e-code').textContent = e.user_code;
    $('e-name').textContent = e.name;
    $('e-status').textContent = e.expired ? 'expired' : e.status;
    $('e-age').textContent = e.age_s + ' s ago';
    $('e-expires').textContent = new Date(e.expires_at).toLocaleString();
    $('e-inventory').textContent = JSON.stringify(e.inventory, null, 2);
    $('name').value = e.name;
    var select = $('org');
    while (select.firstChild) select.removeChild(select.firstChild);
    orgs.forEach(function (org) { var o = document.createElement('option'); o.value = org.id; o.textContent = org.name; select.appendChild(o); });
    var open = e.status === 'pending' && !e.expired;
    $('decision').hidden = !open;
    $('enrollment').hidden = false;
    if (!open) show('This enrollment is ' + $('e-status').textContent + ': nothing to decide.', 'info');
    else if (orgs.length === 0) show('No organization exists yet: create one with POST /admin/v1/orgs first.', 'error');
    else show('Check the node, choose where it belongs, then approve or deny.', 'info');
  }

  function load() {
    var code = $('code').value.trim();
    if (!code) { show('Enter the code the node printed.', 'error'); return; }
    show('Looking up ' + code + '…', 'info');
    $('enrollment').hidden = true;
    Promise.all([api('GET', '/enrollments/' + encodeURIComponent(code)), api('GET', '/orgs')])
      .then(function (r) { fill(r[0], r[1].data); })
      .catch(function (err) { show(err.message, 'error'); });
  }

  function decide(action, body) {
    $('approve').disabled = $('deny').disabled = true;
    return api('POST', '/enrollments/' + encodeURIComponent(current.user_code) + '/' + action, body)
      .then(function (r) {
        $('decision').hidden = true;
        $('e-status').textContent = r.status;
        show(action === 'approve'
          ? 'Approved: node ' + r.node_id + ' (' + r.region + ', ' + r.trust_class + '). The node picks up its credential on its next poll.'
          : 'Denied. The node will stop waiting.', 'ok');
      })
      .catch(function (err) { show(err.message, 'error'); })
      .then(function () { $('approve').disabled = $('deny').disabled = false; });
  }

  $('load').addEventListener('click', load);
  $('code').addEventListener('keydown', function (ev) { if (ev.key === 'Enter') load(); });
  $('approve').addEventListener('click', function () {
    var region = $('region').value.trim();
    if (!$('org').value) { show('Choose an organization.', 'error'); return; }
    if (!REGION.test(region)) { show('Region must be a lower-case slug such as eu-west.', 'error'); return; }
    var body = { org_id: $('org').value, region: region, trust_class: $('trust').value };
    var name = $('name').value.trim();
    if (name && name !== current.name) body.name = name;
    decide('approve', body);
  });
  $('deny').addEventListener('click', function () {
    if (confirm('Deny enrollment ' + current.user_code + '? The node will have to enroll again.')) decide('deny');
  });

  if ($('code').value && $('token').value) load();
})();
`;

export function renderApprovePage(nonce: string): string {
  return renderConsolePage({ title: 'Approve a node', nonce, body: BODY, script: SCRIPT });
}
