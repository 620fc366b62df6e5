import type { ConsentEvent, Statement } from '../db/schema.js';
import { phoneCountry } from '../phone/phone.js';

/**
 * One decision as an ISO/IEC TS 27560:2023 consent record in the W3C DPV JSON-LD profile, following the DPVCG
 * guide (https://w3id.org/dpv/guides/consent-27560) and its record schema draft
 * (https://github.com/coolharsh55/dpv-consent-record/blob/main/spec_record.md).
 */
export type ConsentRecord = Record<string, unknown>;

/**
 * Every field ISO/IEC TS 27560 marks mandatory for a record, and where it is in ours (a path of keys). The
 * test reads this list and checks each one is filled in records of every kind of decision.
 */
export const ISO27560_MANDATORY: Readonly<Record<string, readonly string[]>> = {
  'schema version': ['dct:conformsTo'],
  'record id': ['dpv:hasIdentifier'],
  'pii principal id': ['dpv:hasDataSubject', 'dpv:hasIdentifier'],
  'privacy notice': ['dpv:hasNotice', 'dpv:hasIdentifier'],
  language: ['dct:language'],
  purpose: ['dpv:hasPurpose'],
  'pii information': ['dpv:hasPersonalData'],
  'pii controllers': ['dpv:hasDataController'],
  'storage locations': ['dpv:hasStorageCondition', '0', 'dpv:hasLocation'],
  'retention period': ['dpv:hasStorageCondition', '1', 'dpv:hasDuration'],
  jurisdiction: ['dpv:hasJurisdiction'],
  'recipient third parties': ['dpv:hasRecipient'],
  'withdrawal method': ['dpv:hasConsentControl', 'dpv:isExercisedAt'],
  'pii type': ['dpv:hasPersonalData'],
  'party id': ['dpv:hasEntity', 'controller', 'dpv:hasIdentifier'],
  'party address': ['dpv:hasEntity', 'controller', 'dpv:hasAddress'],
  'party name': ['dpv:hasEntity', 'controller', 'dpv:hasName'],
  'party contact': ['dpv:hasEntity', 'controller', 'dpv:hasContact'],
  'party type': ['dpv:hasEntity', 'controller', '@type'],
  'event time': ['dpv:hasConsentStatus', 'dct:date'],
  'validity duration': ['dpv:hasConsentStatus', 'dct:valid'],
  'entity id': ['dpv:hasConsentStatus', 'dpv:isImplementedByEntity'],
  'event type': ['dpv:hasLegalBasis'],
  'event state': ['dpv:hasConsentStatus', '@type'],
};

const CONTEXT = {
  dpv: 'https://w3id.org/dpv#',
  dct: 'http://purl.org/dc/terms/',
  pd: 'https://w3id.org/dpv/pd#',
  loc: 'https://w3id.org/dpv/loc#',
  schema: 'https://schema.org/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  'dpv-27560': 'https://w3id.org/dpv/schema/dpv-27560#',
};

const STATE: Record<ConsentEvent['decision'], string> = {
  opt_in: 'dpv:ConsentGiven',
  declined: 'dpv:ConsentRefused',
  opt_out: 'dpv:ConsentWithdrawn',
};

// A category is the kind of WhatsApp template the business may send: marketing is DPV's Marketing; utility
// messages (order updates, reminders) serve the customer's own dealings, DPV's ServiceProvision.
const PURPOSE: Record<string, string> = { marketing: 'dpv:Marketing', utility: 'dpv:ServiceProvision' };

/** Kept at least five years: the US Telemarketing Sales Rule's record period, longer than the TCPA's four. */
const RETENTION = 'P5Y';

/** The record of one event; `statement` is the text the caller answered (IVR decisions), if kept. */
export function consentRecord(event: ConsentEvent, statement?: Pick<Statement, 'sha256' | 'text'>): ConsentRecord {
  const line = event.called_number;
  const country = phoneCountry(line ?? event.phone_number ?? '') ?? null;
  const controllerId = `urn:optin-ivr:business:${encodeURIComponent(event.business)}`;
  const subject = event.phone_number === null ? 'unknown' : `tel:${event.phone_number}`;
  const withdrawal = line
    ? `call ${line} and press the stop key, or ask the business to record an opt-out`
    : 'ask the business to record an opt-out (through its agents or its API), or call its consent line';
  const collection =
    event.source === 'ivr'
      ? {
          '@type': ['dpv:DataSubjectDataSource'],
          'dct:description': `IVR keypress ${event.digits ?? ''} at ${event.prompt_id ?? ''}, attempt ${event.attempt ?? ''}`,
          'dct:identifier': event.call_sid,
          'dpv:hasProcessing': 'dpv:Collect',
        }
      : {
          '@type': ['dpv:DataControllerDataSource'],
          'dct:description': `${event.source === 'agent' ? 'recorded by an agent' : 'recorded through the API'}: ${event.reason ?? ''}`,
          'dpv:hasProcessing': 'dpv:Collect',
        };
  return {
    '@context': CONTEXT,
    '@id': `urn:uuid:${event.event_id}`,
    '@type': 'dpv:ConsentRecord',
    'dct:conformsTo': 'dpv-27560:record-2',
    'dpv:hasIdentifier': event.event_id,
    'dct:created': event.recorded_at,
    'dpv:hasDataSubject': { '@type': ['dpv:DataSubject', 'dpv:Customer'], 'dpv:hasIdentifier': subject },
    'dct:language': event.language ?? 'und',
    'dpv:hasNotice': {
      '@type': ['dpv:ConsentNotice'],
      'dpv:hasIdentifier': event.statement_sha256
        ? `sha256:${event.statement_sha256}`
        : `urn:optin-ivr:notice:${event.source}`,
      'rdf:value': statement?.text ?? null,
      'dct:language': event.language,
      'dct:hasVersion': event.script_version === null ? null : `${event.script_id}@${event.script_version}`,
    },
    'dpv:hasPurpose': [
      {
        '@type': [PURPOSE[event.category] ?? 'dpv:Purpose'],
        'dct:description': `WhatsApp messages from ${event.business}: ${event.category}`,
      },
    ],
    'dpv:hasPersonalData': ['pd:PhoneNumber'],
    'dpv:hasProcessing': ['dpv:Collect', 'dpv:Store', 'dpv:Use'],
    'dpv:hasDataSource': [collection],
    'dpv:hasDataController': [controllerId],
    'dpv:hasRecipient': [controllerId],
    'dpv:hasJurisdiction': country ? [`loc:${country}`] : ['loc:unknown'],
    'dpv:hasStorageCondition': [
      { '@type': ['dpv:StorageLocation'], 'dpv:hasLocation': 'dpv:LocalLocation' },
      {
        '@type': ['dpv:StorageDuration'],
        'dpv:hasDuration': { '@type': ['dpv:TemporalDuration'], 'rdf:value': RETENTION },
      },
    ],
    'dpv:hasLegalBasis': ['dpv:ExpressedConsent'],
    'dpv:hasConsentControl': {
      '@type': ['dpv:WithdrawConsent'],
      'dpv:isExercisedAt': line ? `tel:${line}` : 'urn:optin-ivr:opt-out',
      'dct:description': withdrawal,
    },
    'dpv:hasConsentStatus': {
      '@type': [STATE[event.decision], 'dpv:ExpressedConsent'],
      'dct:date': event.recorded_at,
      'dpv:isIndicatedAtTime': event.recorded_at,
      // Valid until withdrawn: a later opt-out event for the same business and category ends it.
      'dct:valid': event.decision === 'opt_in' ? `${event.recorded_at}/..` : event.recorded_at,
      'dpv:isImplementedByEntity': event.source === 'ivr' ? subject : controllerId,
    },
    'dpv:hasEntity': {
      controller: {
        '@id': controllerId,
        '@type': ['dpv:Organisation', 'dpv:DataController'],
        'dpv:hasIdentifier': controllerId,
        'dpv:hasName': event.business,
        'dpv:hasAddress': country ? `loc:${country}` : 'loc:unknown',
        'dpv:hasContact': line ? { 'schema:telephone': line } : { 'schema:description': 'the consent line' },
      },
    },
    'dct:source': { 'dct:identifier': `optin-ivr event seq ${event.seq}`, 'dpv:hasIdentifier': event.hash },
  };
}
