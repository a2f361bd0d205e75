/*
 * lab/config.h - where the lab finds its LAVA server and the token for it.
 *
 * Each of the two settings is taken from the first place that has it:
 *   1. the environment: SWAPLAB_LAVA_URL, SWAPLAB_LAVA_TOKEN (and
 *      SWAPLAB_LAVA_TIMEOUT, seconds per request);
 *   2. swaplab's file: $SWAPLAB_LAVA_CONFIG, else
 *      $XDG_CONFIG_HOME/swaplab/lava.conf (~/.config/swaplab/lava.conf),
 *      lines "url = ...", "token = ...", "user = ...", "timeout = <s>"
 *      and # comments;
 *   3. lavacli's identities: $XDG_CONFIG_HOME/lavacli.yaml
 *      (~/.config/lavacli.yaml), the identity named by --identity or
 *      SWAPLAB_LAVA_IDENTITY, else "default"; its "uri" may end in /RPC2
 *      (lavacli's XML-RPC endpoint), which is dropped.  Read with
 *      libyaml: any YAML lavacli itself reads (quoted escapes, comments,
 *      block scalars, flow style, anchors and merge keys).  When any
 *      identity in it has a token, the file must be private.
 * A file that holds a token must belong to the user and be readable by
 * nobody else (mode 0600 or stricter): it is refused otherwise, and the
 * message says how to fix it.  No message ever contains the token or a
 * line of a file that could hold it.
 */
#ifndef SWAPLAB_LAB_CONFIG_H
#define SWAPLAB_LAB_CONFIG_H

struct lava_config {
	char *url;     /* base address, no trailing slash: https://lava.example.com */
	char *token;   /* NULL: anonymous (read-only) access */
	char *user;    /* informational, may be NULL */
	char *url_from;    /* where url came from, for messages */
	char *token_from;  /* where the token came from, or NULL */
	double timeout_s;  /* per-request limit ("timeout", SWAPLAB_LAVA_TIMEOUT); 0: default */
};

/*
 * Fills cfg (identity may be NULL).  Returns 0, or -1 with a message when
 * a file is unsafe or malformed or no server address is configured at all.
 */
int lava_config_load(struct lava_config *cfg, const char *identity);
/*
 * Moves SWAPLAB_LAVA_TOKEN out of the environment into this module's
 * memory (lava_config_load() still finds it): no program swaplab runs
 * (lava-run, make, git, qemu) inherits it, and the value is wiped from
 * the process's own environment block (/proc/<pid>/environ).  Called
 * once by main() before anything else.
 */
void lava_config_take_env(void);
/* Frees cfg and overwrites the token's memory first. */
void lava_config_release(struct lava_config *cfg);

/*
 * 0 if path belongs to the effective user and has no group/other
 * permission bits; -1 with a message naming path, its mode and the fix.
 */
int config_check_private(const char *path);

/* Parsers, exposed for the unit tests.  text is the whole file. */
int lava_config_parse_conf(const char *path, const char *text, struct lava_config *cfg);
int lava_config_parse_lavacli(const char *path, const char *text,
			      const char *identity, struct lava_config *cfg);

#endif
