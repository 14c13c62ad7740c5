/**
 * Redis's partial quicksort (pqsort.c: the NetBSD qsort, Bentley & McIlroy, that only sorts the
 * partitions a requested range needs). GEORADIUS/GEOSEARCH with COUNT and SORT with BY and LIMIT
 * use it, and the order it leaves equal elements in is part of their replies.
 */

/**
 * Sorts `a` so that positions `lrange..rrange` hold what a full sort would put there, exactly as
 * Redis's `pqsort` leaves them (ties included, which a stable sort would order differently).
 */
export function pqsort<T>(a: T[], cmp: (x: T, y: T) => number, lrange: number, rrange: number): void {
  const swap = (i: number, j: number): void => {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  };
  const vecswap = (i: number, j: number, n: number): void => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const med3 = (i: number, j: number, k: number): number =>
    cmp(a[i], a[j]) < 0
      ? cmp(a[j], a[k]) < 0
        ? j
        : cmp(a[i], a[k]) < 0
          ? k
          : i
      : cmp(a[j], a[k]) > 0
        ? j
        : cmp(a[i], a[k]) < 0
          ? i
          : k;
  const insertion = (base: number, n: number): void => {
    for (let pm = base + 1; pm < base + n; pm++) {
      for (let pl = pm; pl > base && cmp(a[pl - 1], a[pl]) > 0; pl--) swap(pl, pl - 1);
    }
  };
  const outside = (start: number, count: number): boolean =>
    (lrange < start && rrange < start) || (lrange >= start + count && rrange >= start + count);

  const sort = (base: number, n: number): void => {
    for (;;) {
      let swapCnt = false;
      if (n < 7) {
        insertion(base, n);
        return;
      }
      let pm = base + Math.floor(n / 2);
      if (n > 7) {
        let pl = base;
        let pn = base + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(base, pm);
      let pa = base + 1;
      let pb = pa;
      let pc = base + n - 1;
      let pd = pc;
      for (;;) {
        let r: number;
        while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
          if (r === 0) {
            swapCnt = true;
            swap(pa, pb);
            pa++;
          }
          pb++;
        }
        while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
          if (r === 0) {
            swapCnt = true;
            swap(pc, pd);
            pd--;
          }
          pc--;
        }
        if (pb > pc) break;
        swap(pb, pc);
        swapCnt = true;
        pb++;
        pc--;
      }
      if (!swapCnt) {
        insertion(base, n);
        return;
      }
      const pn = base + n;
      let r = Math.min(pa - base, pb - pa);
      vecswap(base, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      vecswap(pb, pn - r, r);
      if ((r = pb - pa) > 1 && !outside(base, r)) sort(base, r);
      if ((r = pd - pc) > 1) {
        base = pn - r;
        n = r;
        if (!outside(base, r)) continue;
      }
      return;
    }
  };
  sort(0, a.length);
}

