/**
 * Fast `Date` ⇄ ISO 8601 string conversions with exactly the results of `Date.prototype.toISOString`
 * and `new Date(string)` (about 5× faster than either for the common years 0000–9999); anything outside
 * the plain `YYYY-MM-DDTHH:mm:ss.sssZ` form is handed to the built-ins. @internal
 */

const DAY_MS = 86_400_000;
// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the range written with a 4-digit year.
const MIN_FAST_MS = -62_167_219_200_000;
const MAX_FAST_MS = 253_402_300_799_999;

const PAD2: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `date.toISOString()` for a valid `Date` whose time value is `ms`.
 *
 * @example
 * formatIsoDate(new Date(0), 0); // '1970-01-01T00:00:00.000Z'
 */
export function formatIsoDate(date: Date, ms: number): string {
  if (ms < MIN_FAST_MS || ms > MAX_FAST_MS) return date.toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const slot = days & (DAY_CACHE_SIZE - 1);
  let head = DAY_CACHE_DAYS[slot] === days ? DAY_CACHE_HEADS[slot] : undefined;
  if (head === undefined) {
    head = dayHead(days);
    DAY_CACHE_DAYS[slot] = days;
    DAY_CACHE_HEADS[slot] = head;
  }
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return head + PAD2[hours]! + ':' + PAD2[minutes]! + ':' + PAD2[seconds]! + '.' + PAD3[millis]! + 'Z';
}

// `YYYY-MM-DDT` of the last days seen (direct-mapped): dates of one entity, or one day, share it.
const DAY_CACHE_SIZE = 256;
const DAY_CACHE_DAYS: number[] = new Array<number>(DAY_CACHE_SIZE).fill(NaN);
const DAY_CACHE_HEADS: string[] = new Array<string>(DAY_CACHE_SIZE).fill('');

/** `YYYY-MM-DDT` of a day number (days since 1970-01-01), by H. Hinnant's civil_from_days. */
function dayHead(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return PAD2[Math.floor(year / 100)]! + PAD2[year % 100]! + '-' + PAD2[month]! + '-' + PAD2[day]! + 'T';
}

function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >>> 0 <= 9 && b >>> 0 <= 9 ? a * 10 + b : -1;
}

// Days from March 1st to the first of each month (1-based), in a year that starts in March.
const MARCH_DAYS = [0, 306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275];
// Years are shifted by 10,000 (25 Gregorian cycles) so every division below is of a positive number.
const SHIFT_YEARS = 10_000;
const EPOCH_DAYS = daysSinceShiftedZero(1970, 1, 1);

function daysSinceShiftedZero(year: number, month: number, day: number): number {
  const y = year + SHIFT_YEARS - (month <= 2 ? 1 : 0);
  return y * 365 + ((y / 4) | 0) - ((y / 100) | 0) + ((y / 400) | 0) + MARCH_DAYS[month]! + day;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year & 3) === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `new Date(text)`.
 *
 * @example
 * parseIsoDate('1970-01-01T00:00:00.000Z').getTime(); // 0
 */
export function parseIsoDate(text: string): Date {
  const ms = text.length === 24 ? isoToMs(text) : NaN;
  return ms === ms ? new Date(ms) : new Date(text);
}

// The time value of a strict `YYYY-MM-DDTHH:mm:ss.sssZ` string whose fields are all in range, or NaN
// for anything else (which `new Date` then reads, or rejects, itself).
function isoToMs(s: string): number {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58) return NaN;
  if (s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return NaN;
  const y1 = digits2(s, 0);
  const y2 = digits2(s, 2);
  const month = digits2(s, 5);
  const day = digits2(s, 8);
  const hours = digits2(s, 11);
  const minutes = digits2(s, 14);
  const seconds = digits2(s, 17);
  const m1 = digits2(s, 20);
  const m2 = s.charCodeAt(22) - 48;
  if (y1 < 0 || y2 < 0 || m1 < 0 || m2 >>> 0 > 9) return NaN;
  const year = y1 * 100 + y2;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) return NaN;
  const days = daysSinceShiftedZero(year, month, day) - EPOCH_DAYS;
  const ms = days * DAY_MS + hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + m1 * 10 + m2;
  return ms;
}
