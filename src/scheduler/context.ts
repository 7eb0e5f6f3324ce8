import type { Colocation, Constraints, Location, Ordering } from './constraints/parse.js';
import type { Clone, Group, Node, Primitive, Resource, Role } from './model.js';

export interface Fence {
  node: string;
  reason: string;
}

/** Where a resource goes, decided by assignment. */
export interface Placement {
  node: Node | null;
  role: Role;
  /** Why it goes nowhere, for summaries (`no quorum` ...). */
  stopReason?: string;
  /** Taken off its node after its actions were made: it stops for no reason the summary names. */
  unassigned?: boolean;
}

/** Everything one scheduler run knows, shared by its stages. Created per run. */
export interface Context {
  now: number;
  props: Map<string, string>;
  nodes: Node[];
  nodeByName: Map<string, Node>;
  /** Top-level resources in allocation order. */
  resources: Resource[];
  /** Every orphan primitive, active or not: its history is cleaned up. */
  orphans: Primitive[];
  byId: Map<string, Resource>;
  constraints: Constraints;
  locationsOf: Map<Resource, Location[]>;
  /** Colocations where the key is the dependent. */
  thisWith: Map<Resource, Colocation[]>;
  /** Colocations where the key is the primary. */
  withThis: Map<Resource, Colocation[]>;
  ordersOf: Ordering[];
  fences: Fence[];
  stonithEnabled: boolean;
  /** A fencing device is configured (running or not): without one no node can be fenced. */
  fencingDevice: boolean;
  symmetric: boolean;
  haveQuorum: boolean;
  noQuorumPolicy: string;
  maintenanceMode: boolean;
  stopAll: boolean;
  placementStrategy: string;
  placement: Map<Resource, Placement>;
  /** Promotion score per promotable instance, for -s and explain. */
  promotionScores: Map<string, number>;
  /** Allocation scores per resource id, indexed like `nodes`, for -s and explain. */
  scores: Map<string, number[]>;
  /** Record scores and explanations (costly on big CIBs, so only when asked). */
  detail: boolean;
  /** Why each node was scored as it was, for explain. */
  explain: Map<string, string[]>;
  unsupported: Set<string>;
  warnings: string[];
  tickets: Map<string, { granted: boolean; standby: boolean }>;
  /** Histories to erase (a shutdown lock past its limit): resource id and node. */
  clearHistory?: { rscId: string; node: Node }[];
}

export type { Clone, Group, Primitive };
