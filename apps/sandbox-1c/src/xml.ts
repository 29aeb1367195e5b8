// XML text helpers shared by `$metadata`, Atom payloads, SOAP envelopes and the PDF title: escaping only, because every
// document the sandbox sends is built by hand to keep element order and namespaces exactly as 1C emits them.
export function esc(s: string): string {
  // Attributes are always double-quoted, so apostrophes (as in `guid'…'` links) stay literal like 1C writes them.
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** An element with attributes; `body` undefined makes it self-closing. */
export function el(name: string, attrs: Record<string, string | undefined>, body?: string): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(v!)}"`)
    .join('');
  return body === undefined ? `<${name}${a}/>` : `<${name}${a}>${body}</${name}>`;
}
