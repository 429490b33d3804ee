import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BadNodeId, NodeNotFound, Overloaded } from '../errors.ts';
import { fieldNodeId, queryColumnLineage } from '../graph/column-lineage-query.ts';
import type { FieldNode } from '../graph/column-lineage-query.ts';
import { nodeKey } from '../graph/graph-model.ts';
import type { DatasetNode, JobNode } from '../graph/graph-model.ts';
import { queryLineage } from '../graph/lineage-query.ts';
import { resolveNodeId } from '../graph/node-id.ts';
import { datasetNodeId, jobNodeId } from '../tags/policy-tags.ts';
import { latestRuns } from './catalog.ts';
import type { LineageContext } from './lineage-context.ts';
import { datasetData, fieldsAt, jobData, latestRunSummary } from './marquez-shapes.ts';
import { Instant, parseQuery } from './query-params.ts';

const Depth = z.coerce.number().int().min(0).max(100);

export function lineageRoutes(app: FastifyInstance, ctx: LineageContext): void {
  const maxNodesCap = ctx.config.SPINE_LINEAGE_MAX_NODES;
  const LineageQuery = z.object({
    nodeId: z.string().min(1),
    depth: Depth.default(20),
    upstreamDepth: Depth.optional(),
    downstreamDepth: Depth.optional(),
    asOf: Instant.optional(),
    maxNodes: z.coerce.number().int().min(1).max(maxNodesCap).default(maxNodesCap),
  });
  const resolve = (nodeId: string) => {
    const r = resolveNodeId(ctx.graph, nodeId);
    if (r === 'malformed') throw new BadNodeId(nodeId);
    if (r === null) throw new NodeNotFound(nodeId);
    return r;
  };

  app.get(
    '/api/v1/lineage',
    {
      config: {
        openapi: {
          summary:
            'Lineage graph around a node (Marquez shape), with asOf, separate upstream/downstream depths and a node cap',
          tags: ['Marquez'],
        },
      },
    },
    async (req) => {
      const q = parseQuery(LineageQuery, req.query);
      const node = resolve(q.nodeId);
      const asOf = q.asOf ?? null;
      if (asOf !== null && node.node.createdAt > asOf)
        throw new NodeNotFound(`${q.nodeId} (at ${new Date(asOf).toISOString()})`);
      const result = queryLineage({
        start:
          node.type === 'dataset' ? { type: 'dataset', node: node.node } : { type: 'job', node: node.node },
        upstreamDepth: q.upstreamDepth ?? q.depth,
        downstreamDepth: q.downstreamDepth ?? q.depth,
        asOf,
        maxNodes: q.maxNodes,
      });
      // Now: the latest runs come from memory. As of a past time they are read from the runs table; when
      // the database is saturated that answer comes without them.
      // A job whose latest run had started by asOf (or any job, without asOf) has it in memory; only the
      // others' runs as of then are read from the runs table.
      const inMemory = (j: JobNode) => asOf === null || j.latestRunStart <= asOf;
      const older = [...result.jobs].filter((j) => !inMemory(j));
      const runs =
        older.length === 0
          ? new Map<string, never>()
          : await latestRuns(ctx, older, asOf).catch((err: unknown) => {
              if (err instanceof Overloaded) return new Map<string, never>();
              throw err;
            });
      const inEdges = new Map<
        string,
        Array<{ origin: string; destination: string; residencyConflict?: boolean }>
      >();
      const outEdges = new Map<
        string,
        Array<{ origin: string; destination: string; residencyConflict?: boolean }>
      >();
      const push = (
        m: typeof inEdges,
        id: string,
        e: { origin: string; destination: string; residencyConflict?: boolean },
      ) => {
        const list = m.get(id);
        if (list) list.push(e);
        else m.set(id, [e]);
      };
      for (const e of result.edges) {
        const jobId = jobNodeId(e.job);
        const dsId = datasetNodeId(e.dataset);
        const edge =
          e.direction === 'in'
            ? { origin: dsId, destination: jobId }
            : {
                origin: jobId,
                destination: dsId,
                ...(asOf === null && ctx.tags.hasConflict(e.job, e.dataset)
                  ? { residencyConflict: true }
                  : {}),
              };
        push(outEdges, edge.origin, edge);
        push(inEdges, edge.destination, edge);
      }
      const graph = [
        ...[...result.datasets].map((d) => {
          const id = datasetNodeId(d);
          return {
            id,
            type: 'DATASET',
            data: datasetData(d, ctx.tags, asOf),
            inEdges: inEdges.get(id) ?? [],
            outEdges: outEdges.get(id) ?? [],
          };
        }),
        ...[...result.jobs].map((j) => {
          const id = jobNodeId(j);
          return {
            id,
            type: 'JOB',
            data: jobData(j, asOf, inMemory(j) ? latestRunSummary(j) : (runs.get(j.id) ?? null)),
            inEdges: inEdges.get(id) ?? [],
            outEdges: outEdges.get(id) ?? [],
          };
        }),
      ];
      return {
        graph,
        truncated: result.truncated,
        ...(asOf !== null ? { asOf: new Date(asOf).toISOString() } : {}),
      };
    },
  );

  const ColumnQuery = z.object({
    nodeId: z.string().min(1),
    depth: Depth.default(20),
    withDownstream: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    maxNodes: z.coerce.number().int().min(1).max(maxNodesCap).default(maxNodesCap),
    asOf: Instant.optional(),
  });
  app.get(
    '/api/v1/column-lineage',
    {
      config: {
        openapi: {
          summary:
            'Column lineage of a dataset (all its fields) or of one field (datasetField:<ns>:<name>:<field>)',
          tags: ['Marquez'],
        },
      },
    },
    async (req) => {
      const q = parseQuery(ColumnQuery, req.query);
      const node = resolve(q.nodeId);
      if (node.type !== 'dataset') throw new BadNodeId(q.nodeId);
      const d = node.node;
      const asOf = q.asOf ?? null;
      if (asOf !== null && d.createdAt > asOf)
        throw new NodeNotFound(`${q.nodeId} (at ${new Date(asOf).toISOString()})`);
      const cll = ctx.graph.columnLineageAt(d.key, asOf);
      const fields: FieldNode[] =
        node.field !== undefined
          ? [{ namespace: d.namespace, name: d.name, field: node.field }]
          : [...new Set([...fieldsAt(d, asOf).map((f) => f.name), ...(cll?.fields.keys() ?? [])])].map(
              (field) => ({
                namespace: d.namespace,
                name: d.name,
                field,
              }),
            );
      const result = queryColumnLineage(ctx.graph, fields, q.depth, q.withDownstream, q.maxNodes, asOf);
      // The version of a dataset then: the one its schema in effect came from (now: its current version).
      const versionOf = (ds: DatasetNode | undefined) =>
        !ds
          ? null
          : asOf === null
            ? ds.currentVersion
            : (ds.schemas.findLast((s) => s.from <= asOf)?.versionId ?? null);
      const inEdges = new Map<string, Array<{ origin: string; destination: string }>>();
      const outEdges = new Map<string, Array<{ origin: string; destination: string }>>();
      for (const e of result.edges) {
        const edge = { origin: e.origin, destination: e.destination };
        inEdges.set(e.destination, [...(inEdges.get(e.destination) ?? []), edge]);
        outEdges.set(e.origin, [...(outEdges.get(e.origin) ?? []), edge]);
      }
      const graph = [...result.nodes.values()].map((f) => {
        const id = fieldNodeId(f);
        const ds = ctx.graph.datasets.get(nodeKey(f.namespace, f.name));
        const inputs =
          ctx.graph.columnLineageAt(nodeKey(f.namespace, f.name), asOf)?.fields.get(f.field) ?? [];
        const fieldType = ds ? (fieldsAt(ds, asOf).find((x) => x.name === f.field)?.type ?? null) : null;
        return {
          id,
          type: 'DATASET_FIELD',
          data: {
            namespace: f.namespace,
            dataset: f.name,
            datasetVersion: versionOf(ds),
            field: f.field,
            fieldType,
            transformationDescription: inputs[0]?.transformationDescription ?? null,
            transformationType: inputs[0]?.transformationType ?? null,
            inputFields: inputs.map((i) => ({
              namespace: i.namespace,
              dataset: i.name,
              datasetVersion: versionOf(ctx.graph.dataset(i.namespace, i.name)),
              field: i.field,
              transformationDescription: i.transformationDescription,
              transformationType: i.transformationType,
              transformations: i.transformations,
            })),
            policyTags: ds ? ctx.tags.tagsOf(ds).filter((t) => t.field === f.field) : [],
          },
          inEdges: inEdges.get(id) ?? [],
          outEdges: outEdges.get(id) ?? [],
        };
      });
      return {
        graph,
        truncated: result.truncated,
        ...(asOf !== null ? { asOf: new Date(asOf).toISOString() } : {}),
      };
    },
  );
}
