import * as vscode from 'vscode';
export const leak = vscode.window;
