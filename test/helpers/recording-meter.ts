import type { MetricMeter, MetricTags } from '@temporalio/common';

export interface Recorded {
  name: string;
  value: number;
  tags: MetricTags;
}

/** A metric meter that remembers what was recorded (counters, histograms and gauges alike). */
export function recordingMeter(): { meter: MetricMeter; recorded: Recorded[] } {
  const recorded: Recorded[] = [];
  const metric = (name: string) => ({
    add: (value: number, tags: MetricTags = {}) => recorded.push({ name, value, tags }),
    record: (value: number, tags: MetricTags = {}) => recorded.push({ name, value, tags }),
    set: (value: number, tags: MetricTags = {}) => recorded.push({ name, value, tags }),
  });
  const meter = { createCounter: metric, createHistogram: metric, createGauge: metric } as unknown as MetricMeter;
  return { meter, recorded };
}
