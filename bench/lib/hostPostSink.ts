// What VS Code does with a message an extension posts to its webview, on the extension host's side: since
// 1.57 it JSON-serialises the message with every ArrayBuffer view replaced by a reference, and copies the
// underlying bytes into the IPC message (serializeWebviewMessage in extHostWebview.ts). The bench's sinks do
// the same work, so the core path is charged for what a real panel costs the host.

export interface PostCost {
  messages: number;
  jsonChars: number;
  bufferBytes: number;
}

export function createHostPostSink(): { post(message: unknown): void; cost: PostCost } {
  const cost: PostCost = { messages: 0, jsonChars: 0, bufferBytes: 0 };
  return {
    cost,
    post(message: unknown): void {
      const buffers: Uint8Array[] = [];
      const json = JSON.stringify(message, (_key, value: unknown) => {
        if (ArrayBuffer.isView(value)) {
          // A copy of the view's bytes, as the IPC layer makes.
          buffers.push(new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)));
          return { $$vscode_array_buffer_reference$$: buffers.length - 1 };
        }
        return value;
      });
      cost.messages++;
      cost.jsonChars += json.length;
      for (const b of buffers) cost.bufferBytes += b.byteLength;
    },
  };
}
