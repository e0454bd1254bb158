/**
 * Safe XML reading for package descriptors (imsmanifest.xml, cmi5.xml, tincan.xml).
 *
 * Descriptors are untrusted. fast-xml-parser runs with entity processing off, and documents
 * that declare an internal DTD subset or an entity are refused before parsing, so neither an
 * external entity (XXE: reading a local file or a URL) nor entity expansion (billion laughs)
 * can happen. Only the five predefined XML entities and numeric character references are
 * decoded, by this module, without recursion. The result is a small namespace-resolved tree
 * whose elements know their path (`manifest/organizations/organization[1]/item[2]`), so that
 * every problem can name the element that caused it.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { reject } from './problem.js';

export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** Default ceiling on a descriptor's size: manifests are small; a 5 MB one is an attack or a mistake. */
export const DEFAULT_MAX_XML_BYTES = 5 * 1024 * 1024;

const MAX_DEPTH = 256;

export interface XmlAttribute {
  readonly name: string;
  readonly namespace: string;
  readonly value: string;
}

export interface XmlElement {
  /** Local name, without prefix. */
  readonly name: string;
  /** Resolved namespace URI; `''` for none; `urn:unresolved-prefix:<p>` for a prefix never declared. */
  readonly namespace: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** Direct text content (entities decoded, CDATA kept verbatim), not trimmed. */
  readonly text: string;
  /** Human-readable location, e.g. `manifest/organizations/organization[1]/item[2]`. */
  readonly path: string;
}

export interface ParseXmlOptions {
  readonly maxBytes?: number;
}

/** Decodes bytes as the document declares (BOM, then the XML declaration), UTF-8 by default. */
export function decodeXmlBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  let label = 'utf-8';
  if (declared !== undefined) {
    try {
      label = new TextDecoder(declared).encoding;
    } catch {
      label = 'utf-8';
    }
  }
  return new TextDecoder(label).decode(bytes);
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; anything else is left as written. */
export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
      return String.fromCodePoint(code);
    }
    return PREDEFINED[ref] ?? whole;
  });
}

const REPEATABLE = new Set([
  'item', 'organization', 'resource', 'file', 'dependency', 'au', 'block', 'activity', 'objective',
  'langstring', 'preConditionRule', 'exitConditionRule', 'postConditionRule', 'ruleCondition',
  'rollupRule', 'rollupCondition', 'mapInfo', 'hideLMSUI', 'map', 'sequencing', 'string',
]);

type OrderedNode = Record<string, unknown>;

/**
 * Parses a descriptor. Throws `PackageRejected` (never anything else) when the document is
 * too large, declares a DTD subset or entities, is not well-formed, or has no root element.
 */
export function parseXml(bytes: Uint8Array, file: string, options: ParseXmlOptions = {}): XmlElement {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  if (bytes.length > maxBytes) {
    reject('xml-too-large', `${file} is ${bytes.length} bytes; descriptors larger than ${maxBytes} bytes are refused.`, { file });
  }
  let text = decodeXmlBytes(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // No DTD processing at all: an internal subset is where entities (XXE, billion laughs) live.
  if (/<!DOCTYPE[^>]*\[/i.test(text) || /<!ENTITY/i.test(text)) {
    reject('xml-dtd-forbidden', `${file} declares a DTD with entities (<!DOCTYPE … [ … ]> or <!ENTITY>); such documents are refused for security reasons.`, { file });
  }
  if (!/<[A-Za-z_]/.test(text.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, ''))) {
    reject('xml-empty', `${file} has no root element (it is empty or holds only an XML declaration).`, { file });
  }
  const validation = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const where = line !== undefined ? ` at line ${line}${col !== undefined ? `, column ${col}` : ''}` : '';
    reject('xml-malformed', `${file} is not well-formed XML${where}: ${msg}`, { file });
  }
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    cdataPropName: '#cdata',
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  let ordered: OrderedNode[];
  try {
    ordered = parser.parse(text) as OrderedNode[];
  } catch (error) {
    const detail = error instanceof RangeError ? 'it is nested too deeply' : error instanceof Error ? error.message : String(error);
    return reject('xml-malformed', `${file} could not be read as XML: ${detail}`, { file });
  }
  const rootNode = ordered.find((node) => elementName(node) !== undefined);
  if (rootNode === undefined) reject('xml-empty', `${file} has no root element.`, { file });
  return convert(rootNode, new Map([['xml', XML_NAMESPACE]]), '', file, 0);
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '#cdata' && !key.startsWith('?'));
}

function convert(node: OrderedNode, parentScope: Map<string, string>, parentPath: string, file: string, depth: number, index = 1, siblingsWithName = 1): XmlElement {
  if (depth > MAX_DEPTH) reject('xml-too-deep', `${file} is nested more than ${MAX_DEPTH} elements deep.`, { file });
  const qname = elementName(node) as string;
  const rawAttributes = (node[':@'] ?? {}) as Record<string, string>;
  let scope = parentScope;
  for (const [key, value] of Object.entries(rawAttributes)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      scope.set(key === 'xmlns' ? '' : key.slice(6), decodeEntities(value));
    }
  }
  const [prefix, local] = splitName(qname);
  const namespace = resolve(scope, prefix);
  const attributes: XmlAttribute[] = [];
  for (const [key, value] of Object.entries(rawAttributes)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
    const [attrPrefix, attrLocal] = splitName(key);
    // Unprefixed attributes are in no namespace (Namespaces in XML 1.0 §6.2).
    attributes.push({ name: attrLocal, namespace: attrPrefix === '' ? '' : resolve(scope, attrPrefix), value: decodeEntities(String(value)) });
  }
  const showIndex = parentPath !== '' && (siblingsWithName > 1 || REPEATABLE.has(local));
  const path = `${parentPath === '' ? '' : `${parentPath}/`}${qname}${showIndex ? `[${index}]` : ''}`;
  const content = (node[qname] ?? []) as OrderedNode[];
  const counts = new Map<string, number>();
  for (const child of content) {
    const name = elementName(child);
    if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  const children: XmlElement[] = [];
  let text = '';
  for (const child of content) {
    if ('#text' in child) text += decodeEntities(String(child['#text']));
    else if ('#cdata' in child) text += ((child['#cdata'] ?? []) as OrderedNode[]).map((c) => String(c['#text'] ?? '')).join('');
    else {
      const name = elementName(child);
      if (name === undefined) continue;
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      children.push(convert(child, scope, path, file, depth + 1, n, counts.get(name) ?? 1));
    }
  }
  return { name: local, namespace, attributes, children, text, path };
}

function splitName(qname: string): [string, string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function resolve(scope: Map<string, string>, prefix: string): string {
  const uri = scope.get(prefix);
  if (uri !== undefined) return uri;
  return prefix === '' ? '' : `urn:unresolved-prefix:${prefix}`;
}

// ---------------------------------------------------------------------------
// Navigation helpers. A namespace set lets one lookup accept every URI a spec has used
// (SCORM changed namespaces between editions) plus the conventional prefix left undeclared.
// ---------------------------------------------------------------------------

export type NamespaceSet = ReadonlySet<string>;

export function namespaceSet(prefix: string, ...uris: string[]): NamespaceSet {
  return new Set([...uris, `urn:unresolved-prefix:${prefix}`]);
}

function inNamespace(element: XmlElement, ns: NamespaceSet | undefined): boolean {
  return ns === undefined || ns.has(element.namespace);
}

/** Child elements with this local name (compared case-insensitively when `ci`), optionally in one of the namespaces. */
export function childrenNamed(parent: XmlElement, name: string, ns?: NamespaceSet, ci = false): XmlElement[] {
  const wanted = ci ? name.toLowerCase() : name;
  return parent.children.filter((c) => (ci ? c.name.toLowerCase() : c.name) === wanted && inNamespace(c, ns));
}

export function childNamed(parent: XmlElement, name: string, ns?: NamespaceSet, ci = false): XmlElement | undefined {
  return childrenNamed(parent, name, ns, ci)[0];
}

/**
 * An attribute's value. Unprefixed attributes match when `ns` is omitted; prefixed ones when their
 * namespace is in `ns`. `ci` compares local names case-insensitively (SCORM 1.2 `scormtype` vs 2004 `scormType`).
 */
export function attribute(element: XmlElement, name: string, ns?: NamespaceSet, ci = false): string | undefined {
  const wanted = ci ? name.toLowerCase() : name;
  const found = element.attributes.find(
    (a) => (ci ? a.name.toLowerCase() : a.name) === wanted && (ns === undefined ? a.namespace === '' : ns.has(a.namespace)),
  );
  return found?.value;
}

/** Text content with surrounding whitespace removed and inner runs of whitespace kept. */
export function trimmedText(element: XmlElement | undefined): string {
  return element === undefined ? '' : element.text.trim();
}

/** Parses an `xs:boolean`; undefined when absent; `invalid` for anything else. */
export function parseXmlBoolean(value: string | undefined): boolean | undefined | 'invalid' {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return 'invalid';
}
