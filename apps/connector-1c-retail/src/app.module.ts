// The Retail connector's sink is the 1C connector's: the same handlers, writing through the Retail profile
// (Document_ЗаказПокупателя, enum VAT, no partners) and rejecting what Retail has no object for.
export { AppModule, onecSink, SINK_EMITS } from '@esb/connector-1c-ut';
