// Every link and image of the README resolves where users read it, the
// installed package: a `#section` of the README itself, or a file the
// package ships (`npm pack` decides which). The package has no public
// repository to link to.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readme, root } from './helpers/readme.js';

/** GitHub's and npm's anchor for a heading. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

/** The README's text outside code blocks and inline code. */
const prose = (md: string): string => md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');

describe('README links', () => {
  const md = readme();
  const text = prose(md);
  const anchors = new Set(
    text
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => slug(l.replace(/^#+ /, ''))),
  );
  const links = [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)[^)]*\)|<img[^>]*\bsrc="([^"]+)"|<a[^>]*\bhref="([^"]+)"/g)].map((m) => m[1] ?? m[2] ?? m[3]!);

  it('slugs as GitHub does', () => {
    expect(slug('Modules: load by name or number, all or nothing')).toBe('modules-load-by-name-or-number-all-or-nothing');
    expect(slug('examples/rv64: a RISC-V 64 Linux user-mode emulator')).toBe('examplesrv64-a-risc-v-64-linux-user-mode-emulator');
    expect(slug('64-bit arguments')).toBe('64-bit-arguments');
  });

  it('has links, and each #section names a heading', () => {
    expect(links.length).toBeGreaterThan(5);
    for (const l of links.filter((x) => x.startsWith('#'))) expect(anchors, l).toContain(l.slice(1));
  });

  it('links to no web address, and to files only if the package ships them', () => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { files: { path: string }[] }[];
    const files = new Set(packed[0]!.files.map((f) => f.path));
    for (const l of links.filter((x) => !x.startsWith('#'))) {
      expect(l, 'no web links: the package has no public home').not.toMatch(/^[a-z]+:/i);
      expect(files, l).toContain(l.replace(/^\.\//, '').replace(/#.*$/, ''));
    }
  });
});
