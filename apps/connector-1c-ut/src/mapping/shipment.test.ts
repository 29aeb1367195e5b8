import { describe, it, expect } from 'vitest';
import type { Meta } from '@esb/canonical';
import { additionalAttribute, toShipment } from './shipment.ts';

const meta = { eventId: 'e0e0e0e0-0000-4000-8000-000000000001' } as Meta;
const TRACK = 'd0000001-0000-4000-8000-00000000001e';

describe('additional attributes of a sale', () => {
  it('reads the tracking number from the composite value or the long-text column, whatever the GUID case', () => {
    expect(additionalAttribute([{ Свойство_Key: TRACK.toUpperCase(), Значение: ' 1Z999 ' }], new Set([TRACK]))).toBe('1Z999');
    expect(additionalAttribute([{ Свойство_Key: TRACK, Значение: '', ТекстоваяСтрока: 'CDEK-42' }], new Set([TRACK]))).toBe('CDEK-42');
    expect(additionalAttribute([{ Свойство_Key: 'd0000001-0000-4000-8000-000000000099', Значение: 'other' }], new Set([TRACK]))).toBeNull();
    expect(additionalAttribute(undefined, new Set([TRACK]))).toBeNull();
  });
});

describe('toShipment', () => {
  it('ships on the sale date and lists the rows with quantities at scale 3', () => {
    const input = {
      meta,
      shipmentId: 's',
      orderId: 'o',
      number: 'УТ00-000007',
      documentDate: '2026-11-20T21:30:00.000Z',
      naiveDate: '2026-11-21T00:30:00',
      trackingNumber: null,
      carrier: 'СДЭК',
      rows: [{ productId: 'p', article: 'SKU-1', name: 'Мышь', quantity: 2.5, unit: { okei: '166', name: 'кг' } }],
    };
    expect(toShipment(input)).toMatchObject({ shippedOn: '2026-11-21', documentNumber: 'УТ00-000007', carrier: 'СДЭК', trackingNumber: null, lines: [{ quantity: '2.500', unit: { okei: '166', name: 'кг' } }] });
    // A sale whose rows are not known ships the order as a whole: no lines rather than an empty list.
    expect(toShipment({ ...input, rows: [] }).lines).toBeNull();
  });
});
