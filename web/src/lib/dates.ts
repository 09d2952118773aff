// Calendar-date arithmetic on ISO dates (YYYY-MM-DD), in UTC so no time
// zone or daylight-saving change moves a day.
export function daysBetween(from: string, to: string): number {
  const ms = Date.parse(`${to.slice(0, 10)}T00:00:00Z`) - Date.parse(`${from.slice(0, 10)}T00:00:00Z`);
  return Math.round(ms / 86_400_000);
}

// The agency's calendar is France's: a deadline runs out, and "today"
// begins, at midnight in Paris, as the server counts them (recouvra.DateOf).
// The reader's own clock would put a lawyer abroad — or a browser on UTC
// between 23:00 and midnight — a day off the server's count.
const parisDate = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

// todayISO is the calendar date in Paris at the instant given.
export function todayISO(now = new Date()): string {
  const parts = parisDate.formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}
