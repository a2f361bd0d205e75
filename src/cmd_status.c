/*
 * cmd_status.c - `swaplab status`: what the pipeline queue holds
 * (db/queue.c), one line per revision or one JSON object per line.
 */
#include "src/builtin.h"
#include "db/db.h"
#include "common/util.h"

#include <string.h>

static const char *const status_usage[] = {
	"swaplab status [--db FILE] [--json]",
	"",
	"The revisions `swaplab watch` and `swaplab pipeline` queued: queued,",
	"running, done (with the report's directory) and failed (with why).",
	NULL,
};

int cmd_status(int argc, char **argv)
{
	const char *dbpath = NULL;
	struct db_queue_item *items;
	size_t nr, i, counts[4] = { 0 };
	struct db *db;
	int json = 0;
	const struct po_option opts[] = {
		OPT_DB(&dbpath),
		OPT_JSON(&json),
		OPT_END(),
	};

	argc = parse_options(argc, argv, opts, status_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc > 0) {
		error("unexpected argument '%s'", argv[0]);
		return EXIT_USAGE;
	}
	db = cmd_open_db(dbpath);
	if (!db)
		return EXIT_FAIL;
	if (db_queue_list(db, &items, &nr) < 0) {
		db_close(db);
		return EXIT_FAIL;
	}
	for (i = 0; i < nr; i++) {
		static const char *const names[] = { "queued", "running", "done", "failed" };

		for (size_t k = 0; k < 4; k++)
			if (!strcmp(items[i].state, names[k]))
				counts[k]++;
		if (json) {
			printf("{\"id\":%lld,\"version\":%u,\"attempts\":%u", (long long)items[i].id,
			       items[i].version, items[i].attempts);
			json_put_member(stdout, "series", items[i].series);
			json_put_member(stdout, "state", items[i].state);
			json_put_member(stdout, "stage", items[i].stage);
			json_put_member(stdout, "message", items[i].message);
			json_put_member(stdout, "report_dir", items[i].report_dir);
			json_put_member(stdout, "source", items[i].source);
			json_put_member(stdout, "queued", items[i].queued);
			json_put_member(stdout, "started", items[i].started);
			json_put_member(stdout, "finished", items[i].finished);
			printf("}\n");
			continue;
		}
		if (i == 0)
			printf("%-4s %-32s %-4s %-8s %-14s %-3s %-20s %s\n", "id", "series", "rev",
			       "state", "stage", "try", "finished", "report / why");
		printf("%-4lld %-32.32s v%-3u %-8s %-14s %-3u %-20s %s\n", (long long)items[i].id,
		       items[i].series, items[i].version, items[i].state,
		       items[i].stage[0] ? items[i].stage : "-", items[i].attempts,
		       items[i].finished[0] ? items[i].finished : "-",
		       !strcmp(items[i].state, "done") ? items[i].report_dir
		       : items[i].message[0] ? items[i].message : "");
	}
	if (!json)
		printf("%s%zu queued, %zu running, %zu done, %zu failed\n", nr ? "\n" : "",
		       counts[0], counts[1], counts[2], counts[3]);
	db_queue_list_free(items, nr);
	db_close(db);
	return 0;
}
