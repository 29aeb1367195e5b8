// The 1C:УТ connector as a runnable spec: what main.ts runs, and what the end-to-end stack and the demo start
// in-process. The sink and the pollers share one OData client, so the database's concurrency cap holds for both.
import type { RunSpec } from '@esb/connector-kit';
import { onecSink, SINK_EMITS } from './app.module.ts';
import { entitySet } from '@esb/onec-client';
import { ONEC_KINDS, onecConfig } from './config.ts';
import { checkMetadata } from './sink/metadata.ts';
import { sharedOneCClient } from './sink/clients.ts';
import { registerSource, SOURCE_EMITS } from './source/index.ts';

export const ONEC_UT_SERVICE = 'connector-1c-ut';

export const onecUtConnector: RunSpec = {
  service: ONEC_UT_SERVICE,
  kinds: ONEC_KINDS.filter((k) => k !== '1c-retail'),
  options: {
    sink: onecSink(),
    emits: [...new Set([...SINK_EMITS, ...SOURCE_EMITS])],
    // Ready when the publication answers an authenticated read (the cheapest one: one organisation's key).
    probe: async (c) => void (await sharedOneCClient(c).list(entitySet(onecConfig(c).profile, 'organization'), { select: ['Ref_Key'], top: 1 })),
  },
  build: async (c) => {
    await checkMetadata(c, sharedOneCClient(c));
    registerSource(c, () => sharedOneCClient(c));
  },
};
