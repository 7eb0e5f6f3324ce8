// The vigil console: one page, no framework. Everything shown comes from the JSON API; nothing
// from the cluster is ever put into the page as HTML (h() sets text), so names cannot inject markup.

const state = { session: null, status: null, events: null, poll: null, view: 'dashboard', configEpoch: null, checkedText: null };

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && state.session) headers['x-csrf-token'] = state.session.csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const data = await res.json().catch(() => ({ error: `the console answered ${res.status} without JSON` }));
  if (res.status === 401 && path !== '/api/login') {
    showLogin('Your session ended: log in again.');
    throw new Error('not logged in');
  }
  if (!res.ok) throw new Error(data.error || `request failed (${res.status})`);
  return data;
}

function notify(text, kind = 'info') {
  const n = $('notice');
  n.textContent = text;
  n.className = `notice ${kind}`;
  n.hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => (n.hidden = true), kind === 'bad' ? 12000 : 6000);
}

// ---- session -------------------------------------------------------------------------------

function showLogin(message = '') {
  stopLive();
  state.session = null;
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== 'view-login';
  $('nav').hidden = true;
  $('who').hidden = true;
  $('login-error').textContent = message;
  $('login-user').focus();
}

async function loggedIn(session) {
  state.session = session;
  $('who-name').textContent = `${session.user} (${session.role})`;
  $('who').hidden = false;
  $('nav').hidden = false;
  document.body.classList.toggle('viewer', session.role !== 'admin');
  show(location.hash.slice(1) || 'dashboard');
  startLive();
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  const user = $('login-user').value.trim();
  const password = $('login-password').value;
  if (!user || !password) return void ($('login-error').textContent = 'Enter your user name and password.');
  try {
    const session = await api('POST', '/api/login', { user, password });
    $('login-password').value = '';
    await loggedIn(session);
  } catch (err) {
    $('login-error').textContent = err.message;
  }
});

$('logout').addEventListener('click', async () => {
  await api('POST', '/api/logout', {}).catch(() => undefined);
  showLogin('Logged out.');
});

// ---- navigation ----------------------------------------------------------------------------

const VIEWS = ['dashboard', 'config', 'whatif', 'history'];

function show(view) {
  if (!VIEWS.includes(view)) view = 'dashboard';
  state.view = view;
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${view}`;
  for (const b of document.querySelectorAll('#nav button')) {
    if (b.dataset.view === view) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  if (location.hash !== `#${view}`) history.replaceState(null, '', `#${view}`);
  if (view === 'config' && state.configEpoch === null) void loadConfig();
  if (view === 'whatif') fillWhatIf();
  if (view === 'history') void loadHistory();
}

for (const b of document.querySelectorAll('#nav button')) b.addEventListener('click', () => show(b.dataset.view));

// ---- live status ---------------------------------------------------------------------------

function startLive() {
  stopLive();
  if ('EventSource' in window) {
    const es = new EventSource('/api/events');
    state.events = es;
    es.addEventListener('status', (e) => render(JSON.parse(e.data)));
    es.onerror = () => {
      // The server went away or the session ended: fall back to polling, which notices a logout.
      es.close();
      state.events = null;
      startPolling();
    };
  } else startPolling();
}

function startPolling() {
  if (state.poll) return;
  const tick = async () => {
    try {
      render(await api('GET', '/api/status'));
    } catch (err) {
      if (state.session) render({ error: err.message });
    }
  };
  void tick();
  state.poll = setInterval(tick, 2000);
}

function stopLive() {
  state.events?.close();
  state.events = null;
  clearInterval(state.poll);
  state.poll = null;
}

const badge = (text, kind) => h('span', { class: `badge ${kind}` }, text);

function nodeState(n) {
  if (n.unclean) return [badge('UNCLEAN', 'bad')];
  if (!n.online) return [badge(n.pending ? 'pending' : 'offline', 'off')];
  const out = [badge('online', 'ok')];
  if (n.standby) out.push(badge(n.standbyOnFail ? 'standby (on-fail)' : 'standby', 'warn'));
  if (n.maintenance) out.push(badge('maintenance', 'warn'));
  if (n.health !== 'green') out.push(badge(`health ${n.health}`, n.health === 'red' ? 'bad' : 'warn'));
  return out;
}

function card(k, v, kind) {
  return h('div', { class: 'card' }, h('div', { class: 'k' }, k), h('div', { class: `v ${kind || ''}` }, v));
}

function render(s) {
  state.status = s;
  const summary = $('summary');
  const banners = $('banners');
  summary.replaceChildren();
  banners.replaceChildren();
  if (s.error) {
    banners.append(h('div', { class: 'banner bad', role: 'alert' }, `Cannot read the cluster: ${s.error}`));
    return;
  }
  const st = s.status;
  const m = s.membership;
  $('cluster-name').textContent = m?.cluster || st.summary.clusterName || '';
  const quorum = m ? m.quorate : st.summary.haveQuorum;
  summary.append(
    card('DC', m?.dc || st.summary.dcName || 'none'),
    card('Quorum', quorum ? 'yes' : 'NO'),
    card('Nodes', `${st.nodes.filter((n) => n.online).length} / ${st.nodes.length} online`),
    card('Resources', String(st.summary.resourceInstancesConfigured)),
    card('Configuration', `epoch ${s.epoch}`),
  );
  if (!quorum) banners.append(h('div', { class: 'banner bad' }, 'This partition has no quorum: resources may be stopped (no-quorum-policy).'));
  if (!st.summary.stonithEnabled) banners.append(h('div', { class: 'banner' }, 'stonith-enabled=false: failed nodes are not fenced, and a network partition could run a resource on both sides.'));
  if (st.summary.maintenanceMode) banners.append(h('div', { class: 'banner' }, 'maintenance-mode is on: the cluster starts and stops nothing.'));
  if (st.summary.stopAllResources) banners.append(h('div', { class: 'banner' }, 'stop-all-resources is on.'));
  renderNodes(st, m);
  renderResources(st);
  renderFailures(st);
  $('updated').textContent = `Updated ${new Date(s.at).toLocaleTimeString()} from ${s.source} (CIB ${s.version}).`;
  if (state.view === 'whatif') fillWhatIf(true);
}

const admin = () => state.session?.role === 'admin';

function actionButton(label, body, opts = {}) {
  return h('button', {
    type: 'button', class: opts.danger ? 'danger' : '', disabled: !admin(), title: admin() ? opts.title : 'viewers cannot change the cluster',
    'aria-label': opts.aria || label,
    onclick: () => act(body, opts.confirm),
  }, label);
}

async function act(body, confirmText) {
  if (confirmText && !confirm(confirmText)) return;
  try {
    const r = await api('POST', '/api/actions', body);
    notify(r.changed ? r.message : `${r.message} (no change)`, 'ok');
  } catch (err) {
    notify(err.message, 'bad');
  }
}

function renderNodes(st, m) {
  const body = $('nodes').tBodies[0];
  body.replaceChildren();
  for (const n of st.nodes) {
    const isDc = m ? m.dc === n.name : n.isDc;
    const a = h('div', { class: 'actions' },
      n.standby ? actionButton('Online', { action: 'online', node: n.name }, { aria: `Bring ${n.name} online` })
        : actionButton('Standby', { action: 'standby', node: n.name }, { aria: `Put ${n.name} in standby`, confirm: `Put ${n.name} in standby? Its resources move away.` }),
      n.maintenance ? actionButton('Ready', { action: 'ready', node: n.name }, { aria: `Take ${n.name} out of maintenance` })
        : actionButton('Maintenance', { action: 'maintenance', node: n.name }, { aria: `Put ${n.name} in maintenance` }),
    );
    body.append(h('tr', { 'data-node': n.name },
      h('th', { scope: 'row' }, n.name, m && m.self === n.name ? h('span', { class: 'muted small' }, ' (this node)') : null),
      h('td', {}, nodeState(n)),
      h('td', {}, isDc ? badge('DC', 'info') : ''),
      h('td', {}, String(n.resourcesRunning)),
      h('td', {}, a)));
  }
  if (st.nodes.length === 0) body.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No nodes.')));
}

function stateOf(r) {
  const out = [];
  if (r.failed) out.push(badge('FAILED', 'bad'));
  if (r.multiplyActive) out.push(badge('ACTIVE ON SEVERAL NODES', 'bad'));
  if (r.blocked) out.push(badge('blocked', 'bad'));
  if (r.runningOn.length > 0) out.push(badge(r.displayRole || 'Started', 'ok'));
  else out.push(badge('Stopped', 'off'));
  if (r.disabled) out.push(badge('disabled', 'warn'));
  if (!r.managed) out.push(badge('unmanaged', 'warn'));
  if (r.maintenance) out.push(badge('maintenance', 'warn'));
  if (r.pendingTask) out.push(badge(`${r.pendingTask}…`, 'info'));
  return out;
}

function resourceActions(id, r, nodes) {
  const select = h('select', { 'aria-label': `Node to move ${id} to`, disabled: !admin() },
    h('option', { value: '' }, 'move to…'), ...nodes.map((n) => h('option', { value: n.name }, n.name)));
  const move = h('button', { type: 'button', disabled: !admin(), 'aria-label': `Move ${id}`, onclick: () => {
    if (!select.value) return notify(`Pick the node to move ${id} to.`, 'bad');
    void act({ action: 'move', resource: id, node: select.value });
  } }, 'Move');
  return h('div', { class: 'actions' },
    r.disabled ? actionButton('Start', { action: 'start', resource: id }, { aria: `Start ${id}` })
      : actionButton('Stop', { action: 'stop', resource: id }, { aria: `Stop ${id}`, danger: true, confirm: `Stop ${id}? It stays stopped until started again.` }),
    select, move,
    actionButton('Clear', { action: 'clear', resource: id }, { aria: `Clear move and ban constraints of ${id}` }),
    actionButton('Cleanup', { action: 'cleanup', resource: id }, { aria: `Clean up failures of ${id}` }));
}

function renderResources(st) {
  const body = $('resources').tBodies[0];
  body.replaceChildren();
  const row = (r, name, agent, child, withActions) => h('tr', { class: child ? 'child' : '', 'data-resource': name },
    h('th', { scope: 'row' }, name, r.kind && r.kind !== 'primitive' ? h('span', { class: 'muted small' }, ` ${r.kind}${r.promotable ? ' (promotable)' : ''}`) : null),
    h('td', {}, h('code', {}, agent)),
    h('td', {}, stateOf(r)),
    h('td', {}, r.runningOn.join(', ') || '—'),
    h('td', {}, withActions ? resourceActions(name, r, st.nodes) : ''));
  for (const r of st.resources) {
    if (r.kind === 'primitive') body.append(row(r, r.id, r.agent, false, true));
    else if (r.kind === 'group') {
      const failed = r.children.some((c) => c.failed);
      body.append(row({ ...r, failed: r.failed || failed, displayRole: 'Started' }, r.id, `${r.children.length} members`, false, true));
      for (const c of r.children) body.append(row(c, c.id, c.agent, true, false));
    } else if (r.kind === 'clone') {
      const agents = [...new Set(r.instances.map((i) => (i.kind === 'group' ? 'group' : i.agent)))];
      const failed = r.instances.some((i) => i.failed);
      const disabled = r.targetRole === 'Stopped';
      body.append(row({ ...r, failed: r.failed || failed, disabled: r.disabled || disabled, displayRole: 'Started' }, r.id, agents.join(', '), false, true));
    } else body.append(row({ ...r, displayRole: 'Started' }, r.id, `bundle ${r.image}`, false, true));
  }
  if (st.resources.length === 0) body.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No resources configured.')));
}

const when = (epochS) => (epochS ? new Date(epochS * 1000).toLocaleString() : '—');

function renderFailures(st) {
  const body = $('failures').tBodies[0];
  body.replaceChildren();
  for (const f of st.failures) {
    body.append(h('tr', {},
      h('th', { scope: 'row' }, f.resource),
      h('td', {}, `${f.task}${f.intervalMs ? ` every ${f.intervalMs / 1000} s` : ''}`),
      h('td', {}, f.node),
      h('td', {}, badge(f.rcText, 'bad'), f.exitReason ? ` ${f.exitReason}` : ''),
      h('td', {}, when(f.lastRcChange))));
  }
  if (st.failures.length === 0) body.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No failed actions.')));
}

// ---- configuration editor ------------------------------------------------------------------

async function loadConfig() {
  try {
    const c = await api('GET', '/api/config');
    $('config-text').value = c.text;
    state.configEpoch = c.epoch;
    state.checkedText = null;
    $('config-epoch').textContent = `loaded at epoch ${c.epoch}`;
    $('config-commit').disabled = true;
    $('config-result').replaceChildren();
  } catch (err) {
    notify(err.message, 'bad');
  }
}

function problems(list, kind) {
  return h('ul', { class: 'problems' }, list.map((p) => h('li', { class: kind }, p.where && !p.message.startsWith(`${p.where}:`) ? `${p.where}: ${p.message}` : p.message)));
}

$('config-reload').addEventListener('click', () => void loadConfig());
$('config-text').addEventListener('input', () => {
  $('config-commit').disabled = true;
  state.checkedText = null;
});
$('config-verify').addEventListener('click', async () => {
  const out = $('config-result');
  const text = $('config-text').value;
  try {
    const r = await api('POST', '/api/config/check', { text, epoch: state.configEpoch, force: $('config-force').checked });
    out.replaceChildren();
    if (r.stale) out.append(h('div', { class: 'banner bad' }, 'The configuration changed since you loaded it: a commit will be refused. Reload and edit again.'));
    if (!r.ok) {
      out.append(h('h2', {}, 'Errors — nothing can be committed'), problems(r.errors, 'err'));
      if (r.forcible) out.append(h('p', { class: 'muted' }, 'These are agent checks: tick "force" to commit anyway.'));
      return;
    }
    if (r.warnings.length) out.append(h('h2', {}, 'Warnings'), problems(r.warnings, 'warn'));
    if (r.forced.length) out.append(h('h2', {}, 'Overridden by force'), problems(r.forced, 'warn'));
    if (!r.changed) {
      out.append(h('p', {}, 'No change to commit.'));
      return;
    }
    out.append(h('h2', {}, 'Changes'), h('pre', { class: 'diff', 'aria-label': 'Difference' },
      r.diff.filter((l, i, all) => l.op !== ' ' || all.slice(Math.max(0, i - 2), i + 3).some((x) => x.op !== ' '))
        .map((l) => h('span', { class: l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same' }, `${l.op} ${l.text}`))));
    state.checkedText = text;
    $('config-commit').disabled = !admin() || r.stale;
  } catch (err) {
    notify(err.message, 'bad');
  }
});
$('config-commit').addEventListener('click', async () => {
  const text = $('config-text').value;
  if (text !== state.checkedText) return notify('Verify the configuration again before committing.', 'bad');
  try {
    const r = await api('POST', '/api/config/commit', { text, epoch: state.configEpoch, force: $('config-force').checked });
    notify(r.changed ? `Committed: the configuration is now at epoch ${r.epoch}.` : 'Nothing changed.', 'ok');
    await loadConfig();
  } catch (err) {
    notify(err.message, 'bad');
  }
});

// ---- what-if -------------------------------------------------------------------------------

function fillWhatIf(keep = false) {
  const st = state.status?.status;
  if (!st) return;
  const names = st.nodes.map((n) => n.name);
  const key = JSON.stringify([names, st.resources.map((r) => r.id)]);
  if (keep && fillWhatIf.key === key) return;
  fillWhatIf.key = key;
  for (const [box, kind] of [[$('whatif-fail'), 'fail'], [$('whatif-down'), 'down']]) {
    const checked = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
    box.replaceChildren(...names.map((n) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: kind, value: n, checked: checked.has(n) }), n)));
  }
  const rsc = $('whatif-rsc');
  const node = $('whatif-node');
  const [r0, n0] = [rsc.value, node.value];
  rsc.replaceChildren(h('option', { value: '' }, '(none)'), ...st.resources.map((r) => h('option', { value: r.id }, r.id)));
  node.replaceChildren(h('option', { value: '' }, '(none)'), ...names.map((n) => h('option', { value: n }, n)));
  rsc.value = r0;
  node.value = n0;
}

$('whatif-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const fail = [...document.querySelectorAll('#whatif-fail input:checked')].map((i) => i.value);
  const down = [...document.querySelectorAll('#whatif-down input:checked')].map((i) => i.value);
  const body = { fail, down };
  if ($('whatif-rsc').value || $('whatif-node').value) Object.assign(body, { moveResource: $('whatif-rsc').value, moveTo: $('whatif-node').value });
  const out = $('whatif-result');
  try {
    const r = await api('POST', '/api/whatif', body);
    const moved = Object.entries(r.placements).filter(([, p]) => p.before !== p.after);
    out.replaceChildren(
      h('h2', {}, 'Transition summary'),
      h('div', { class: 'cols' },
        h('div', {}, h('h3', {}, 'Now, with no change'), h('pre', { 'data-testid': 'whatif-baseline' }, r.baseline.join('\n') || '(nothing to do)')),
        h('div', {}, h('h3', {}, 'After the change'), h('pre', { 'data-testid': 'whatif-summary' }, r.summary.join('\n') || '(nothing to do)'))),
      h('h2', {}, 'Placement changes'),
      moved.length === 0 ? h('p', {}, 'Nothing moves.')
        : h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Resource'), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'))),
          h('tbody', {}, moved.map(([id, p]) => h('tr', {}, h('th', { scope: 'row' }, id), h('td', {}, p.before || 'stopped'), h('td', {}, p.after || 'stopped'))))),
      ...r.warnings.map((w) => h('p', { class: 'banner' }, w)),
      ...r.unsupported.map((u) => h('p', { class: 'banner' }, `not implemented by the scheduler, the plan may be wrong: ${u}`)));
  } catch (err) {
    out.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message));
  }
});

// ---- history -------------------------------------------------------------------------------

async function loadHistory() {
  try {
    const r = await api('GET', '/api/history');
    const t = r.transitions;
    const tr = $('history-transitions');
    if (!t) tr.replaceChildren(h('p', { class: 'muted' }, 'The transition engine is not reachable from here.'));
    else {
      const list = [...(t.finished || [])].reverse();
      if (t.transition) list.unshift({ ...t.transition, running: true });
      tr.replaceChildren(list.length === 0 ? h('p', { class: 'muted' }, t.dc ? 'No transitions yet.' : 'This node is not the DC: transitions are run on the DC.')
        : h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ['Transition', 'Actions', 'Confirmed', 'Failed', 'State'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, list.map((x) => h('tr', {}, h('th', { scope: 'row' }, `#${x.id}`), h('td', {}, String(x.actions)), h('td', {}, String(x.counts.confirmed)),
            h('td', {}, x.counts.failed ? badge(String(x.counts.failed), 'bad') : '0'),
            h('td', {}, x.running ? badge('running', 'info') : x.aborted ? badge(`aborted: ${x.aborted}`, 'warn') : badge('complete', 'ok')))))));
    }
    const fb = $('history-fencing').tBodies[0];
    fb.replaceChildren(...r.fencing.map((f) => h('tr', {}, h('td', {}, when(f.when)), h('th', { scope: 'row' }, f.target), h('td', {}, f.action),
      h('td', {}, badge(f.state, f.state === 'success' ? 'ok' : f.state === 'failed' ? 'bad' : 'warn'), f.detail ? ` ${f.detail}` : ''), h('td', {}, f.by || '—'))));
    if (r.fencing.length === 0) fb.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No fencing recorded.')));
    const ob = $('history-ops').tBodies[0];
    ob.replaceChildren(...r.operations.map((o) => h('tr', {}, h('td', {}, when(o.when)), h('td', {}, o.node), h('th', { scope: 'row' }, o.resource),
      h('td', {}, `${o.task}${o.intervalMs ? ` (${o.intervalMs / 1000} s)` : ''}`),
      h('td', {}, o.failed ? badge(`failed rc=${o.rc}`, 'bad') : badge(`ok rc=${o.rc}`, 'ok'), o.exitReason ? ` ${o.exitReason}` : ''))));
    if (r.operations.length === 0) ob.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No operations recorded.')));
  } catch (err) {
    notify(err.message, 'bad');
  }
}
$('history-reload').addEventListener('click', () => void loadHistory());

// ---- start ---------------------------------------------------------------------------------

fetch('/api/session', { credentials: 'same-origin' })
  .then(async (res) => (res.ok ? loggedIn(await res.json()) : showLogin()))
  .catch(() => showLogin('The console cannot be reached.'));
