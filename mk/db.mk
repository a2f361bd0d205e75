# mk/db.mk - the results database (db/) and the reports (reports/).
# SQLite through libsqlite3; the HTML report test renders in chromium;
# the test data generator and the statistics cross-checks use python3.
DEPS += libsqlite3-dev sqlite3 chromium python3
