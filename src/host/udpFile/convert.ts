// Positions and ranges between the `.udp` model (plain 0-based data from src/core) and vscode's classes.

import * as vscode from 'vscode';
import type { Position, Range } from '../../core/udpFile';

export function toVsRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

export function fromVsPosition(position: vscode.Position): Position {
  return { line: position.line, character: position.character };
}

/** True for documents UDP Lab treats as `.udp` files (the language id the grammar contribution gives them). */
export function isUdpDocument(document: vscode.TextDocument): boolean {
  return document.languageId === 'udp';
}
