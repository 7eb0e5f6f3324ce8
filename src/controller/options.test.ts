import { describe, expect, it } from 'vitest';
import { parseXml } from '../cib/xml.js';
import { clusterOptions, nextFailureExpiry, nextRuleExpiry, parseRuleDate } from './options.js';
import { parseDurationMs } from './duration.js';

describe('controller timers', () => {
  it('reads durations as Pacemaker writes them', () => {
    expect(parseDurationMs('15min')).toBe(900_000);
    expect(parseDurationMs('2s')).toBe(2000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('30')).toBe(30_000);
    expect(parseDurationMs('PT1H30M')).toBe(5_400_000);
    expect(parseDurationMs('soon')).toBeNull();
    expect(parseDurationMs('PT')).toBeNull();
  });

  it('takes crmd-transition-delay and cluster-recheck-interval from the properties', () => {
    const crm = parseXml('<crm_config><cluster_property_set id="o"><nvpair id="a" name="crmd-transition-delay" value="3s"/><nvpair id="b" name="cluster-recheck-interval" value="0"/></cluster_property_set></crm_config>');
    expect(clusterOptions(crm)).toEqual({ transitionDelayMs: 3000, recheckMs: Number.POSITIVE_INFINITY, startFailureIsFatal: true });
    expect(clusterOptions(undefined).recheckMs).toBe(900_000);
  });

  it('wakes when a failure expires and when a move lifetime ends', () => {
    const now = Date.UTC(2026, 10, 22, 0, 0, 0);
    const cib = parseXml(`<cib><configuration>
      <rsc_defaults><meta_attributes id="d"><nvpair id="d1" name="failure-timeout" value="60s"/></meta_attributes></rsc_defaults>
      <resources><primitive id="web" class="ocf" provider="heartbeat" type="apache"/></resources>
      <constraints><rsc_location id="cli-prefer-web" rsc="web"><rule id="r" score="INFINITY"><date_expression id="e" operation="lt" end="2026-11-22 01:00:00 +00:00"/></rule></rsc_location></constraints>
    </configuration><status><node_state id="1" uname="n1"><transient_attributes id="1"><instance_attributes id="s">
      <nvpair id="f" name="last-failure-web#monitor_10000" value="${now / 1000 - 30}"/>
    </instance_attributes></transient_attributes></node_state></status></cib>`);
    expect(nextFailureExpiry(cib, now)).toBe(now + 30_000 + 1000);
    expect(parseRuleDate('2026-11-22 01:00:00 +00:00')).toBe(now + 3_600_000);
    expect(parseRuleDate('2026-11-22T02:00:00+01:00')).toBe(now + 3_600_000);
    expect(nextRuleExpiry(cib, now)).toBe(now + 3_600_000 + 1000);
    expect(nextRuleExpiry(cib, now + 4_000_000)).toBeNull();
  });
});
