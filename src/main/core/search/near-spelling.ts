/**
 * Words read in a picture are often misread by a letter ("thundcrball"), and spaces inside a box are
 * often lost ("maynarddixon"). A query word is still found in such text when some stretch of it is
 * within a few edits of the word (Sellers' approximate substring matching: edit distance where the
 * stretch may start and end anywhere). Short words get no slack: "cat" one edit away matches half
 * the dictionary.
 */

/** Edits a query word may be off by: none below 6 letters, one from 6, two from 11. */
export function allowedEdits(word: string): number {
  const length = [...word].length;
  return length >= 11 ? 2 : length >= 6 ? 1 : 0;
}

/** The fewest edits that turn `word` into some stretch of `text` (0: it is in it as is). */
export function editsToNearestStretch(word: string, text: string): number {
  const w = [...word];
  const t = [...text];
  // Row for the empty prefix of `word`: 0 everywhere, a match may start at any position of `text`.
  let previous = new Array<number>(t.length + 1).fill(0);
  for (let i = 1; i <= w.length; i += 1) {
    const current = new Array<number>(t.length + 1);
    current[0] = i;
    for (let j = 1; j <= t.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (w[i - 1] === t[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return Math.min(...previous);
}

/** Whether `text` (searchable form) shows every word, each within its allowed edits; spaces in the text are ignored. */
export function showsNearly(words: string[], text: string): boolean {
  const compact = text.replace(/ /g, '');
  return words.every((word) => editsToNearestStretch(word, compact) <= allowedEdits(word));
}
