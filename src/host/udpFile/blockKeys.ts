// A block's identity across edits. Indexes and line numbers shift as the user types above a block; its name (or,
// for unnamed blocks, its method and address plus which occurrence it is) does not. Results, running listeners
// and test items are keyed by it, so they stay on the right block while the file changes around them.

import type { Block, UdpFileModel } from '../../core/udpFile';

export function blockKeys(model: UdpFileModel): Map<number, string> {
  const keys = new Map<number, string>();
  const seen = new Map<string, number>();
  for (const block of model.blocks) {
    const base = block.name !== undefined ? `name:${block.name}` : `${block.method} ${block.target?.raw ?? ''}`.trim();
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    keys.set(block.index, n === 1 ? base : `${base} #${n}`);
  }
  return keys;
}

export function blockKey(model: UdpFileModel, block: Block): string {
  return blockKeys(model).get(block.index)!;
}

export function blockByKey(model: UdpFileModel, key: string): Block | undefined {
  for (const [index, k] of blockKeys(model)) if (k === key) return model.blocks[index];
  return undefined;
}
