import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { checkSymbol, newCertificateNumber, parseCertificateNumber } from '../../src/records/certificates/certificate-number.js';
import { canonicalJson, loadOrCreateSigningKey, signPayload, SIGNING_KEY_FILE, verifyPayload } from '../../src/records/certificates/certificate-signing.js';
import { certificateEarnedMs, defaultCertificateRule } from '../../src/records/certificates/completion-rule.js';

t.test('certificate numbers', async (t) => {
  const atMs = Date.UTC(2026, 2, 2);
  const numbers = Array.from({ length: 200 }, () => newCertificateNumber(atMs));
  for (const number of numbers) {
    t.match(number, /^CAD-2026-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    t.equal(parseCertificateNumber(number), number);
  }
  t.ok(new Set(numbers).size > 195, 'random');
  const number = newCertificateNumber(atMs, () => 7);
  t.equal(number, `CAD-2026-7777-777${checkSymbol('20267777777')}`);
  t.equal(parseCertificateNumber(` ${number.toLowerCase().replace(/-/g, ' ')} `), number, 'case and separators forgiven');
  const withLookalikes = parseCertificateNumber(newCertificateNumber(atMs, () => 0).replace(/0/g, 'O').replace('2O26', '2026'));
  t.match(withLookalikes, /^CAD-2026-0000-000/, 'O read as 0');
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const body = number.replace(/-/g, '').slice(3);
  let caught = 0;
  let tried = 0;
  for (let i = 0; i < body.length; i++) {
    for (const symbol of alphabet) {
      if (symbol === body[i]) continue;
      tried += 1;
      const typo = `CAD${body.slice(0, i)}${symbol}${body.slice(i + 1)}`;
      if (parseCertificateNumber(typo) === null) caught += 1;
    }
  }
  t.equal(caught, tried, 'every single-symbol typo is caught by the check symbol');
  t.equal(parseCertificateNumber('CAD-2026-7KQ4'), null);
  t.equal(parseCertificateNumber('XYZ-2026-7777-7777'), null);
});

t.test('canonical JSON', async (t) => {
  t.equal(canonicalJson({ b: 1, a: 'é', c: null, d: [true, 'x'], e: undefined }), '{"a":"\\u00e9","b":1,"c":null,"d":[true,"x"]}');
  t.same(JSON.parse(canonicalJson({ name: 'Ånne 李 "q"' })), { name: 'Ånne 李 "q"' }, 'parses back to the same values');
  t.match(canonicalJson({ name: '😀' }), /^[\x20-\x7e]+$/, 'ASCII only, astral characters as surrogate escapes');
  t.throws(() => canonicalJson({ n: Number.NaN }));
});

t.test('the signing key is made once, private to its owner, and signs', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-key-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const first = loadOrCreateSigningKey(dir);
  const again = loadOrCreateSigningKey(dir);
  t.equal(again.keyId, first.keyId, 'reused');
  const file = path.join(dir, SIGNING_KEY_FILE);
  t.equal(fs.statSync(file).mode & 0o777, 0o600);
  fs.chmodSync(file, 0o644);
  loadOrCreateSigningKey(dir);
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'permissions taken back');
  t.same(fs.readdirSync(dir), [SIGNING_KEY_FILE], 'no temporary file left');
  const signature = signPayload(first, '{"a":1}');
  t.ok(verifyPayload(first.publicPem, '{"a":1}', signature));
  t.notOk(verifyPayload(first.publicPem, '{"a":2}', signature));
  t.notOk(verifyPayload(generateKeyPairSync('ed25519').publicKey, '{"a":1}', signature), 'another key');
  t.notOk(verifyPayload(first.publicKey, '{"a":1}', 'not-a-signature'));
  t.equal(first.jwk.kid, first.keyId);
});

t.test('completion rules', async (t) => {
  const units = (pairs: Array<[number | null, number | null]>) => pairs.map(([completedMs, passedMs]) => ({ completedMs, passedMs }));
  const state = (pairs: Array<[number | null, number | null]>, courseSatisfiedMs: number | null = null) => ({ units: units(pairs) as never, courseSatisfiedMs });
  const cases: Array<[string, Parameters<typeof certificateEarnedMs>[0], 'scorm12' | 'cmi5', ReturnType<typeof state>, number | null]> = [
    ['default SCORM: every unit completed or passed, at the latest', null, 'scorm12', state([[10, null], [null, 20]]), 20],
    ['default SCORM: a unit missing', null, 'scorm12', state([[10, null], [null, null]]), null],
    ['default cmi5: satisfied', null, 'cmi5', state([[10, 10]], 30), 30],
    ['default cmi5: AUs done but not satisfied', null, 'cmi5', state([[10, 10]]), null],
    ['completed', 'completed', 'scorm12', state([[10, 5], [null, 20]]), null],
    ['completed, all', 'completed', 'scorm12', state([[10, 5], [25, 20]]), 25],
    ['passed', 'passed', 'scorm12', state([[10, null]]), null],
    ['passed, all', 'passed', 'scorm12', state([[10, 15], [3, 4]]), 15],
    ['completed or passed: the earlier of each', 'completed-or-passed', 'cmi5', state([[10, 15], [30, 4]]), 10],
    ['none', 'none', 'scorm12', state([[1, 1]]), null],
    ['no units', 'completed', 'scorm12', state([]), null],
  ];
  for (const [name, rule, format, accumulator, expected] of cases) t.equal(certificateEarnedMs(rule, format, accumulator), expected, name);
  t.equal(defaultCertificateRule('xapi'), 'completed-or-passed');
  t.equal(defaultCertificateRule('cmi5'), 'satisfied');
});

t.test('SCORM 2004: the rules read the course\'s sequencing rollup, not its units (SN RB.1.5)', async (t) => {
  const doneUnits = [{ completedMs: 10, passedMs: 10 }, { completedMs: 20, passedMs: null }];
  const rollup = (courseCompletedMs: number | null, coursePassedMs: number | null) => ({ units: doneUnits as never, courseSatisfiedMs: null, courseCompletedMs, coursePassedMs, courseFailedMs: null });
  t.equal(certificateEarnedMs(null, 'scorm2004', rollup(null, null)), null, 'every unit done, the rollup not complete: no certificate');
  t.equal(certificateEarnedMs(null, 'scorm2004', rollup(40, null)), 40, 'default: the rollup completed');
  t.equal(certificateEarnedMs(null, 'scorm2004', rollup(40, 30)), 30, 'default: or satisfied, the earlier');
  t.equal(certificateEarnedMs('completed', 'scorm2004', rollup(null, 30)), null, 'completed: satisfied is not enough');
  t.equal(certificateEarnedMs('completed', 'scorm2004', rollup(40, 30)), 40);
  t.equal(certificateEarnedMs('passed', 'scorm2004', rollup(40, null)), null, 'passed: completed is not enough');
  t.equal(certificateEarnedMs('passed', 'scorm2004', rollup(40, 30)), 30);
  t.equal(certificateEarnedMs('completed-or-passed', 'scorm2004', rollup(40, null)), 40);
  t.equal(certificateEarnedMs('completed', 'scorm12', rollup(40, 30)), 20, 'SCORM 1.2 still reads every unit');
  t.equal(defaultCertificateRule('scorm2004'), 'completed-or-passed');
});
