import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../src/repo-root';
import type { KubernetesObject } from './kubernetes-schemas';

/** Parses multi-document YAML, failing on any syntax error; empty documents are dropped. */
export function parseYamlDocuments(text: string, origin: string): unknown[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${origin}: ${document.errors[0].message}`);
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

/** Every YAML file below `dir`, relative to the workspace root, sorted. */
export function yamlFilesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry)) files.push(relative(REPO_ROOT, path));
    }
  };
  walk(join(REPO_ROOT, dir));
  return files;
}

/** Reads a file of the workspace. */
export function readWorkspaceFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

/** The objects of rendered or plain manifests. */
export function kubernetesObjects(text: string, origin: string): KubernetesObject[] {
  return parseYamlDocuments(text, origin) as KubernetesObject[];
}
