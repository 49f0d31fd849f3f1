// Syntax highlighting of a diff's hunks: react-diff-view's tokenize with refractor (Prism as a syntax tree,
// https://github.com/wooorm/refractor) in the file's language. refractor's common languages only, so the
// chunk stays small; a file in another language, or one Prism fails on, is shown plain.
import { tokenize, type HunkData, type HunkTokens } from 'react-diff-view';
import { refractor } from 'refractor';
import { languageOf } from './review-language.js';

/** react-diff-view calls `highlight(code, language)` and walks the nodes it gets; refractor 4 and later
 * answer a root node, earlier ones its children: this hands on the children either way
 * (https://github.com/otakustay/react-diff-view/issues/142). */
const adapter = {
  highlight(code: string, language: string) {
    const out = refractor.highlight(code, language) as unknown;
    return (Array.isArray(out) ? out : (out as { children: unknown[] }).children) as never;
  },
};

export function highlightHunks(hunks: HunkData[], path: string): HunkTokens | undefined {
  const language = languageOf(path);
  if (language === null || !refractor.registered(language)) return undefined;
  try {
    return tokenize(hunks, { highlight: true, refractor: adapter, language });
  } catch (err) {
    // Prism on an odd input (a half file in a hunk) must not cost the user the diff: shown plain instead
    console.warn(`devmesh: could not highlight ${path} as ${language}: ${String(err)}`);
    return undefined;
  }
}
