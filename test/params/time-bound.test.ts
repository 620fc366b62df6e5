import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../src/params/invalid-parameter.js';
import { timeBound } from '../../src/params/time-bound.js';

describe('since and until values', () => {
  it('starts a date-only since at midnight UTC and ends a date-only until after that whole day', () => {
    expect(timeBound('since', '2026-11-01')).toBe('2026-11-01T00:00:00.000Z');
    expect(timeBound('until', '2026-11-30')).toBe('2026-12-01T00:00:00.000Z');
  });

  it('reads a month as the whole month', () => {
    expect(timeBound('since', '2026-10')).toBe('2026-10-01T00:00:00.000Z');
    expect(timeBound('until', '2026-12')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('keeps a full time exact and converts its offset to UTC', () => {
    expect(timeBound('until', '2026-11-01T09:30:00Z')).toBe('2026-11-01T09:30:00.000Z');
    expect(timeBound('since', '2026-11-01T10:30:00.250+01:00')).toBe('2026-11-01T09:30:00.250Z');
  });

  it('reaches up to the end of 9998, and no further: year 10000 would sort before 2026 as text', () => {
    expect(timeBound('until', '9998-12')).toBe('9999-01-01T00:00:00.000Z');
    expect(timeBound('until', '9998-12-31')).toBe('9999-01-01T00:00:00.000Z');
    expect(timeBound('until', '9998-12-31T23:00:00-05:00')).toBe('9999-01-01T04:00:00.000Z');
    expect(timeBound('since', '1970-01')).toBe('1970-01-01T00:00:00.000Z');
  });

  it.each([
    ['9999-12', 'is outside the years 1970 to 9998'],
    ['9999-12-31', 'is outside the years 1970 to 9998'],
    ['9999-12-31T23:00:00Z', 'is outside the years 1970 to 9998'],
    ['0050-01', 'is outside the years 1970 to 9998'],
    ['0050-01-01', 'is outside the years 1970 to 9998'],
    ['0099-12-31T10:00:00Z', 'is outside the years 1970 to 9998'],
    ['1970-01-01T00:30:00+01:00', 'is outside the years 1970 to 9998'],
  ])('refuses %j as until and as since', (value, why) => {
    for (const parameter of ['since', 'until'] as const) {
      expect(() => timeBound(parameter, value)).toThrow(`${parameter} "${value}" ${why}`);
    }
  });

  it.each([
    ['2026-02-30', 'not a date on the calendar'],
    ['2026-13', 'not a month'],
    ['2026-11-01T09:30', 'has no time zone'],
    ['2026-11-01T25:00Z', 'not a real date and time'],
    ['yesterday', 'is not a date'],
    ['', 'is not a date'],
  ])('refuses %j, naming the parameter and the value', (value, why) => {
    const error = (() => {
      try {
        timeBound('since', value);
      } catch (err) {
        return err;
      }
    })() as InvalidParameterError;
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect(error.parameter).toBe('since');
    expect(error.message).toContain(`"${value}"`);
    expect(error.message).toContain(why);
  });
});
