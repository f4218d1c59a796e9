import type { PipelineDefinition } from '../../src/core/pipeline-definition.js';
import { CQC_INPUT_TOPIC, cqcEventsPipeline } from './pipeline.js';
import { CQC_VIEWS } from './views.js';

/** The cqc-events pipeline as the CLI knows it; `sluice run` creates its views after the tables. */
export const cqcEventsDefinition: PipelineDefinition = {
  name: 'cqc-events',
  description:
    'CQC dashboard events: type-specific, time and risk features → realtime_features; 5-minute location windows → realtime_features_aggregated (seeds 003/004)',
  input: CQC_INPUT_TOPIC,
  build: (context) => cqcEventsPipeline({ hash: context.hash, ...(context.online !== undefined ? { online: context.online } : {}) }),
  views: CQC_VIEWS,
  summaryQueries: [
    {
      title: 'Events and risk by event type',
      sql: `SELECT event_type, count(*) AS events, round(avg(real_time_risk_score), 2) AS avg_risk, count(*) FILTER (WHERE risk_level = 'high') AS high_risk FROM realtime_features GROUP BY event_type ORDER BY events DESC`,
    },
    {
      title: 'Window panes by timing',
      sql: `SELECT pane_timing, count(*) AS panes, count(DISTINCT location_id) AS locations FROM realtime_features_aggregated GROUP BY pane_timing ORDER BY pane_timing`,
    },
  ],
};
