/**
 * A safe unpickler for the data a checkpoint holds (protocols 2–5). It interprets the pickle
 * opcodes as data only: containers, numbers, strings, bytes, persistent ids, and a short
 * allowlist of globals whose effect is re-implemented in a few lines (pickle-safe-globals.ts: OrderedDict, set,
 * _codecs.encode) or reduced to inert placeholders (argparse.Namespace, numpy scalars). Every
 * other global is refused when it is named, before anything could be called. Nothing is ever
 * executed and no string is ever evaluated.
 *
 * Python values map to: None → null, bool → boolean, int → number (bigint beyond 2^53),
 * float → number, str → string, bytes/bytearray → Uint8Array, list → array, tuple → frozen
 * array, dict/OrderedDict → Map, set/frozenset → Set, allowed objects → PyObject.
 *
 * The opcodes are named in pickle-opcodes.ts, what each does is in pickle-handlers.ts (by
 * family), the machine state they share in pickle-machine.ts.
 */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import { HANDLERS } from './pickle-handlers.ts';
import { PickleMachine, type UnpickleOptions } from './pickle-machine.ts';

export type { UnpickleOptions } from './pickle-machine.ts';
export { PyCallable, PyObject, UnpickleRefusedError, isTuple, type GlobalResolver } from './pickle-values.ts';

/**
 * Rebuilds the object a pickle describes, or throws naming `options.where`, the opcode and
 * the byte offset. Refused globals throw UnpickleRefusedError naming module and name.
 */
export function unpickle(data: Uint8Array, options: UnpickleOptions): unknown {
  const m = new PickleMachine(data, options);
  while (!m.stopped) {
    m.opStart = m.pos;
    m.opcode = m.u8();
    const handler = HANDLERS[m.opcode];
    if (!handler) {
      throw new CheckpointError(
        `${options.where}: unknown pickle opcode 0x${m.opcode.toString(16).padStart(2, '0')} at byte ${m.opStart}; ` +
          'not a pickle this reader understands',
      );
    }
    handler(m);
  }
  return m.result;
}
