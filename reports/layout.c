/*
 * reports/layout.c - which tables a report has, so that no cell's
 * figures are printed twice.  Per backend and load (runs under stress-ng
 * load are tables of their own), in the seed cover letter's order:
 *
 *   1. a modes table (single, multi 2p, ...) at the chosen size: the size
 *      measured with the most process counts, the largest on a tie;
 *   2. a sizes table for the fewest processes; its row at the chosen
 *      size is a reference to table 1 (shown_in), so sizes read in order;
 *   3. for the cells still not shown: a sizes table per process count
 *      with at least two of them, and one table of single cells
 *      (TABLE_CELLS, key "64MB 2p") for the rest.
 *
 * Rows are in (backend, load, size, procs, revision) order; a table
 * holds every revision's row of its cells.
 */
#include "reports/report.h"
#include "common/util.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* One cell of a group: its first row, whether a table shows it, and where. */
struct cell {
	size_t row;                 /* index of the cell's first row (revisions follow) */
	size_t nrev;                /* its rows: one per revision */
	uint64_t size;
	unsigned procs;
	size_t shown;               /* 0, or 1 + the table printing its figures */
};

static struct report_table *new_table(struct report *r, enum report_table_kind kind,
				      const struct report_row *first, uint64_t size, unsigned procs)
{
	struct report_table *t;

	r->tables = xrealloc(r->tables, (r->nr_tables + 1) * sizeof(*r->tables));
	t = &r->tables[r->nr_tables++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->backend = first->backend;
	t->load = first->load;
	t->size = size;
	t->procs = procs;
	t->rows = xcalloc(r->nr_rows, sizeof(*t->rows));
	t->shown_in = xcalloc(r->nr_rows, sizeof(*t->shown_in));
	return t;
}

/*
 * Tables are planned on a copy of the cells first (dry: only counted),
 * so that of two layouts the one with fewer tables is made.
 */
struct plan {
	struct report *r;
	int dry;
	size_t tables;              /* made (or counted) so far */
};

static void open_table(struct plan *pl, enum report_table_kind kind, const struct cell *c,
		       uint64_t size, unsigned procs)
{
	pl->tables++;
	if (!pl->dry)
		new_table(pl->r, kind, &pl->r->rows[c->row], size, procs);
}

/* Adds a cell's rows to the last table; a cell already shown becomes a reference. */
static void add_cell(struct plan *pl, struct cell *c)
{
	struct report *r = pl->r;
	size_t k;

	if (!pl->dry) {
		struct report_table *t = &r->tables[r->nr_tables - 1];

		for (k = 0; k < c->nrev; k++) {
			t->rows[t->nr_rows] = &r->rows[c->row + k];
			t->shown_in[t->nr_rows++] = c->shown;
		}
	}
	if (!c->shown)
		c->shown = pl->dry ? pl->tables : r->nr_tables;
}

/* A modes table at the size of cells[from..from+n). */
static void modes_table(struct plan *pl, struct cell *cells, size_t from, size_t n)
{
	size_t i;

	open_table(pl, TABLE_MODES, &cells[from], cells[from].size, 0);
	for (i = from; i < from + n; i++)
		add_cell(pl, &cells[i]);
}

/* A sizes table for procs p: every cell with p processes (shown ones as references). */
static void sizes_table(struct plan *pl, struct cell *cells, size_t n, unsigned p, int refs)
{
	size_t i, left = 0;

	for (i = 0; i < n; i++)
		left += cells[i].procs == p && !cells[i].shown;
	if (!left)
		return;
	open_table(pl, TABLE_SIZES, &cells[0], 0, p);
	for (i = 0; i < n; i++)
		if (cells[i].procs == p && (refs || !cells[i].shown))
			add_cell(pl, &cells[i]);
}

/* What is left: sizes tables for process counts with two or more cells, one table of the rest. */
static void rest_tables(struct plan *pl, struct cell *cells, size_t n)
{
	size_t i, j, left;

	for (;;) {
		unsigned p = 0;
		size_t count = 0;

		for (i = 0; i < n; i++) {
			size_t c = 0;

			if (cells[i].shown)
				continue;
			for (j = 0; j < n; j++)
				c += !cells[j].shown && cells[j].procs == cells[i].procs;
			if (c > 1 && (!count || cells[i].procs < p)) {
				p = cells[i].procs;
				count = c;
			}
		}
		if (count < 2)
			break;
		sizes_table(pl, cells, n, p, 0);
	}
	for (i = 0, left = 0; i < n; i++)
		left += !cells[i].shown;
	if (left) {
		open_table(pl, TABLE_CELLS, &cells[0], 0, 0);
		for (i = 0; i < n; i++)
			if (!cells[i].shown)
				add_cell(pl, &cells[i]);
	}
}

/*
 * Layout A (the seed's): modes at the chosen size, sizes for the fewest
 * processes, the rest.  Layout B: a modes table for every size measured
 * with several process counts, then the same.  B only when it needs
 * fewer tables (a full grid of sizes and process counts).
 */
static void layout_group(struct report *r, struct cell *cells, size_t n, int b, int dry,
			 size_t *count)
{
	struct plan pl = { r, dry, 0 };
	size_t i, j, best = 0, best_np = 0;
	unsigned pmin = cells[0].procs;

	for (i = 0; i < n; i++) {
		cells[i].shown = 0;
		if (cells[i].procs < pmin)
			pmin = cells[i].procs;
	}
	/* The chosen size: most process counts, the largest on a tie (cells sorted by size). */
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && cells[j].size == cells[i].size; j++)
			;
		if (b && j - i > 1)
			modes_table(&pl, cells, i, j - i);
		if (j - i >= best_np) {
			best_np = j - i;
			best = i;
		}
	}
	if (!b && best_np > 1)
		modes_table(&pl, cells, best, best_np);
	sizes_table(&pl, cells, n, pmin, 1);
	rest_tables(&pl, cells, n);
	*count = pl.tables;
}

void report_layout(struct report *r)
{
	struct cell *cells = xcalloc(r->nr_rows + 1, sizeof(*cells));
	size_t i = 0, t;

	while (i < r->nr_rows) {
		const struct report_row *g = &r->rows[i];
		size_t n = 0;

		/* One group: the rows of one backend and load. */
		while (i < r->nr_rows && !strcmp(r->rows[i].backend, g->backend) &&
		       !strcmp(r->rows[i].load, g->load)) {
			const struct report_row *row = &r->rows[i];
			struct cell *c = &cells[n++];

			c->row = i;
			c->size = row->size;
			c->procs = row->procs;
			c->shown = 0;
			for (c->nrev = 0; i < r->nr_rows && r->rows[i].size == row->size &&
					  r->rows[i].procs == row->procs &&
					  !strcmp(r->rows[i].backend, row->backend) &&
					  !strcmp(r->rows[i].load, row->load);
			     i++)
				c->nrev++;
		}
		{
			size_t a, b;

			layout_group(r, cells, n, 0, 1, &a);
			layout_group(r, cells, n, 1, 1, &b);
			layout_group(r, cells, n, b < a, 0, &a);
		}
	}
	free(cells);
	/* Every row is printed with its figures exactly once. */
	for (i = 0; i < r->nr_rows; i++) {
		size_t shown = 0, j;

		for (t = 0; t < r->nr_tables; t++)
			for (j = 0; j < r->tables[t].nr_rows; j++)
				shown += r->tables[t].rows[j] == &r->rows[i] &&
					 !r->tables[t].shown_in[j];
		assert(shown == 1);
	}
}
