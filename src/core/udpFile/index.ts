// Public API of the `.udp` format, for the VS Code side (CodeLens, Test Explorer, diagnostics, hover), the CLI
// and tests:
//
//   parseUdpFile(text)                         → UdpFileModel { blocks, variables, diagnostics }
//   hoverAt(model, position), blockAtLine(model, line), findBlock(model, nameOrIndex)
//   runUdpFile(model, options, token?)         → Promise<RunResult>   (see runner.ts; events via options.onEvent)
//   startListener(model, block, options)       → Promise<ListenerHandle> (a LISTEN block that stays up until stopped)

export * from './model';
export { parseUdpFile, HEADERS, DEFAULT_EXPECT_TIMEOUT_MS, templatesOf, staticText } from './parser';
export { BUILTINS, type BuiltinSpec } from './template';
export { hoverAt, blockAtLine, findBlock, contains, type HoverInfo } from './query';
export {
  runUdpFile,
  startListener,
  selectBlocks,
  formatEndpoint,
  UnknownBlockError,
  RunError,
  type RunOptions,
  type ListenOptions,
  type BindGuard,
  type BindRequest,
  type RunResult,
  type BlockResult,
  type BlockStatus,
  type ReplyRecord,
  type RttStats,
  type RunEvent,
  type ListenerHandle,
  type RunnerRegistry,
  type RunnerSocket,
  type RunnerDatagram,
  type CancellationLike,
} from './runner';
export { textForMatch, formatMs } from './match';
