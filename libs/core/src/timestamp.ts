// RFC 3339 date-times (section 5.6) to epoch milliseconds, without Date.parse: Date.parse gives
// NaN for a leap second and for offsets it does not know, and a NaN timestamp cannot be written
// as an Avro long. What RFC 3339 allows is accepted; anything else is an error to name.
//
//   date-time = full-date "T" full-time ; "T" and "Z" may be lower case (5.6, NOTE)
//   full-time = hh ":" mm ":" ss [ "." 1*DIGIT ] ( "Z" / ("+" / "-") hh ":" mm )
//
// So `+01` or `+0100` (ISO 8601 basic forms) and a missing offset are refused. A leap second
// (`23:59:60`, at the last minute of a UTC day) is accepted and counted as 23:59:59 with its
// fraction, as Java's Instant.parse does: epoch milliseconds have no 61st second.

export type TimestampResult = { ok: true; ms: number } | { ok: false; reason: string };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const DAY_MS = 86_400_000;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (any year 0000-9999). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function why(text: string, reason: string): TimestampResult {
  return { ok: false, reason: `'${text.length > 40 ? `${text.slice(0, 40)}...` : text}' ${reason}` };
}

/** An RFC 3339 date-time as epoch milliseconds (fractions past milliseconds are truncated). */
export function parseRfc3339(text: string): TimestampResult {
  const m = RFC3339.exec(text);
  if (!m) return why(text, 'is not an RFC 3339 date-time such as 2026-06-15T09:34:28.542Z (the offset must be Z or ±hh:mm)');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offsetSign = m[9] === '-' ? -1 : 1;
  const offsetHours = m[10] ? Number(m[10]) : 0;
  const offsetMinutes = m[11] ? Number(m[11]) : 0;
  if (month < 1 || month > 12) return why(text, `has no month ${month}`);
  if (day < 1 || day > daysInMonth(year, month)) return why(text, `has no day ${day} in ${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`);
  if (hour > 23 || minute > 59 || second > 60) return why(text, 'has a time of day out of range (hh 00-23, mm 00-59, ss 00-60)');
  if (offsetHours > 23 || offsetMinutes > 59) return why(text, 'has an offset out of range (hh 00-23, mm 00-59)');
  const offsetMs = offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000;
  const fraction = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const local = daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + Math.min(second, 59)) * 1000 + fraction;
  const ms = local - offsetMs;
  // A leap second is inserted after 23:59:59 UTC, whatever the offset it is written in.
  if (second === 60 && Math.floor((ms % DAY_MS + DAY_MS) % DAY_MS / 1000) !== 86_399) return why(text, 'has a leap second (ss 60) that is not at 23:59:60 UTC');
  return { ok: true, ms };
}
