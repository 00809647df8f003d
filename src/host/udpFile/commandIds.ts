// The commands behind the `.udp` CodeLenses. Internal (the leading "_" keeps them out of the Command Palette and
// out of package.json's contributed commands): each takes the document URI and the block key the lens was made
// for, which stays valid while lines move (blockKeys.ts).

export const enum UdpFileCommands {
  Send = '_udpLab.udpFile.send',
  SendAndAwait = '_udpLab.udpFile.sendAndAwait',
  Cancel = '_udpLab.udpFile.cancel',
  Listen = '_udpLab.udpFile.listen',
  Stop = '_udpLab.udpFile.stop',
  Restart = '_udpLab.udpFile.restart',
  RunFile = '_udpLab.udpFile.runFile',
  ClearResults = '_udpLab.udpFile.clearResults',
}
