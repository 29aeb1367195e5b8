import { describe, it, expect } from 'vitest';
import { dedupeKey, eventTarget, OFFLINE_EVENTS, ONLINE_EVENTS, WEBHOOK_EVENTS } from './events.ts';
import { fingerprint } from './state.ts';
import { retryDelayMs } from './worker.ts';

describe('eventTarget', () => {
  it('names the object of each change event', () => {
    expect(eventTarget('ONCRMDEALUPDATE', { FIELDS: { ID: '394' } })).toEqual({ kind: 'deal', id: '394' });
    expect(eventTarget('onCrmDealMoveToCategory', { FIELDS: { ID: '394', CATEGORY_ID: '2', STAGE_ID: 'C2:NEW' } })).toEqual({ kind: 'deal', id: '394' });
    expect(eventTarget('ONCRMCOMPANYADD', { FIELDS: { ID: '9' } })).toEqual({ kind: 'company', id: '9' });
    expect(eventTarget('ONCRMCONTACTUPDATE', { FIELDS: { ID: '3' } })).toEqual({ kind: 'contact', id: '3' });
    expect(eventTarget('ONCRMREQUISITEUPDATE', { FIELDS: { ID: '40' } })).toEqual({ kind: 'requisite', id: '40' });
    expect(eventTarget('ONCRMINVOICESETSTATUS', { FIELDS: { ID: '7', STATUS_ID: 'P' } })).toEqual({ kind: 'invoice', id: '7' });
    expect(eventTarget('ONCRMDYNAMICITEMADD', { FIELDS: { ID: '17', ENTITY_TYPE_ID: '31' } })).toEqual({ kind: 'smart-invoice', id: '17' });
  });

  it('skips other smart processes, deletions and unknown events, saying why', () => {
    expect(eventTarget('ONCRMDYNAMICITEMADD', { FIELDS: { ID: '17', ENTITY_TYPE_ID: '147' } })).toEqual({ skip: expect.stringMatching(/entity type 147 .* only smart invoices \(31\)/) });
    expect(eventTarget('ONCRMDEALDELETE', { FIELDS: { ID: '1' } })).toEqual({ skip: expect.stringMatching(/deletions are not published/) });
    expect(eventTarget('ONTASKADD', {})).toEqual({ skip: expect.stringMatching(/not an event this connector publishes/) });
  });

  it('refuses a change event without an object id (offline records may carry EVENT_DATA=false)', () => {
    expect(() => eventTarget('ONCRMDEALUPDATE', {})).toThrow(/data\[FIELDS\]\[ID\]/);
    expect(() => eventTarget('ONCRMDEALUPDATE', false)).toThrow(/data\[FIELDS\]\[ID\]/);
    expect(() => eventTarget('ONCRMDEALUPDATE', { FIELDS: { ID: '0' } })).toThrow();
  });

  it('binds what it understands, and leaves the app-only funnel move out of outgoing webhooks', () => {
    expect(ONLINE_EVENTS).toContain('ONOFFLINEEVENT');
    expect(OFFLINE_EVENTS).not.toContain('ONOFFLINEEVENT');
    expect(WEBHOOK_EVENTS).not.toContain('ONCRMDEALMOVETOCATEGORY');
    for (const e of OFFLINE_EVENTS) expect(eventTarget(e, { FIELDS: { ID: '1', ENTITY_TYPE_ID: '31' } })).toHaveProperty('kind');
    expect(dedupeKey('deal', '5')).toBe('deal:5');
  });
});

describe('fingerprint', () => {
  it('does not depend on key order, and sees any change', () => {
    expect(fingerprint({ a: 1, b: { c: [1, 2], d: null } })).toBe(fingerprint({ b: { d: null, c: [1, 2] }, a: 1 }));
    expect(fingerprint({ a: '1.00' })).not.toBe(fingerprint({ a: '1.01' }));
    expect(fingerprint({ a: [1, 2] })).not.toBe(fingerprint({ a: [2, 1] }));
  });
});

describe('retryDelayMs', () => {
  it('backs off exponentially with jitter, capped at five minutes', () => {
    expect(retryDelayMs(0)).toBeGreaterThanOrEqual(1_600);
    expect(retryDelayMs(0)).toBeLessThanOrEqual(2_400);
    expect(retryDelayMs(3)).toBeGreaterThanOrEqual(12_800);
    expect(retryDelayMs(50)).toBeLessThanOrEqual(360_000);
    expect(retryDelayMs(50)).toBeGreaterThanOrEqual(240_000);
  });
});
