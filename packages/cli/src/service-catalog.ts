/**
 * The services `spine up` can start. Each service package exports `./server` (its `src/server.ts`);
 * each issue that builds a service adds it here.
 */
export interface ServiceEntry {
  name: string;
  /** The package whose `./server` export is the entry point. */
  packageName: string;
  portVariable: string;
  defaultPort: number;
  /** The variable through which the other services find this one (`SPINE_REGISTRY_URL`...). */
  urlVariable: string;
  /** Databases the service keeps its state in (created before it starts). */
  databases: readonly string[];
  /** Flags for the service's node (V8 heap sizing its README asks for), before the entry point. */
  nodeArgs?: readonly string[];
}

export const SERVICE_CATALOG: readonly ServiceEntry[] = [
  {
    name: 'schema-registry',
    packageName: '@data-spine/schema-registry',
    portVariable: 'SPINE_REGISTRY_PORT',
    defaultPort: 8081,
    urlVariable: 'SPINE_REGISTRY_URL',
    databases: ['spine_registry'],
    // As the package's `start` script runs it (services/schema-registry/README.md, Memory).
    nodeArgs: ['--max-semi-space-size=16', '--heap-growing-percent=50'],
  },
  {
    name: 'residency-gate',
    packageName: '@data-spine/residency-gate',
    portVariable: 'SPINE_GATE_PORT',
    defaultPort: 8181,
    urlVariable: 'SPINE_GATE_URL',
    databases: ['spine_gate'],
  },
  {
    name: 'lineage-collector',
    packageName: '@data-spine/lineage-collector',
    portVariable: 'SPINE_LINEAGE_PORT',
    defaultPort: 5000,
    urlVariable: 'SPINE_LINEAGE_URL',
    databases: ['spine_lineage'],
  },
  {
    // Last: it needs the registry and the gate to be ready. Besides its own state, the demo's source and sinks.
    name: 'cdc-router',
    packageName: '@data-spine/cdc-router',
    portVariable: 'SPINE_ROUTER_PORT',
    defaultPort: 8282,
    urlVariable: 'SPINE_ROUTER_URL',
    databases: ['spine_router', 'shop', 'analytics_eu', 'analytics_us'],
  },
];

export function resolveServices(names: readonly string[]): ServiceEntry[] {
  if (names.length === 0) return [...SERVICE_CATALOG];
  const unknown = names.filter((n) => !SERVICE_CATALOG.some((s) => s.name === n));
  if (unknown.length > 0) {
    const known = SERVICE_CATALOG.map((s) => s.name).join(', ') || '(none yet)';
    throw new Error(`unknown service ${unknown.join(', ')}; known: ${known}`);
  }
  return SERVICE_CATALOG.filter((s) => names.includes(s.name));
}
