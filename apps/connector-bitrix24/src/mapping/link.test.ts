import { describe, expect, it } from 'vitest';
import { canonicalSamples } from '@esb/canonical/samples';
import { linkToDeal } from './link.ts';

const f = { onecOrderId: 'UF_CRM_1C_ORDER_ID', onecOrderNumber: 'UF_CRM_1C_ORDER_NUMBER' };
const link = canonicalSamples['esb.canonical.Link'];

describe('Link → deal', () => {
  it('writes the 1C order id and number and one deterministic comment', () => {
    const d = linkToDeal(link, f);
    expect(d).toEqual({
      apply: {
        fields: { UF_CRM_1C_ORDER_ID: { t: 'text', v: link.externalId }, UF_CRM_1C_ORDER_NUMBER: { t: 'text', v: 'ЗК-000123' } },
        comment: `Заказ клиента ЗК-000123 создан в 1С (ut-main). Открыть в 1С: ${link.url}`,
      },
    });
    expect(linkToDeal(link, f)).toEqual(d);
  });

  it('leaves the number alone when the link has none, and ignores links of other entities', () => {
    const d = linkToDeal({ ...link, number: null, url: null }, f);
    expect(d).toEqual({ apply: { fields: { UF_CRM_1C_ORDER_ID: { t: 'text', v: link.externalId } }, comment: `Заказ клиента ${link.externalId} создан в 1С (ut-main).` } });
    expect(linkToDeal({ ...link, entityType: 'counterparty' }, f)).toEqual({ skip: 'a Link of counterparty has nothing to write on a deal' });
  });
});
