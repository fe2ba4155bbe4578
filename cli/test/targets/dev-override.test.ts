import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planStack } from '../../src/plan/plan-stack.js';
import { devOverridePath, planDev, renderDevOverride, stringifyDevOverride, type WatchRule } from '../../src/targets/compose/dev-override.js';
import { defaultStack } from '../topology/fixtures.js';

const topology = defaultStack();
const lite = planStack(topology, 'lite');

type Watched = { develop: { watch: WatchRule[] }; image: string; build: { target: string; args: Record<string, string> }; command: string[]; read_only: boolean };
const watchedServices = (services?: string[]) => renderDevOverride(planDev(lite, services)).services as Record<string, Watched>;
const rulesOf = (service: Watched, action: WatchRule['action']) => service.develop.watch.filter((rule) => rule.action === action).map((rule) => rule.path);

describe('the dev override (innover dev)', () => {
  it("watches every app service's API and worker, and nothing else", () => {
    const services = lite.workloads.filter((workload) => workload.role === 'api' || workload.role === 'worker').map((workload) => workload.name);
    expect(Object.keys(watchedServices()).sort()).toEqual(services.sort());
    expect(Object.keys(watchedServices())).toContain('payment-worker');
    expect(Object.keys(watchedServices())).not.toContain('redis');
  });

  it('syncs the service and the kit sources to their container paths, without a restart: the runner reloads', () => {
    const payment = watchedServices()['payment']!;
    expect(payment.develop.watch.filter((rule) => rule.action !== 'rebuild')).toEqual([
      { action: 'sync', path: 'services/payment/src', target: '/app/services/payment/src' },
      { action: 'sync', path: 'services/kit/src', target: '/app/services/kit/src' },
      { action: 'sync', path: 'services/proto/src', target: '/app/services/proto/src' },
    ]);
  });

  it("runs the kit's dev runner, watching exactly what compose syncs", () => {
    const { payment, 'payment-worker': worker } = watchedServices();
    const watchedBy = (command: string[]) => command.flatMap((word, index) => (command[index - 1] === '--watch' ? [word] : []));
    expect(payment!.command.slice(0, 3)).toEqual(['node', '/app/services/kit/src/bin/dev-run.ts', 'api']);
    expect(worker!.command.slice(0, 3)).toEqual(['node', '/app/services/kit/src/bin/dev-run.ts', 'worker']);
    expect(watchedBy(payment!.command)).toEqual(payment!.develop.watch.filter((rule) => rule.action === 'sync').map((rule) => rule.target));
  });

  it('every service depends on the kit: a kit change reaches all of them', () => {
    for (const [name, service] of Object.entries(watchedServices())) {
      expect(rulesOf(service, 'sync'), name).toContain('services/kit/src');
      expect(rulesOf(service, 'rebuild'), name).toContain('services/kit/package.json');
      expect(rulesOf(service, 'rebuild'), name).toContain('package-lock.json');
    }
  });

  it("only the named service rebuilds on its own package.json", () => {
    const rebuildingOnPayment = Object.entries(watchedServices())
      .filter(([, service]) => rulesOf(service, 'rebuild').includes('services/payment/package.json'))
      .map(([name]) => name);
    expect(rebuildingOnPayment.sort()).toEqual(['payment', 'payment-worker']);
  });

  it('[services...] narrows the watch to those services', () => {
    expect(Object.keys(watchedServices(['payment', 'ledger'])).sort()).toEqual(['ledger', 'ledger-worker', 'payment', 'payment-worker']);
  });

  it('refuses an unknown service in one line listing the known ones', () => {
    expect(() => planDev(lite, ['paymnet'])).toThrow(/^no service 'paymnet' in profile 'lite': use one of .*payment/);
  });

  it('runs the sources from the dev stage, under images of its own, never the production :local ones', () => {
    const { payment, 'payment-worker': worker } = watchedServices();
    expect(payment).toMatchObject({ image: 'innover/payment:dev', build: { target: 'dev', args: { SERVICE: 'payment' } }, read_only: false });
    expect(worker).toMatchObject({ image: 'innover/payment-worker:dev', build: { target: 'dev', args: { SERVICE: 'payment' } } });
  });

  it('doubles the limits: the runner, the serving process, a spare and, during a reload, the draining one, from their sources', () => {
    const { payment, 'payment-worker': worker } = renderDevOverride(planDev(lite)).services as Record<string, { deploy: unknown }>;
    const limits = (name: string) => lite.workloads.find((workload) => workload.name === name)!.resources;
    expect(payment!.deploy).toEqual({ resources: { limits: { cpus: limits('payment').cpus * 2, memory: `${parseInt(limits('payment').memory, 10) * 2}m` } } });
    expect(worker!.deploy).toEqual({ resources: { limits: { cpus: limits('payment-worker').cpus * 2, memory: `${parseInt(limits('payment-worker').memory, 10) * 2}m` } } });
  });

  it('is a separate generated file under .innover/, the committed compose file untouched', () => {
    const text = stringifyDevOverride(planDev(lite));
    expect(devOverridePath('lite')).toBe('.innover/docker-compose.lite.dev.yml');
    expect(text.split('\n')[0]).toMatch(/^# generated by innover dev .*do not edit/);
    expect(parse(text)).toEqual(renderDevOverride(planDev(lite)));
  });
});
