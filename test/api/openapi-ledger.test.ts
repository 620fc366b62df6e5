import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';
import { DECISIONS, EVENT_SOURCES, NUMBER_SOURCES } from '../../src/ledger-vocabulary.js';

interface Property {
  enum?: (string | null)[];
}

const spec = parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8')) as {
  components: {
    parameters: { decision: { schema: Property } };
    schemas: { ConsentEvent: { properties: Record<string, Property> } };
  };
};
const event = spec.components.schemas.ConsentEvent.properties;

describe('the API description of a consent event', () => {
  it('names every column of the ledger row, in export order', () => {
    expect(Object.keys(event)).toEqual([...EXPORT_COLUMNS]);
  });

  it('allows exactly the values the ledger allows', () => {
    expect(event.decision?.enum).toEqual([...DECISIONS]);
    expect(event.source?.enum).toEqual([...EVENT_SOURCES]);
    expect(event.number_source?.enum).toEqual([...NUMBER_SOURCES, null]);
    expect(spec.components.parameters.decision.schema.enum).toEqual([...DECISIONS]);
  });
});
