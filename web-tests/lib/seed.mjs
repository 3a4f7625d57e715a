// Seeds a running HoloMesh through its public API: a user, a voice user, two
// designers with published chips and a draft, an administrator with 2FA (its
// recovery codes let each test sign in once), a purchase and review, a
// subscription with a notification, a group with a thread, and a collaboration.
// Writes what the tests need to the file named by HOLOMESH_SEED.
import { writeFileSync } from 'node:fs';
import { totp } from './totp.mjs';

const BASE = process.env.HOLOMESH_WEB_URL;
export const PASSWORD = 'correct horse battery staple';

async function call(method, path, token, body, extra = {}) {
  const headers = { ...extra };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  const json = text ? JSON.parse(text) : null;
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${text}`);
  return json;
}

async function account(email, name, role) {
  await call('POST', '/v1/auth/register', null, { email, password: PASSWORD, display_name: name, role });
  return login(email);
}

async function login(email, totp_code) {
  const body = { email, password: PASSWORD };
  if (totp_code) body.totp_code = totp_code;
  return (await call('POST', '/v1/auth/login', null, body)).access_token;
}

async function chip(token, vlnv, title, cents, category, node, publish = true) {
  const sha = Buffer.from(title).toString('hex').padEnd(64, '0').slice(0, 64);
  const c = await call('POST', '/v1/chips', token, {
    vlnv, title, description: `${title}: a ${category} IP block for ${node}.`, category, process_node: node, tags: [category],
    price: { amount_minor: cents, currency: 'USD' }, royalty_bps: 250, content_sha256: sha, content_size: title.length,
  });
  if (publish) await call('POST', `/v1/chips/${c.id}/publish`, token);
  return c.id;
}

export async function seed() {
  const user = await account('user@example.org', 'Una User', 'user');
  const voice = await account('voice@example.org', 'Val Voice', 'user');
  const bob = await account('bob@example.org', 'Bob Martin', 'designer');
  const alice = await account('alice@example.org', 'Alice Chen', 'designer');
  const ids = {};
  ids.falcon = await chip(bob, 'martin.dev:dsp:falcon:1.0', 'Falcon DSP', 2450, 'dsp', '28nm');
  ids.comet = await chip(bob, 'martin.dev:cpu:comet:1.0', 'Comet CPU', 3000, 'cpu', '12nm');
  ids.vega = await chip(alice, 'chen.io:cpu:vega:1.0', 'Vega RISC-V core', 4500, 'cpu', '12nm');
  const more = [['Nova', 'interface'], ['Lyra', 'dsp'], ['Orion', 'memory'], ['Draco', 'interface'], ['Hydra', 'cpu'],
    ['Pavo', 'dsp'], ['Ara', 'memory'], ['Cetus', 'interface'], ['Lupus', 'cpu'], ['Musca', 'dsp'], ['Norma', 'memory']];
  for (const [i, [name, cat]] of more.entries()) {
    await chip(i % 2 ? alice : bob, `chen.io:${cat}:${name.toLowerCase()}:1.0`, `${name} ${cat.toUpperCase()}`, 1000 + i * 350, cat, i % 3 ? '28nm' : '7nm');
  }
  ids.draft = await chip(bob, 'martin.dev:dsp:kestrel:0.1', 'Kestrel DSP draft', 1999, 'dsp', '28nm', false);

  for (const t of [user, voice]) await call('POST', '/v1/wallet/deposits', t, { amount_minor: 50000 });
  const receipt = await call('POST', '/v1/purchases', user, { chip_id: ids.comet }, { 'idempotency-key': 'seed-comet' });
  ids.purchase = receipt.purchase.id;
  await call('POST', `/v1/chips/${ids.comet}/reviews`, user, { rating: 5, body: 'Clean RTL and a clear datasheet.' });
  await call('PUT', '/v1/subscriptions/alice-chen', user, { auto_purchase: false, notify: 'immediate' });
  ids.altair = await chip(alice, 'chen.io:cpu:altair:1.0', 'Altair CPU', 5200, 'cpu', '7nm');

  const group = await call('POST', '/v1/groups', bob, { name: 'RISC-V builders', description: 'Open cores and tools' });
  ids.group = group.id;
  await call('POST', `/v1/groups/${group.id}/members`, bob, { handle: 'alice-chen' });
  const thread = await call('POST', '/v1/forum/threads', bob, { title: 'Which bus for small cores?', body: 'AXI-lite or Wishbone?' });
  ids.thread = thread.id;
  await call('POST', '/v1/collaborations', bob, { title: 'Falcon + Vega SoC', members: [{ designer_handle: 'alice-chen', share_bps: 1500 }] });

  // The administrator was made with `holomesh admin create`; turn on 2FA for it.
  const admin = await login('admin@example.org');
  const enrol = await call('POST', '/v1/auth/totp/enroll', admin);
  const { recovery_codes } = await call('POST', '/v1/auth/totp/confirm', admin, { code: totp(enrol.secret) });
  return { base: BASE, password: PASSWORD, ids, admin: { email: 'admin@example.org', secret: enrol.secret, recovery_codes } };
}

if (process.argv[1] && process.argv[1].endsWith('seed.mjs')) {
  const data = await seed();
  writeFileSync(process.env.HOLOMESH_SEED, JSON.stringify(data, null, 2));
  console.log(`seeded ${Object.keys(data.ids).length} objects`);
}
