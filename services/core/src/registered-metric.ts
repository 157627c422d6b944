import { Counter, Gauge, Histogram, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Metric, type Registry } from 'prom-client';

/**
 * The metric called `name` on `register`, created by `create` on first use. Metrics are defined
 * next to the code that records them, and several such parts (two producers, say) may share one
 * process's registry: the second gets the first one's series instead of a duplicate-name error.
 */
export function registeredMetric<M extends Metric>(register: Registry, name: string, create: (registers: Registry[]) => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create([register]);
}

type Config<C> = Omit<C, 'registers'>;

/** A counter on `register` (the one there already when its name is taken; see `registeredMetric`). */
export function counterOn<L extends string>(register: Registry, config: Config<CounterConfiguration<L>>): Counter<L> {
  return registeredMetric(register, config.name, (registers) => new Counter({ ...config, registers }));
}

/** A gauge on `register` (the one there already when its name is taken). */
export function gaugeOn<L extends string>(register: Registry, config: Config<GaugeConfiguration<L>>): Gauge<L> {
  return registeredMetric(register, config.name, (registers) => new Gauge({ ...config, registers }));
}

/** A histogram on `register` (the one there already when its name is taken). */
export function histogramOn<L extends string>(register: Registry, config: Config<HistogramConfiguration<L>>): Histogram<L> {
  return registeredMetric(register, config.name, (registers) => new Histogram({ ...config, registers }));
}
