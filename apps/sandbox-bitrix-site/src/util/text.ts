// Text helpers shared by the exchange and REST parts: windows-1251 bytes (what Bitrix's exchange components
// send), XML escaping as PHP's htmlspecialcharsbx does it, and plain-text exchange answers.
import iconv from 'iconv-lite';
import type { SandboxResponse } from '@esb/sandbox-kit';

export function to1251(s: string): Buffer {
  return iconv.encode(s, 'win1251');
}

export function from1251(b: Uint8Array): string {
  return iconv.decode(Buffer.from(b), 'win1251');
}

/** htmlspecialcharsbx (ENT_COMPAT): & < > " are escaped, the apostrophe is not. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A 1c_exchange.php answer: the components convert their whole output to windows-1251 and send
 * `text/html; charset=windows-1251` with `Pragma: no-cache`.
 */
export function exchangeText(body: string, extra: Record<string, string> = {}): SandboxResponse {
  return { status: 200, headers: { 'content-type': 'text/html; charset=windows-1251', pragma: 'no-cache', ...extra }, body: to1251(body) };
}

/** The order XML of `mode=query`: `application/xml; charset=windows-1251` with an explicit length. */
export function exchangeXml(xml: string, extra: Record<string, string> = {}): SandboxResponse {
  const body = to1251(xml);
  return {
    status: 200,
    headers: { 'content-type': 'application/xml; charset=windows-1251', 'content-length': String(body.length), pragma: 'no-cache', ...extra },
    body,
  };
}
