import { describe, expect, it } from 'vitest';
import { lacksText, sinkProperties, sinkShape } from './shape.ts';

describe('what the sink writes per configuration', () => {
  it('УТ 11.5 writes orders with partners and the VAT catalog, and invoices; it lacks nothing', () => {
    const s = sinkShape('ut11.5');
    expect(s.order).toEqual({ set: 'Document_ЗаказКлиента', shape: { family: 'ut', vatField: 'СтавкаНДС_Key' } });
    expect(s.invoice).toEqual({ set: 'Document_СчетНаОплатуКлиенту' });
    expect([s.partner, s.vatCatalog, s.currency, s.settlements]).toEqual(['Catalog_Партнеры', 'Catalog_СтавкиНДС', 'Catalog_Валюты', 'AccumulationRegister_РасчетыСКлиентами']);
    expect(s.lacks).toEqual([]);
    expect(lacksText(s)).toBe('');
  });

  it('УТ 11.4 keeps VAT as the enum string', () => {
    expect(sinkShape('ut11.4').order?.shape.vatField).toBe('СтавкаНДС');
    expect(sinkShape('ut11.4').vatCatalog).toBeUndefined();
  });

  it('Розница writes Document_ЗаказПокупателя and reports the missing invoice document and debt register', () => {
    const s = sinkShape('retail');
    expect(s.order).toEqual({ set: 'Document_ЗаказПокупателя', shape: { family: 'retail', vatField: 'СтавкаНДС' } });
    expect(s.invoice).toBeUndefined();
    expect(s.partner).toBeUndefined();
    expect(s.lacks.filter((l) => l.blocking).map((l) => l.record)).toEqual(['esb.canonical.Invoice']);
    expect(lacksText(s)).toContain('Invoice: missing a customer invoice document (Document_СчетНаОплатуКлиенту in УТ 11) — invoices cannot be written to this base');
    expect(lacksText(s)).toContain('AccumulationRegister_РасчетыСКлиентами');
    expect(sinkProperties(s).some((p) => p.set === 'Document_ЗаказПокупателя' && p.table === 'Товары' && p.property === 'СтавкаНДС')).toBe(true);
  });

  it('БП 3.0 takes no orders', () => {
    const s = sinkShape('bp3.0');
    expect(s.order).toBeUndefined();
    expect(s.lacks.map((l) => l.record)).toEqual(['esb.canonical.Order', 'esb.canonical.OrderReversal', 'esb.canonical.Invoice']);
  });
});
