# mk/intake.mk - the patch intake (kernel-patches/, `swaplab submit`):
# zlib for lore's t.mbox.gz and gzip'd mbox files, git for --git-range
# and the tests, gzip for the tests' fixtures.
LIBS += -lz
DEPS += zlib1g-dev git gzip
