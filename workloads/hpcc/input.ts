/**
 * HPC Challenge's input file, `hpccinf.txt`, from a few typed values: the HPL problem size N, the
 * block size NB and a process grid P × Q of the ranks (as square as possible, P ≤ Q, as HPL likes
 * it). Everything else is the values of the example Debian ships
 * (/usr/share/doc/hpcc/examples/_hpccinf.txt).
 *
 * @module
 */

/** The most square grid P × Q = ranks with P ≤ Q. */
export function processGrid(ranks: number): { p: number; q: number } {
  let p = Math.floor(Math.sqrt(ranks));
  while (ranks % p !== 0) p--;
  return { p, q: ranks / p };
}

/** The text of hpccinf.txt for one launch. */
export function hpccInput(options: { n: number; nb: number; ranks: number }): string {
  const { p, q } = processGrid(options.ranks);
  const row = (value: string | number, what: string) => `${String(value).padEnd(13)}${what}`;
  return [
    "HPLinpack benchmark input file",
    "Innovative Computing Laboratory, University of Tennessee (written by scalebench)",
    row("HPL.out", "output file name (if any)"),
    row(8, "device out (6=stdout,7=stderr,file)"),
    row(1, "# of problems sizes (N)"),
    row(options.n, "Ns"),
    row(1, "# of NBs"),
    row(options.nb, "NBs"),
    row(0, "PMAP process mapping (0=Row-,1=Column-major)"),
    row(1, "# of process grids (P x Q)"),
    row(p, "Ps"),
    row(q, "Qs"),
    row("16.0", "threshold"),
    row(1, "# of panel fact"),
    row(2, "PFACTs (0=left, 1=Crout, 2=Right)"),
    row(1, "# of recursive stopping criterium"),
    row(4, "NBMINs (>= 1)"),
    row(1, "# of panels in recursion"),
    row(2, "NDIVs"),
    row(1, "# of recursive panel fact."),
    row(1, "RFACTs (0=left, 1=Crout, 2=Right)"),
    row(1, "# of broadcast"),
    row(1, "BCASTs (0=1rg,1=1rM,2=2rg,3=2rM,4=Lng,5=LnM)"),
    row(1, "# of lookahead depth"),
    row(1, "DEPTHs (>=0)"),
    row(2, "SWAP (0=bin-exch,1=long,2=mix)"),
    row(64, "swapping threshold"),
    row(0, "L1 in (0=transposed,1=no-transposed) form"),
    row(0, "U  in (0=transposed,1=no-transposed) form"),
    row(1, "Equilibration (0=no,1=yes)"),
    row(8, "memory alignment in double (> 0)"),
    "##### This line (no. 32) is ignored (it serves as a separator). ######",
    row(0, "Number of additional problem sizes for PTRANS"),
    row("1200 10000 30000", "values of N"),
    row(0, "number of additional blocking sizes for PTRANS"),
    row("40 9 8 13 13 20 16 32 64", "values of NB"),
    "",
  ].join("\n");
}
