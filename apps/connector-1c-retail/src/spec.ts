// The 1C:Розница connector as a runnable spec (main.ts, the end-to-end stack and the demo).
import type { RunSpec } from '@esb/connector-kit';
import { buildRetail, retailOptions } from './build.ts';
import { RETAIL_KINDS, RETAIL_SERVICE } from './config.ts';

export const onecRetailConnector: RunSpec = { service: RETAIL_SERVICE, kinds: RETAIL_KINDS, options: retailOptions(), build: buildRetail };
