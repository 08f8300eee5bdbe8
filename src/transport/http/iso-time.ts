// ISO 8601 text of UTC milliseconds for answers that carry hundreds or thousands of them (buckets,
// history pages, exports): `new Date(ms).toISOString()` costs ~1.3 µs here, which made it the
// largest cost of a 30-day hourly aggregate over HTTP. The date part is formatted once per UTC day.
const DAY = 86_400_000;
/** Year 10000: beyond it toISOString writes an expanded year (+010000-…). */
const YEAR_10000 = 253_402_300_800_000;

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** A formatter equal to `new Date(ms).toISOString()`, fastest for times in few distinct days. */
export function isoFormatter(): (ms: number) => string {
  let day = Number.NaN;
  let datePart = '';
  return (ms) => {
    if (!(ms >= 0 && ms < YEAR_10000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
    const start = ms - (ms % DAY);
    if (start !== day) {
      day = start;
      datePart = new Date(start).toISOString().slice(0, 11); // YYYY-MM-DDT
    }
    let rest = ms - start;
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = Math.floor(rest / 1000);
    return `${datePart}${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(rest - s * 1000)}Z`;
  };
}
