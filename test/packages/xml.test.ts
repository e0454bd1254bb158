import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { inspectPackage } from '../../src/packages/index.js';
import { PackageRejected } from '../../src/packages/problem.js';
import { attribute, childNamed, decodeEntities, namespaceSet, parseXml } from '../../src/packages/xml.js';
import { listTree, tempDir, writeZip } from './helpers.js';

function rejection(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof PackageRejected) return error.problems[0];
    throw error;
  }
}

const bytes = (s: string) => Buffer.from(s, 'utf8');

t.test('XXE: an external entity is never resolved; the document is refused', async (t) => {
  const secretDir = tempDir(t);
  const secret = path.join(secretDir, 'secret.txt');
  fs.writeFileSync(secret, 'TOP-SECRET-CONTENT');
  const xml = `<?xml version="1.0"?>\n<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file://${secret}">]>\n<manifest identifier="m"><metadata><schema>&xxe;</schema></metadata></manifest>`;
  const problem = rejection(() => parseXml(bytes(xml), 'imsmanifest.xml'));
  t.equal(problem?.code, 'xml-dtd-forbidden');
  t.notMatch(problem?.message ?? '', /TOP-SECRET/);

  // Through the whole importer: rejected, nothing left behind.
  const zip = writeZip(t, [{ name: 'imsmanifest.xml', data: xml }, { name: 'index.html', data: 'x' }]);
  const target = path.join(tempDir(t), 'course');
  const result = await inspectPackage({ zipPath: zip }, target);
  t.notOk(result.ok);
  if (!result.ok) {
    t.equal(result.errors[0]?.code, 'xml-dtd-forbidden');
    t.equal(result.errors[0]?.file, 'imsmanifest.xml');
    t.notMatch(JSON.stringify(result.errors), /TOP-SECRET/);
  }
  t.notOk(fs.existsSync(target), 'the target directory is removed');
});

t.test('billion laughs is refused without expanding anything', async (t) => {
  const lol = ['<!ENTITY lol "lol">'];
  for (let i = 1; i < 10; i += 1) lol.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  const xml = `<?xml version="1.0"?><!DOCTYPE lolz [${lol.join('')}]><manifest>&lol9;</manifest>`;
  const started = process.hrtime.bigint();
  t.equal(rejection(() => parseXml(bytes(xml), 'imsmanifest.xml'))?.code, 'xml-dtd-forbidden');
  t.ok(process.hrtime.bigint() - started < 1_000_000_000n, 'refused at once');
  t.equal(rejection(() => parseXml(bytes('<a><!ENTITY x "y"></a>'), 'x.xml'))?.code, 'xml-dtd-forbidden', 'a stray ENTITY declaration too');
});

t.test('a DOCTYPE without an internal subset is harmless and accepted (never fetched)', async (t) => {
  const root = parseXml(bytes('<?xml version="1.0"?><!DOCTYPE manifest SYSTEM "http://127.0.0.1:1/evil.dtd"><manifest a="1"/>'), 'm.xml');
  t.equal(root.name, 'manifest');
});

t.test('a huge manifest is refused by size before parsing', async (t) => {
  // Random identifiers keep the compression ratio realistic (a repeated string would be refused as a zip bomb first).
  const items = Array.from({ length: 60_000 }, () => `<item identifier="${randomBytes(24).toString('hex')}"><title>t</title></item>`);
  const huge = `<manifest>${items.join('')}</manifest>`;
  t.ok(huge.length > 5 * 1024 * 1024);
  t.equal(rejection(() => parseXml(bytes(huge), 'imsmanifest.xml'))?.code, 'xml-too-large');
  const zip = writeZip(t, [{ name: 'imsmanifest.xml', data: huge }]);
  const target = path.join(tempDir(t), 'course');
  const result = await inspectPackage({ zipPath: zip }, target);
  t.notOk(result.ok);
  if (!result.ok) t.equal(result.errors[0]?.code, 'xml-too-large');
  t.same(listTree(target), []);
});

t.test('malformed and empty documents name the file and the line', async (t) => {
  const problem = rejection(() => parseXml(bytes('<manifest>\n  <item>\n</manifest>'), 'imsmanifest.xml'));
  t.equal(problem?.code, 'xml-malformed');
  t.match(problem?.message, /imsmanifest\.xml is not well-formed XML at line 3/);
  t.equal(rejection(() => parseXml(bytes('<?xml version="1.0" encoding="UTF-8"?>\n'), 'imsmanifest.xml'))?.code, 'xml-empty');
  t.equal(rejection(() => parseXml(bytes(''), 'imsmanifest.xml'))?.code, 'xml-empty');
});

t.test('entities: the predefined five and character references only', async (t) => {
  t.equal(decodeEntities('a &amp; b &lt;c&gt; &quot;&apos; &#233;&#xE9; &unknown;'), 'a & b <c> "\' éé &unknown;');
  t.equal(decodeEntities('&amp;lt;'), '&lt;', 'no double decoding');
});

t.test('namespaces are resolved whatever the prefix; paths name elements', async (t) => {
  const xml = `\ufeff<?xml version="1.0"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:foo="http://www.adlnet.org/xsd/adlcp_v1p3">
  <organizations><organization identifier="o"><item identifier="a"/><item identifier="b" foo:x="1&amp;2"><![CDATA[<raw> & ]]></item></organization></organizations>
</manifest>`;
  const root = parseXml(bytes(xml), 'imsmanifest.xml');
  const adlcp = namespaceSet('adlcp', 'http://www.adlnet.org/xsd/adlcp_v1p3');
  const org = childNamed(childNamed(root, 'organizations')!, 'organization')!;
  const second = org.children[1]!;
  t.equal(second.path, 'manifest/organizations/organization[1]/item[2]');
  t.equal(attribute(second, 'x', adlcp), '1&2');
  t.equal(second.text, '<raw> & ', 'CDATA kept verbatim');
  t.equal(root.namespace, 'http://www.imsglobal.org/xsd/imscp_v1p1');
});

t.test('encodings: UTF-16 with BOM and ISO-8859-1 declared', async (t) => {
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a t="é"/>', 'utf16le')]);
  t.equal(attribute(parseXml(utf16, 'x.xml'), 't'), 'é');
  const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a t="\u00e9"/>', 'latin1');
  t.equal(attribute(parseXml(latin1, 'x.xml'), 't'), 'é');
});
