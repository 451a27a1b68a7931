// How many SMS segments a text costs: GSM 03.38 (7-bit) when every character is in its basic
// table or extension table (an extension character takes two septets), else UCS-2 (UTF-16 code
// units). One segment holds 160 septets or 70 units; a concatenated message loses room to its
// header: 153 septets or 67 units a segment.

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(BASIC);
const extension = new Set(EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  segments: number;
  /** Room per segment at this length: 160/153 septets or 70/67 units. */
  perSegment: number;
  /** Units left in the last segment before one more is needed. */
  remaining: number;
  /** The characters that forced UCS-2, in order of first appearance. */
  nonGsm: string[];
}

export function smsSegments(text: string): SmsSegments {
  let septets = 0;
  const nonGsm: string[] = [];
  for (const c of text) {
    if (basic.has(c)) septets += 1;
    else if (extension.has(c)) septets += 2;
    else if (!nonGsm.includes(c)) nonGsm.push(c);
  }
  const gsm = nonGsm.length === 0;
  const units = gsm ? septets : text.length;
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  const perSegment = units <= single ? single : multi;
  const segments = units === 0 ? 0 : Math.ceil(units / perSegment);
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments, perSegment, remaining: segments * perSegment - units, nonGsm };
}
