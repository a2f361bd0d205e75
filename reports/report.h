/*
 * reports/report.h - base-versus-patched speedup reports from the results
 * database: the model (which cells, which runs, what figure, which
 * statistics, which environment differences) built once by report_build()
 * and written in one of several formats by report_write():
 *
 *   lore      plain text in the layout of the seed cover letter, fitting
 *             72 columns: a four-line header (device, kernels, backend
 *             setup, n), the tables, four lines of method
 *   lkp       the kernel test robot's comparison layout, one metric a line
 *   markdown  the same rows as GitHub-flavoured Markdown
 *   html      one self-contained page: summary, forest plot, inline SVG
 *   csv       one line per compared cell (and fio metric), every number
 *   json      the whole model
 *
 * A row compares one cell (backend, VMA size, processes): the per-run
 * figure is the mean of the cell's processes' munmap() times (or the
 * slowest process's, REPORT_FIGURE_MAX); the sides' figures shown are
 * medians over runs.  The decision (struct report_verdict) is made on
 * invocations: each invocation's figure is the median of its runs, and
 * the sides' log invocation figures are compared by the blocked t test
 * of reports/stats.h (blocks: the devices; one block when one device ran
 * everything, i.e. Student's two-sample t test), the marks of a report
 * controlled together by Benjamini-Hochberg.  docs/reports.md explains
 * the method and why.
 */
#ifndef SWAPLAB_REPORT_H
#define SWAPLAB_REPORT_H

#include "db/db.h"
#include "reports/stats.h"

#include <stdint.h>
#include <stdio.h>

enum report_format { REPORT_LORE, REPORT_MARKDOWN, REPORT_HTML, REPORT_CSV, REPORT_JSON,
		     REPORT_LKP };
enum report_figure { REPORT_FIGURE_MEAN, REPORT_FIGURE_MAX };

struct report_opts {
	const char *base;           /* label of the base runs */
	const char *patched;        /* label of the patched runs */
	const char *series;         /* instead of patched: every revision of a series */
	const char *backend;        /* only this backend (NULL: all) */
	enum report_figure figure;
	double alpha;               /* significance level, 0.05 by default */
	double min_effect_pct;      /* smaller significant changes are not marked;
				     * 0: REPORT_MIN_EFFECT_DEFAULT, < 0: none
				     * (r->opts holds the one in effect, >= 0) */
};

#define REPORT_MIN_EFFECT_DEFAULT 2.0 /* percent */
/* Invocations a side needs for a test, an interval and a mark. */
#define REPORT_MIN_INV 3
#define REPORT_POWER 0.8            /* of the minimum detectable effect */

/* One side of a row: one label's (or revision's) runs of one cell. */
struct report_side {
	size_t n;                   /* runs */
	double *v;                  /* per-run figures (ns), sorted */
	double median, q1, q3, min, max;
	double median_slowest;      /* median of the slowest process's times */
	size_t n_drain, n_undrained, n_cpu;
	double drain_median, cpu_median;  /* ns, when n_drain / n_cpu */
	size_t n_peak;
	double peak_median;         /* bytes: highest backend memory, barrier to drain end */
	const char *comp;           /* compressor of the backend ("" unknown, "*" mixed) */
	/* Invocations (run rows, i.e. boots) with runs of this cell, by run id. */
	size_t n_inv;
	double *inv;                /* each one's figure (ns): the median of its runs */
	int64_t *inv_run;           /* its run id */
	size_t n_nonpos;            /* runs whose figure is not positive (left out of inv) */
};

/* Row flags. */
#define ROW_ENV_DIFFERS (1 << 0)    /* environments differ beyond the kernel */
#define ROW_UNDRAINED   (1 << 1)    /* a run's drain hit its timeout */
#define ROW_NOT_INTERLEAVED (1 << 2) /* one side's invocations all precede the other's */
#define ROW_MIXED_KERNELS (1 << 3)  /* a side mixes kernel releases or commits */

/*
 * The decision on one row (and, with --series, on a revision against the
 * previous one: row->prev_v), made on invocations (one boot, one bench run:
 * a run row of the database), not on the runs inside them.  The contract
 * between the statistics (reports/verdict.c, reports/stats.c) and every
 * formatter: a formatter prints these fields and decides nothing itself.
 *
 * Invariants (asserted where they are filled):
 *   - ci_ok implies lo <= estimate <= hi;
 *   - dir != DIR_NONE implies significant and ci_ok, and the interval
 *     excludes 1 on the side of dir (FASTER: lo > 1; SLOWER: hi < 1);
 *   - dir == DIR_NONE and significant means |change| < min_effect;
 *   - why_unmarked is set exactly when a row has no mark but has data
 *     on both sides (fewer than REPORT_MIN_INV invocations a side, no
 *     spread between invocations, no positive times, not significant,
 *     below the minimum effect);
 *   - every double is finite (a format never prints inf or nan).
 *   - with ci_ok, significant if and only if the interval excludes 1: the
 *     interval's level is the report's ci_level (prev_ci_level for
 *     prev_v), 1 - R alpha / m after Benjamini-Hochberg made R marks
 *     among m tests (the false coverage-statement rate intervals of
 *     Benjamini & Yekutieli), so mark and interval never disagree.
 *
 * The test takes blocks (stats_blocked_t): today the invocations' device,
 * so boards of a LAVA farm are compared within themselves (issue 16);
 * pairing rounds would be another block key.
 */
enum report_dir { DIR_NONE = 0, DIR_FASTER, DIR_SLOWER };

struct report_verdict {
	size_t inv_base, inv_patched; /* invocations per side */
	double estimate;            /* speedup base/patched: ratio of the geometric means of
				     * the invocation figures; 0 when a side has none */
	double lo, hi;              /* its interval at the report's ci_level */
	int ci_ok;                  /* 0: no interval (too few invocations, no spread) */
	double change_pct;          /* (1/estimate - 1) * 100: negative = faster */
	double p, p_adj;            /* p-value and the multiplicity-adjusted one */
	int significant;            /* p_adj <= alpha (and the interval excludes 1) */
	enum report_dir dir;        /* the mark: significant, |change| >= min_effect */
	const char *why_unmarked;   /* static text, or NULL */
};

/*
 * The decision rule on in-memory data (reports/verdict.c), used by
 * report_build() and by everything that must decide the same way
 * (calibration, the generated-data checks, make bench).  A comparison
 * is the two sides' invocation figures (positive ns), with their blocks
 * (devices; NULL: one block); report_decide() fills every c[i].v and
 * decides the n comparisons as one family (Benjamini-Hochberg).
 */
struct report_cmp {
	const double *x, *y;        /* invocation figures: base (or previous) and patched */
	size_t nx, ny;
	const unsigned *bx, *by;    /* their blocks, or NULL */
	struct report_verdict *v;   /* out: the verdict */
	/* out, when the comparison was tested: */
	int blocked;                /* compared within blocks */
	double s, df;               /* residual sd of the log figures, its degrees of freedom */
	size_t used_x, used_y;      /* invocations in blocks holding both sides */
};
struct report_family {
	size_t tests, marks;
	double ci_level;            /* 1 - R alpha / m (1 - alpha / m without marks) */
};
void report_decide(struct report_cmp *c, size_t n, double alpha, double min_effect_pct,
		   struct report_family *f);
/*
 * Minimum detectable effect in percent: the smallest change a test of
 * inv invocations a side with residual log spread s detects with the
 * given power at level alpha (one block); 0 when s or inv cannot tell.
 */
double report_mde_pct(double s, size_t inv, double alpha, double power);

struct report_row {
	const char *backend;
	const char *load;           /* background load of the runs: "none", "cpu", "mem" */
	uint64_t size;
	unsigned procs;
	unsigned revision;          /* --series: 1 for v1 ...; else 0 */
	struct report_side base, patched;
	int compared;               /* both sides have runs */
	double speedup;             /* base.median / patched.median */
	struct ratio_ci ci;         /* of base / patched */
	struct mw_result mw;
	int significant;            /* mw.p <= alpha */
	struct report_verdict v;    /* the decision every format prints */
	int flags;
	/* --series: this revision's patched runs against the previous revision's. */
	int has_prev;
	double prev_change;         /* prev_v's change_pct / 100 (legacy) */
	struct mw_result prev_mw;   /* legacy: p = prev_v.p_adj */
	int prev_significant;       /* legacy: prev_v.dir != DIR_NONE */
	/* estimate = previous / this revision's Patched (> 1: this one is faster) */
	struct report_verdict prev_v;
	/*
	 * --series: where this cell's series of Patched figures changed
	 * (E-divisive over the revisions' log invocation figures, permutation
	 * test, minimum magnitude opts.min_effect_pct; p-values adjusted by
	 * Benjamini-Hochberg over every such test of the report).  Set on the
	 * row of the revision the change started at.
	 */
	struct report_change {
		int starts;             /* a change starts at this revision */
		enum report_dir dir;    /* SLOWER: figures went up from this revision on */
		double change_pct;      /* median after vs before, percent (+ = slower) */
		unsigned from;          /* the revision the segment before started at */
		double p, p_adj;
	} cp;
};

/*
 * Tables (reports/layout.c): per backend and load, a modes table at the
 * chosen size, a sizes table for the fewest processes, then tables only
 * for cells not yet shown (TABLE_CELLS: key "64MB 2p").  Every row's
 * figures are printed once: a row of a sizes table whose figures are in
 * an earlier table is a reference (shown_in = 1 + that table's index),
 * printed as a pointer so the sizes still read in order.
 */
enum report_table_kind { TABLE_MODES, TABLE_SIZES, TABLE_CELLS };

struct report_table {
	enum report_table_kind kind;
	const char *backend;
	const char *load;           /* "none" unless the runs ran under stress-ng load */
	uint64_t size;              /* TABLE_MODES: the VMA size */
	unsigned procs;             /* TABLE_SIZES: the process count */
	struct report_row **rows;
	size_t *shown_in;           /* per row: 0, or 1 + the table that prints its figures */
	size_t nr_rows;
};

/*
 * The fio zram throughput suite (--suite fio), base against patched: one
 * row per job (and load, and revision), each metric a median over the
 * side's invocations (fio writes one line per job and invocation).
 * Verdicts per metric with the same rule as the munmap rows; for them
 * estimate = how many times better patched is (bandwidth and IOPS:
 * patched/base; latency: base/patched) and change_pct is the change of
 * the metric itself ((patched/base - 1) * 100), so +% is faster for
 * bandwidth and IOPS and slower for latency; dir says which.
 */
enum report_fio_metric { FIO_BW, FIO_IOPS, FIO_LAT, NR_FIO_METRICS };

struct report_fio_side {
	size_t n;                   /* invocations with this job */
	double *v[NR_FIO_METRICS];  /* per invocation, sorted */
	double median[NR_FIO_METRICS], sd[NR_FIO_METRICS]; /* sd: sample standard deviation */
};

struct report_fio_row {
	const char *job, *rw, *load;
	unsigned revision;
	struct report_fio_side base, patched;
	struct report_verdict v[NR_FIO_METRICS];
};

/*
 * What the lore header says about one side: distinct values among its
 * runs' env records, comma-separated ("" when no run recorded it).
 */
enum report_fact {
	FACT_CPU_MODEL, FACT_CPUS, FACT_ARCH, FACT_MEM, FACT_RUNS, FACT_FILL, FACT_RATIO,
	FACT_THP, FACT_THP_ENABLED, FACT_ZRAM_COMP, FACT_ZSWAP_COMP, FACT_ZSWAP_POOL,
	FACT_LOAD, NR_FACTS
};

/* An environment field whose values differ between (or within) the sides. */
struct report_env_diff {
	char *field;                /* e.g. "cpus", "zram.comp" */
	const char *backend;        /* rows it concerns; NULL: all */
	char *base, *patched;       /* distinct values, comma-separated */
};

/* Who ran: kernels, devices, CPUs of one side. */
struct report_who {
	char *label;                /* a label, or "S vN" / "S vN base" (series) */
	int is_label;
	size_t runs;
	char *kernels, *commits, *devices, *cpus;
	char *facts[NR_FACTS];      /* FACT_MEM in GB ("7.8") */
};

struct report {
	struct report_opts opts;
	struct report_row *rows;
	size_t nr_rows;
	struct report_fio_row *fio;
	size_t nr_fio;
	struct report_table *tables;
	size_t nr_tables;
	struct report_env_diff *diffs;
	size_t nr_diffs;
	struct report_who base;
	struct report_who *patched; /* one per revision (series), else one */
	size_t nr_patched;
	unsigned *revisions;        /* --series */
	size_t nr_revisions;
	int any_drain, any_cpu, any_undrained, any_exact, any_approx, any_small;
	int any_env_diff;
	/* How the marks were made, for every format's method lines. */
	const char *method;         /* e.g. "t test on log per-invocation medians" */
	const char *correction;     /* "Benjamini-Hochberg" */
	const char *cp_method;      /* --series: how change points are found */
	double ci_level;            /* of every row's interval (see report_verdict) */
	double prev_ci_level;       /* of the prev_v intervals */
	size_t nr_tests, nr_marks;  /* rows tested (the family) and marked */
	int blocked;                /* some row was compared within devices (blocks) */
	/* Smallest change each backend's data could have shown (REPORT_POWER at
	 * alpha, unadjusted: the most favourable case), percent, from the
	 * rows' pooled residual spread at the typical invocations per side
	 * (inv); 0 when unknown (no row could be tested).  In row order. */
	struct report_mde { const char *backend; double pct; size_t inv; } *mde;
	size_t nr_mde;
	/* Sentences for the footer: runs not interleaved, sides mixing kernels. */
	char **warnings;
	size_t nr_warnings;
	int any_not_interleaved, any_mixed_kernels;
	char **strs;                /* backend and compressor names the rows point to */
	size_t nr_strs;
};

/* Reads the database and computes every row.  -1 + error() (e.g. unknown label). */
int report_build(struct db *db, const struct report_opts *opts, struct report *r);
void report_release(struct report *r);
int report_write(const struct report *r, enum report_format fmt, FILE *out);
/* Lays the rows out in tables (reports/layout.c); report_build calls it. */
void report_layout(struct report *r);
/* The fio rows (reports/fio.c): sels in pairs, [2k] base and [2k+1] patched of revision k. */
int report_build_fio(struct db *db, const struct db_sel *sels, size_t nr, struct report *r);
void report_fio_release(struct report *r);
/* "lore" -> REPORT_LORE ...; -1 if unknown. */
int report_parse_format(const char *s);

/* ---- shared by the formatters (reports/format.c) ---- */

/* "61.82ms" from nanoseconds (two decimals, like the seed). */
const char *report_ms(double ns, char *buf, size_t len);
/* "256MB" (the seed's size notation), or "512KB" / bytes when not whole MB. */
const char *report_size(uint64_t bytes, char *buf, size_t len);
/* "single", "multi 2p" (the seed's mode names). */
const char *report_mode(unsigned procs, char *buf, size_t len);
/* Title of a table, without the "Test N: " prefix. */
const char *report_table_title(const struct report *r, const struct report_table *t,
			       char *buf, size_t len);
/* The row's key in its table: mode or size. */
const char *report_row_key(const struct report_table *t, const struct report_row *row,
			   char *buf, size_t len);
/* Name of the interval and test, with alpha and confidence, for footers. */
const char *report_method_ci(const struct report *r, char *buf, size_t len);
const char *report_method_test(const struct report *r, char *buf, size_t len);

/*
 * The footer's explanation as paragraphs (NULL-terminated array of
 * malloc'd strings, free with report_free_notes): what each figure is,
 * the interval, the test and alpha, the marks, who ran what where.
 */
char **report_notes(const struct report *r);
void report_free_notes(char **notes);

/* The level of the rows' intervals (the statistics' ci_level, else 1 - alpha). */
double report_ci_level(const struct report *r);
/* "faster" / "slower" / "" : the mark of a verdict, in every format. */
const char *report_mark(const struct report_verdict *v);
/* Whether a double can be printed as a number (not inf/nan). */
int report_finite(double x);
/* "swaplab.zram.256M.1p.munmap_ms" (".load-cpu" before the metric under load). */
const char *report_metric_name(const struct report_row *row, const char *metric, char *buf,
			       size_t len);
/* The fio job's name without ".fio" ("seqread"). */
const char *report_fio_job(const struct report_fio_row *f, char *buf, size_t len);
/* The side's (or every side's) facts as the lore header's four lines. */
char *report_header_line(const struct report *r, int which);
/* The summary paragraph of reply.eml and the HTML page (malloc'd). */
char *report_summary(const struct report *r, const char *who);
/* The method lines below the tables (malloc'd, NULL-terminated, at most four). */
char **report_method_lines(const struct report *r);
/* text wrapped to width after first, continuation lines indented; returns the lines. */
size_t report_wrap(FILE *out, const char *first, const char *text, size_t indent, size_t width);
/* The lore text, as reply.eml uses it (wrapped at 72 columns). */
int report_write_lore(const struct report *r, FILE *out);
int report_write_lkp(const struct report *r, FILE *out);
int report_write_markdown(const struct report *r, FILE *out);
int report_write_html(const struct report *r, FILE *out);
int report_write_csv(const struct report *r, FILE *out);
int report_write_json(const struct report *r, FILE *out);

#endif
