import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'dist' || name === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('README', () => {
  it('documents every configuration key the services read', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const files = [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))].filter((f) =>
      f.includes('/src/'),
    );
    const keys = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(
        /\br\.(?:string|optionalString|int|number|bool|list|oneOf|durationMs|url|durationList)\(\s*'([A-Z][A-Z0-9_]+)'/g,
      )) {
        keys.add(match[1]);
      }
    }
    expect(keys.size).toBeGreaterThan(50);
    expect([...keys].filter((key) => !readme.includes(`\`${key}\``)).sort()).toEqual([]);
  });
});
