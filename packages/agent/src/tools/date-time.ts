/** Date and time: now (or a given date) in a time zone, shifted by days/hours, and days until another date. */
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { defineTool } from './tool.js';

const inputSchema = z.strictObject({
  date: z.string().optional().describe('ISO date/time to start from; default now'),
  timezone: z.string().optional().describe('IANA time zone, e.g. "Europe/Paris"; default UTC'),
  addDays: z.number().optional().describe('days to add (negative to subtract)'),
  addHours: z.number().optional().describe('hours to add'),
  until: z.string().optional().describe('ISO date; the answer includes the days from the result to it'),
});

const dayMs = 86_400_000;

export function createDateTimeTool(options: { now?: () => Date } = {}) {
  const now = options.now ?? (() => new Date());
  return defineTool({
    name: 'date_time',
    description: 'Current date and time, or a given date shifted by days/hours, in a time zone; optionally the days until another date.',
    inputSchema,
    async call(input) {
      const start = input.date === undefined ? now() : parseDate(input.date, 'date');
      const shifted = new Date(start.getTime() + (input.addDays ?? 0) * dayMs + (input.addHours ?? 0) * 3_600_000);
      const timezone = input.timezone ?? 'UTC';
      const parts = describe(shifted, timezone);
      if (input.until === undefined) return parts;
      const target = parseDate(input.until, 'until');
      return { ...parts, daysUntil: Math.round(((target.getTime() - shifted.getTime()) / dayMs) * 100) / 100 };
    },
  });
}

function parseDate(text: string, field: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new ToolError('invalid-input', `${field}: "${text}" is not a date`, 'write an ISO date such as 2025-03-01 or 2025-03-01T12:00:00Z');
  return date;
}

function describe(date: Date, timezone: string) {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'long', hourCycle: 'h23' });
  } catch {
    throw new ToolError('invalid-input', `timezone: "${timezone}" is not an IANA time zone`, 'use a name like "UTC", "Asia/Shanghai" or "America/New_York"');
  }
  const part = (type: string) => format.formatToParts(date).find((item) => item.type === type)?.value ?? '';
  return {
    iso: date.toISOString(),
    date: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}:${part('minute')}:${part('second')}`,
    weekday: part('weekday'),
    timezone,
    unixMs: date.getTime(),
  };
}
