/**
 * The Snowball English ("Porter2") stemmer, written from the algorithm's published description
 * (snowballstem.org/algorithms/english/stemmer.html). RediSearch stems English with libstemmer's
 * `english` algorithm, which is this one: a TEXT field indexes each word and, when it differs,
 * its stem, and a query word matches documents holding the word or any word with the same stem.
 */

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
const isVowel = (c: string | undefined): boolean => c !== undefined && VOWELS.has(c);
const DOUBLES = ['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt'];
const LI_ENDINGS = new Set(['c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't']);

/** Words the algorithm leaves or maps as a whole, before any step. */
const EXCEPTIONS1 = new Map<string, string>([
  ['skis', 'ski'],
  ['skies', 'sky'],
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
  ['idly', 'idl'],
  ['gently', 'gentl'],
  ['ugly', 'ugli'],
  ['early', 'earli'],
  ['only', 'onli'],
  ['singly', 'singl'],
  ['sky', 'sky'],
  ['news', 'news'],
  ['howe', 'howe'],
  ['atlas', 'atlas'],
  ['cosmos', 'cosmos'],
  ['bias', 'bias'],
  ['andes', 'andes'],
]);

/** Words left as they are after step 1a. */
const EXCEPTIONS2 = new Set(['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed']);

/** The start of R1: after the first non-vowel that follows a vowel (or after a listed prefix). */
function regionStart(w: string, from: number): number {
  for (let i = from + 1; i < w.length; i++) {
    if (!isVowel(w[i]) && isVowel(w[i - 1])) return i + 1;
  }
  return w.length;
}

/** A short syllable ends at `end` (exclusive). */
function shortSyllableAt(w: string, end: number): boolean {
  if (end === 2) return isVowel(w[0]) && !isVowel(w[1]);
  if (end < 3) return false;
  const c = w[end - 1];
  return !isVowel(w[end - 3]) && isVowel(w[end - 2]) && !isVowel(c) && c !== 'w' && c !== 'x' && c !== 'Y';
}

function hasVowel(s: string): boolean {
  for (const c of s) if (isVowel(c)) return true;
  return false;
}

/** Stems one lower-case English word. */
export function stem(word: string): string {
  if (word.length <= 2) return word;
  const exception = EXCEPTIONS1.get(word);
  if (exception !== undefined) return exception;
  let w = word.startsWith("'") ? word.slice(1) : word;
  // y at the start or after a vowel is a consonant: mark it Y.
  let marked = '';
  for (let i = 0; i < w.length; i++) marked += w[i] === 'y' && (i === 0 || isVowel(w[i - 1])) ? 'Y' : w[i];
  w = marked;

  let r1: number;
  const special = ['gener', 'commun', 'arsen'].find((p) => w.startsWith(p));
  r1 = special !== undefined ? special.length : regionStart(w, 0);
  const r2 = regionStart(w, r1);
  const inR1 = (suffixLen: number): boolean => w.length - suffixLen >= r1;
  const inR2 = (suffixLen: number): boolean => w.length - suffixLen >= r2;
  const ends = (s: string): boolean => w.endsWith(s);
  const isShortWord = (): boolean => shortSyllableAt(w, w.length) && r1 >= w.length;

  // Step 0: possessives.
  for (const s of ["'s'", "'s", "'"]) {
    if (ends(s)) {
      w = w.slice(0, -s.length);
      break;
    }
  }
  // Step 1a.
  if (ends('sses')) w = w.slice(0, -2);
  else if (ends('ied') || ends('ies')) w = w.length > 4 ? w.slice(0, -2) : w.slice(0, -1);
  else if (ends('us') || ends('ss')) {
    // unchanged
  } else if (ends('s')) {
    if (hasVowel(w.slice(0, -2))) w = w.slice(0, -1);
  }
  if (EXCEPTIONS2.has(w)) return w;

  // Step 1b.
  if (ends('eedly') || ends('eed')) {
    const len = ends('eedly') ? 5 : 3;
    if (inR1(len)) w = w.slice(0, -len) + 'ee';
  } else {
    const suffix = ['ingly', 'edly', 'ing', 'ed'].find((s) => ends(s));
    if (suffix !== undefined && hasVowel(w.slice(0, -suffix.length))) {
      w = w.slice(0, -suffix.length);
      if (ends('at') || ends('bl') || ends('iz')) w += 'e';
      else if (DOUBLES.some((d) => ends(d))) w = w.slice(0, -1);
      else if (isShortWord()) w += 'e';
    }
  }
  // Step 1c.
  if ((ends('y') || ends('Y')) && w.length > 2 && !isVowel(w[w.length - 2])) w = w.slice(0, -1) + 'i';

  // Step 2.
  const step2: Array<[string, string]> = [
    ['ization', 'ize'], ['ational', 'ate'], ['fulness', 'ful'], ['ousness', 'ous'], ['iveness', 'ive'],
    ['tional', 'tion'], ['biliti', 'ble'], ['lessli', 'less'], ['entli', 'ent'], ['ation', 'ate'],
    ['alism', 'al'], ['aliti', 'al'], ['ousli', 'ous'], ['iviti', 'ive'], ['fulli', 'ful'],
    ['enci', 'ence'], ['anci', 'ance'], ['abli', 'able'], ['izer', 'ize'], ['ator', 'ate'],
    ['alli', 'al'], ['bli', 'ble'], ['ogi', 'og'], ['li', ''],
  ];
  for (const [suffix, replacement] of step2) {
    if (!ends(suffix)) continue;
    if (inR1(suffix.length)) {
      if (suffix === 'ogi') {
        if (w[w.length - 4] === 'l') w = w.slice(0, -3) + 'og';
      } else if (suffix === 'li') {
        if (LI_ENDINGS.has(w[w.length - 3])) w = w.slice(0, -2);
      } else w = w.slice(0, -suffix.length) + replacement;
    }
    break;
  }
  // Step 3.
  const step3: Array<[string, string]> = [
    ['ational', 'ate'], ['tional', 'tion'], ['alize', 'al'], ['icate', 'ic'], ['iciti', 'ic'],
    ['ative', ''], ['ical', 'ic'], ['ness', ''], ['ful', ''],
  ];
  for (const [suffix, replacement] of step3) {
    if (!ends(suffix)) continue;
    if (inR1(suffix.length) && (suffix !== 'ative' || inR2(suffix.length))) w = w.slice(0, -suffix.length) + replacement;
    break;
  }
  // Step 4.
  const step4 = [
    'ement', 'ance', 'ence', 'able', 'ible', 'ment', 'ant', 'ent', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'ion',
    'al', 'er', 'ic',
  ];
  for (const suffix of step4) {
    if (!ends(suffix)) continue;
    if (inR2(suffix.length)) {
      if (suffix === 'ion') {
        const c = w[w.length - 4];
        if (c === 's' || c === 't') w = w.slice(0, -3);
      } else w = w.slice(0, -suffix.length);
    }
    break;
  }
  // Step 5.
  if (ends('e')) {
    if (inR2(1) || (inR1(1) && !shortSyllableAt(w, w.length - 1))) w = w.slice(0, -1);
  } else if (ends('l') && inR2(1) && w[w.length - 2] === 'l') {
    w = w.slice(0, -1);
  }
  return w.replace(/Y/g, 'y');
}
