import { describe, expect, it } from 'vitest';
import { canonicalSamples } from '@esb/canonical/samples';
import { shipmentToDeal } from './shipment.ts';

const f = { shipmentDate: 'UF_CRM_SHIPMENT_DATE', trackingNumber: 'UF_CRM_TRACKING_NUMBER' };
const s = canonicalSamples['esb.canonical.Shipment'];

describe('Shipment → deal', () => {
  it('writes the actual shipment date and the tracking number', () => {
    expect(shipmentToDeal(s, f)).toEqual({ UF_CRM_SHIPMENT_DATE: { t: 'date', date: '2026-11-23' }, UF_CRM_TRACKING_NUMBER: { t: 'text', v: '10123456789' } });
  });

  it('keeps a tracking number typed on the portal when the sale has none', () => {
    expect(shipmentToDeal({ ...s, trackingNumber: null }, f)).toEqual({ UF_CRM_SHIPMENT_DATE: { t: 'date', date: '2026-11-23' } });
    expect(shipmentToDeal({ ...s, trackingNumber: '  ' }, f)).toEqual({ UF_CRM_SHIPMENT_DATE: { t: 'date', date: '2026-11-23' } });
  });
});
