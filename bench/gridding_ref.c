/*
 * C reference of scalebench's gridding loop (workloads/dirty_image/gridding.ts, grid2): the same
 * inputs, the same arithmetic in the same order — two polarizations interleaved in a float64
 * grid, natural weights, flags, separable prolate spheroidal kernel interpolated linearly in an
 * oversampled table. bench/gridding_bench.ts writes the inputs, compiles this with gcc -O3 and
 * compares throughput and the grid's checksum.
 *
 * usage: gridding_ref DIR REPS   (DIR holds params.txt and the .bin inputs)
 * prints: seconds=<per rep> checksum=<sum of grid> gridded=<n>
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *load(const char *dir, const char *name, size_t *bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *p = malloc(n > 0 ? n : 1);
  if (fread(p, 1, n, f) != (size_t)n) { perror(path); exit(2); }
  fclose(f);
  if (bytes) *bytes = n;
  return p;
}

typedef struct {
  int n, S, O, rows, chans;
  double *scale; /* per channel */
} Params;

static void kernel_weights(double frac, int O, int S, const double *table, const double *slopes,
                           double *out) {
  double f = (frac + 0.5) * O;
  int row = (int)floor(f);
  if (row >= O) row = O - 1;
  double t = f - row;
  int base = row * S;
  for (int k = 0; k < S; k++) out[k] = table[base + k] + t * slopes[base + k];
}

/* grid channel `chan` of the block; returns visibilities gridded; rows[0..1] = rows touched */
static long grid2(double *grid, const Params *p, int chan, const float *data, const uint8_t *flag,
                  const float *weight, const double *uvw, const double *table,
                  const double *slopes, double *sumw, int *rows) {
  const int n = p->n, S = p->S, O = p->O, h = S / 2, chans = p->chans;
  const double half = n / 2, scale = p->scale[chan];
  const int lo = h, hi = n - S + h;
  const long rowStride = 2L * n * 2;
  double wx[64], wy[64];
  long gridded = 0;
  for (int r = 0; r < p->rows; r++) {
    const long at = ((long)r * chans + chan) * 2;
    double w0 = weight[r * 2], w1 = weight[r * 2 + 1];
    if (flag[at]) w0 = 0;
    if (flag[at + 1]) w1 = 0;
    if (!(w0 > 0)) w0 = 0;
    if (!(w1 > 0)) w1 = 0;
    if (w0 == 0 && w1 == 0) continue;
    const double x = half - uvw[3 * r] * scale, y = half + uvw[3 * r + 1] * scale;
    const int xi = (int)floor(x + 0.5), yi = (int)floor(y + 0.5);
    if (xi < lo || xi > hi || yi < lo || yi > hi) continue;
    kernel_weights(x - xi, O, S, table, slopes, wx);
    kernel_weights(y - yi, O, S, table, slopes, wy);
    const long di = 2 * at;
    const double a0 = w0 == 0 ? 0 : data[di] * w0, b0 = w0 == 0 ? 0 : data[di + 1] * w0;
    const double a1 = w1 == 0 ? 0 : data[di + 2] * w1, b1 = w1 == 0 ? 0 : data[di + 3] * w1;
    sumw[0] += w0;
    sumw[1] += w1;
    gridded += (w0 > 0) + (w1 > 0);
    if (yi - h < rows[0]) rows[0] = yi - h;
    if (yi - h + S > rows[1]) rows[1] = yi - h + S;
    double *g = grid + (long)(yi - h) * rowStride + (long)(xi - h) * 4;
    for (int j = 0; j < S; j++) {
      const double wj = wy[j];
      double *q = g;
      for (int k = 0; k < S; k++) {
        const double wk = wj * wx[k];
        q[0] += wk * a0;
        q[1] += wk * b0;
        q[2] += wk * a1;
        q[3] += wk * b1;
        q += 4;
      }
      g += rowStride;
    }
  }
  return gridded;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s DIR REPS\n", argv[0]); return 2; }
  const char *dir = argv[1];
  int reps = atoi(argv[2]);
  Params p;
  char path[4096];
  snprintf(path, sizeof path, "%s/params.txt", dir);
  FILE *f = fopen(path, "r");
  if (!f || fscanf(f, "%d %d %d %d %d", &p.n, &p.S, &p.O, &p.rows, &p.chans) != 5) {
    fprintf(stderr, "bad %s\n", path);
    return 2;
  }
  fclose(f);
  p.scale = load(dir, "scale.bin", NULL);
  float *data = load(dir, "data.bin", NULL);
  uint8_t *flag = load(dir, "flag.bin", NULL);
  float *weight = load(dir, "weight.bin", NULL);
  double *uvw = load(dir, "uvw.bin", NULL);
  double *table = load(dir, "table.bin", NULL);
  double *slopes = load(dir, "slopes.bin", NULL);
  size_t cells = (size_t)p.n * p.n * 4;
  double *grid = calloc(cells, sizeof(double));
  double checksum = 0, sumw[2];
  long gridded = 0;
  int rows[2] = {0, 0};
  const long rowLen = (long)p.n * 4;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int rep = 0; rep < reps; rep++) {
    for (int c = 0; c < p.chans; c++) {
      /* zero the rows the previous channel touched, as the TypeScript gridder does */
      if (rows[1] > rows[0]) {
        memset(grid + rows[0] * rowLen, 0, (rows[1] - rows[0]) * rowLen * sizeof(double));
      }
      rows[0] = p.n;
      rows[1] = 0;
      sumw[0] = sumw[1] = 0;
      gridded += grid2(grid, &p, c, data, flag, weight, uvw, table, slopes, sumw, rows);
      if (rep == 0) for (size_t i = 0; i < cells; i++) checksum += grid[i];
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  printf("seconds=%.9f checksum=%.17g gridded=%ld\n", secs / reps, checksum, gridded / reps);
  return 0;
}
