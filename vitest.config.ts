// Two projects: `unit` (pure functions, no services) and `integration` (real Kafka, registry and PostgreSQL,
// brought up once by the global setup unless KAFKA_BROKERS / SCHEMA_REGISTRY_URL / DATABASE_URL point elsewhere).
import { defineConfig } from 'vitest/config';

const exclude = ['**/node_modules/**', '.tools/**', '.infra/**', 'dist/**'];

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['libs/**/*.test.ts', 'apps/**/*.test.ts', 'infra/**/*.test.ts'],
          exclude: [...exclude, '**/*.int.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['libs/**/*.int.test.ts', 'apps/**/*.int.test.ts', 'infra/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          exclude,
          globalSetup: ['libs/testing/src/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Two cores: integration files share one broker and registry; two at a time keeps them fast and stable.
          maxWorkers: 2,
        },
      },
    ],
  },
});
