import { describe, expect, it } from 'vitest';
import { terminalDisplay } from '../../src/simulator/terminal-display.js';

describe('the call on a screen', () => {
  it('gives the size of an answer in bytes, not characters', () => {
    const lines: string[] = [];
    const show = terminalDisplay({ write: (text) => lines.push(text) });
    // "é" and "€" are one character each but two and three bytes in UTF-8.
    show({ type: 'answer', url: 'http://ivr.test/voice', status: 200, contentType: 'text/xml', body: 'é€' });
    expect(lines).toEqual(['<- 200 text/xml, 5 bytes\n']);
  });
});
