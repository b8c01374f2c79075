/**
 * A small typed DSL for ONNX graphs with static shapes. Building reads no weight bytes: a
 * checkpoint tensor becomes a lazy initializer whose key and shape are checked immediately
 * and whose data is read only when the writer streams it out, so a 1.5 GB model is never
 * held in memory at once.
 */
import type { StateDict, StorageDType, TensorEntry } from '../checkpoint/state-dict.ts';
import {
  applyTransforms,
  describeTransform,
  numel,
  transformShapes,
  type WeightTransform,
} from './weight-transforms.ts';

/** Opset 17 (IR 8): LayerNormalization exists, and ORT-web covers every op we emit. */
export const OPSET_VERSION = 17;
export const IR_VERSION = 8;

/** A tensor flowing through the graph: its ONNX name and static shape. */
export interface Value {
  readonly name: string;
  readonly shape: readonly number[];
}

export type Attr =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'string'; readonly value: string };

export const attr = {
  int: (value: number): Attr => ({ type: 'int', value }),
  ints: (value: readonly number[]): Attr => ({ type: 'ints', value }),
  float: (value: number): Attr => ({ type: 'float', value }),
  floats: (value: readonly number[]): Attr => ({ type: 'floats', value }),
  string: (value: string): Attr => ({ type: 'string', value }),
};

export interface GraphIO {
  readonly name: string;
  readonly dtype: 'float32';
  readonly shape: readonly number[];
}

export interface GraphNode {
  readonly name: string;
  readonly opType: string;
  /** '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attr>>;
}

/** Small initializers built in memory (reshape targets, resampling matrices, scalars). */
export type ConstantInitializer =
  | { readonly name: string; readonly dtype: 'float32'; readonly dims: readonly number[]; readonly data: Float32Array }
  | { readonly name: string; readonly dtype: 'int64'; readonly dims: readonly number[]; readonly data: BigInt64Array };

/** A weight read from the checkpoint (possibly transformed) only when it is written. */
export interface WeightInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  /** The checkpoint keys it is computed from, for error messages and reports. */
  readonly sourceKeys: readonly string[];
  /**
   * Whether fp16 export may store it as FLOAT16. Matrices and embeddings (source rank ≥ 2)
   * carry nearly all the bytes; 1-D biases and norm parameters stay fp32 because halving
   * them saves nothing and costs precision.
   */
  readonly halfEligible: boolean;
  /** Returns exactly numel(dims) float32 values, C-contiguous. */
  load(): Promise<Float32Array>;
}

export interface Graph {
  readonly name: string;
  readonly opsetVersion: number;
  readonly irVersion: number;
  readonly inputs: readonly GraphIO[];
  readonly outputs: readonly GraphIO[];
  readonly nodes: readonly GraphNode[];
  readonly constants: readonly ConstantInitializer[];
  readonly weights: readonly WeightInitializer[];
}

const FLOAT_DTYPES: ReadonlySet<StorageDType> = new Set<StorageDType>(['float32', 'float16', 'bfloat16', 'float64']);

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

export class GraphBuilder {
  private readonly inputs: GraphIO[] = [];
  private readonly outputs: GraphIO[] = [];
  private readonly nodes: GraphNode[] = [];
  private readonly constants: ConstantInitializer[] = [];
  private readonly weights: WeightInitializer[] = [];
  private readonly weightByName = new Map<string, Value>();
  private readonly usedNames = new Set<string>();
  private readonly scopes: string[] = [];
  private readonly memos = new Map<string, Value>();
  private counter = 0;

  constructor(
    readonly name: string,
    private readonly stateDict: StateDict,
  ) {}

  /** Runs `fn` with `scope` prefixed to the names of the nodes it adds (readable graphs). */
  scoped<T>(scope: string, fn: () => T): T {
    this.scopes.push(scope);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  input(name: string, shape: readonly number[]): Value {
    this.claim(name);
    this.inputs.push({ name, dtype: 'float32', shape: [...shape] });
    return { name, shape: [...shape] };
  }

  /** Declares `value` a graph output named `name` (an Identity is added when names differ). */
  output(value: Value, name: string, expectedShape?: readonly number[]): void {
    if (expectedShape && !sameShape(value.shape, expectedShape)) {
      throw new Error(
        `graph ${this.name}: output ${name} has shape ${fmtShape(value.shape)}, expected ${fmtShape(expectedShape)}`,
      );
    }
    let v = value;
    if (value.name !== name) {
      this.claim(name);
      this.nodes.push({
        name: `${name}/Identity`,
        opType: 'Identity',
        inputs: [value.name],
        outputs: [name],
        attributes: {},
      });
      v = { name, shape: value.shape };
    }
    this.outputs.push({ name: v.name, dtype: 'float32', shape: [...v.shape] });
  }

  /**
   * Adds one node with one output. The caller states the output shape: every shape in these
   * graphs is static, and stating it keeps reshape targets and checks honest.
   */
  op(
    opType: string,
    inputs: readonly (Value | string)[],
    shape: readonly number[],
    attributes: Record<string, Attr> = {},
  ): Value {
    const nodeName = this.uniqueName(opType);
    const out = `${nodeName}:0`;
    this.claim(out);
    this.nodes.push({
      name: nodeName,
      opType,
      inputs: inputs.map((i) => (typeof i === 'string' ? i : i.name)),
      outputs: [out],
      attributes,
    });
    return { name: out, shape: [...shape] };
  }

  constFloat(hint: string, dims: readonly number[], data: Float32Array): Value {
    if (data.length !== numel(dims)) {
      throw new Error(`constant ${hint}: ${data.length} values for dims ${fmtShape(dims)}`);
    }
    const name = this.uniqueName(`const_${hint}`);
    this.claim(name);
    this.constants.push({ name, dtype: 'float32', dims: [...dims], data });
    return { name, shape: [...dims] };
  }

  scalar(value: number): Value {
    return this.constFloat('scalar', [], new Float32Array([value]));
  }

  /** An int64 vector, e.g. a Reshape target. */
  constInt64(hint: string, values: readonly number[]): Value {
    const name = this.uniqueName(`const_${hint}`);
    this.claim(name);
    this.constants.push({
      name,
      dtype: 'int64',
      dims: [values.length],
      data: BigInt64Array.from(values, (v) => BigInt(v)),
    });
    return { name, shape: [values.length] };
  }

  /**
   * A checkpoint tensor as a lazy initializer. The key must exist with exactly
   * `expectedShape` (an error names the key, the expected and the found shape); `transforms`
   * are applied when the data is written. The same key and transforms give the same value.
   */
  weight(key: string, expectedShape: readonly number[], transforms: readonly WeightTransform[] = []): Value {
    const entry = this.entry(key, expectedShape);
    const name = transforms.length === 0 ? key : `${key}.${transforms.map(describeTransform).join('.')}`;
    const existing = this.weightByName.get(name);
    if (existing) return existing;
    const dims = transformShapes(entry.shape, transforms, `checkpoint key "${key}"`);
    const sourceShape = [...entry.shape];
    this.addWeight({
      name,
      dims,
      sourceKeys: [key],
      halfEligible: sourceShape.length >= 2,
      load: async () => applyTransforms(await entry.readFloat32(), sourceShape, transforms, `checkpoint key "${key}"`),
    });
    return this.weightByName.get(name)!;
  }

  /**
   * A weight computed at write time from checkpoint tensors (e.g. CLIP's interpolated
   * positional embedding). `load` must return numel(dims) values; the writer checks it.
   */
  derivedWeight(
    name: string,
    dims: readonly number[],
    sourceKeys: readonly string[],
    load: () => Promise<Float32Array>,
    halfEligible = dims.length >= 2,
  ): Value {
    for (const key of sourceKeys) {
      if (!this.stateDict.has(key))
        throw new Error(`checkpoint key "${key}" is missing (graph ${this.name} needs it for ${name})`);
    }
    this.addWeight({ name, dims: [...dims], sourceKeys: [...sourceKeys], halfEligible, load });
    return this.weightByName.get(name)!;
  }

  /**
   * The state dict entry for `key`, checked: present, exactly `expectedShape`, floating point.
   * Errors name the key and both shapes. For builders that derive weights from several keys.
   */
  entry(key: string, expectedShape: readonly number[]): TensorEntry {
    const entry = this.stateDict.get(key);
    if (!entry)
      throw new Error(
        `checkpoint key "${key}" is missing (graph ${this.name} needs it with shape ${fmtShape(expectedShape)})`,
      );
    if (!sameShape(entry.shape, expectedShape)) {
      throw new Error(
        `checkpoint key "${key}": expected shape ${fmtShape(expectedShape)}, found ${fmtShape(entry.shape)}`,
      );
    }
    if (!FLOAT_DTYPES.has(entry.dtype)) {
      throw new Error(`checkpoint key "${key}": expected a floating-point tensor, found dtype ${entry.dtype}`);
    }
    return entry;
  }

  /** Builds a value once per graph and reuses it (shared constants such as GroupNorm's ones). */
  memo(key: string, make: () => Value): Value {
    let v = this.memos.get(key);
    if (!v) {
      v = make();
      this.memos.set(key, v);
    }
    return v;
  }

  has(key: string): boolean {
    return this.stateDict.has(key);
  }

  finish(): Graph {
    if (this.outputs.length === 0) throw new Error(`graph ${this.name} has no outputs`);
    return {
      name: this.name,
      opsetVersion: OPSET_VERSION,
      irVersion: IR_VERSION,
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      nodes: [...this.nodes],
      constants: [...this.constants],
      weights: [...this.weights],
    };
  }

  private addWeight(w: WeightInitializer): void {
    this.claim(w.name);
    this.weights.push(w);
    this.weightByName.set(w.name, { name: w.name, shape: w.dims });
  }

  private uniqueName(base: string): string {
    const prefix = this.scopes.length > 0 ? `${this.scopes.join('/')}/` : '';
    return `${prefix}${base}_${this.counter++}`;
  }

  private claim(name: string): void {
    if (this.usedNames.has(name)) throw new Error(`graph ${this.name}: name "${name}" is used twice`);
    this.usedNames.add(name);
  }
}
