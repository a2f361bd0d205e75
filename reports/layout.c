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

/* Adds a cell's rows to the last table; a cell already shown becomes a reference. */
static void add_cell(struct report *r, struct cell *c)
{
	struct report_table *t = &r->tables[r->nr_tables - 1];
	size_t k;

	for (k = 0; k < c->nrev; k++) {
		t->rows[t->nr_rows] = &r->rows[c->row + k];
		t->shown_in[t->nr_rows++] = c->shown;
	}
	if (!c->shown)
		c->shown = r->nr_tables;
}

static void layout_group(struct report *r, struct cell *cells, size_t n)
{
	size_t i, j, best = 0, best_np = 0, left;
	unsigned pmin = cells[0].procs;

	/* The chosen size: most process counts, the largest on a tie (cells sorted by size). */
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && cells[j].size == cells[i].size; j++)
			;
		if (j - i >= best_np) {
			best_np = j - i;
			best = i;
		}
	}
	for (i = 0; i < n; i++)
		if (cells[i].procs < pmin)
			pmin = cells[i].procs;
	if (best_np > 1) {
		new_table(r, TABLE_MODES, &r->rows[cells[best].row], cells[best].size, 0);
		for (i = best; i < best + best_np; i++)
			add_cell(r, &cells[i]);
	}
	/* Sizes for the fewest processes, when it shows a cell not yet shown. */
	for (i = 0, left = 0; i < n; i++)
		left += cells[i].procs == pmin && !cells[i].shown;
	if (left) {
		new_table(r, TABLE_SIZES, &r->rows[cells[0].row], 0, pmin);
		for (i = 0; i < n; i++)
			if (cells[i].procs == pmin)
				add_cell(r, &cells[i]);
	}
	/* The rest: a sizes table per process count with two or more cells left. */
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
		new_table(r, TABLE_SIZES, &r->rows[cells[0].row], 0, p);
		for (i = 0; i < n; i++)
			if (!cells[i].shown && cells[i].procs == p)
				add_cell(r, &cells[i]);
	}
	/* Single cells left over: one table, ordered by size then processes. */
	for (i = 0, left = 0; i < n; i++)
		left += !cells[i].shown;
	if (left) {
		new_table(r, TABLE_CELLS, &r->rows[cells[0].row], 0, 0);
		for (i = 0; i < n; i++)
			if (!cells[i].shown)
				add_cell(r, &cells[i]);
	}
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
		layout_group(r, cells, n);
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
