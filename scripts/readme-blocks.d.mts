export interface ReadmeBlock {
  lang: string;
  code: string;
  line: number;
  run: boolean;
  fragment: boolean;
  reason?: string;
  file?: string;
}
export function extractBlocks(markdown: string): ReadmeBlock[];
export function isTs(b: { lang: string }): boolean;
export function fileOf(b: { lang: string; line: number }): string;
export function writeBlocks(markdown: string, dir: string): ReadmeBlock[];
