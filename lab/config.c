/*
 * lab/config.c - LAVA server address and token for the lab: environment,
 * swaplab's lava.conf, or lavacli's identities file (see config.h).
 * Tokens are secrets: files holding them must be private, and nothing
 * here quotes a token or a line that might contain one.
 */
#include "lab/config.h"
#include "common/http.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void lava_config_release(struct lava_config *cfg)
{
	free(cfg->url);
	wipe_free(cfg->token);
	free(cfg->user);
	free(cfg->url_from);
	free(cfg->token_from);
	memset(cfg, 0, sizeof(*cfg));
}

int config_check_private(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return error_errno("cannot stat '%s'", path);
	if (st.st_uid != geteuid())
		return error("'%s' holds a LAVA token but belongs to uid %u, not to you (uid %u); refusing to use it",
			     path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return error("'%s' holds a LAVA token but is readable by others (mode %04o); run: chmod 600 '%s'",
			     path, (unsigned)(st.st_mode & 07777), path);
	return 0;
}

/* Trims blanks at both ends in place. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Removes matching single or double quotes around a value. */
static char *unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

/* Base URL without trailing slashes or lavacli's /RPC2 endpoint. */
static char *normalise_url(const char *v)
{
	char *u = xstrdup(v);
	size_t n = strlen(u);

	while (n && u[n - 1] == '/')
		u[--n] = '\0';
	if (n >= 5 && !strcmp(u + n - 5, "/RPC2"))
		u[n -= 5] = '\0';
	while (n && u[n - 1] == '/')
		u[--n] = '\0';
	return u;
}

static int set_field(const char *path, int line, const char *key, char *val,
		     struct lava_config *cfg)
{
	if (!strcmp(key, "url") || !strcmp(key, "uri")) {
		const char *why;
		char *u = normalise_url(val);

		if (!http_url_valid(u, &why)) {
			free(u);
			return error("%s:%d: bad %s: %s", path, line, key, why);
		}
		free(cfg->url);
		cfg->url = u;
		free(cfg->url_from);
		cfg->url_from = xstrdup(path);
	} else if (!strcmp(key, "token")) {
		if (!*val || strpbrk(val, " \t\r\n"))
			return error("%s:%d: the token is empty or contains white space", path, line);
		wipe_free(cfg->token);
		cfg->token = xstrdup(val);
		free(cfg->token_from);
		cfg->token_from = xstrdup(path);
	} else if (!strcmp(key, "user") || !strcmp(key, "username")) {
		free(cfg->user);
		cfg->user = xstrdup(val);
	} else if (!strcmp(key, "timeout")) {
		char *end;
		double t = strtod(val, &end);

		if (end == val || *end || !(t > 0 && t <= 86400))
			return error("%s:%d: timeout must be seconds in (0, 86400]", path, line);
		cfg->timeout_s = t;
	}
	/* Other keys (lavacli's proxy, verify_ssl_cert, ...) are accepted and ignored. */
	return 0;
}

int lava_config_parse_conf(const char *path, const char *text, struct lava_config *cfg)
{
	char *copy = xstrdup(text), *save = NULL, *l;
	int line = 0, ret = 0;

	/* strtok_r would skip empty lines and lose the count: split by hand. */
	for (l = copy; l && ret == 0; l = save) {
		char *eq, *key, *val;

		save = strchr(l, '\n');
		if (save)
			*save++ = '\0';
		line++;
		l = trim(l);
		if (!*l || *l == '#')
			continue;
		eq = strchr(l, '=');
		if (!eq) {
			/* Do not quote the line: it might be a token. */
			ret = error("%s:%d: expected 'key = value'", path, line);
			break;
		}
		*eq = '\0';
		key = trim(l);
		val = unquote(trim(eq + 1));
		if (strcmp(key, "url") && strcmp(key, "token") && strcmp(key, "user") &&
		    strcmp(key, "timeout")) {
			ret = error("%s:%d: unknown key '%.40s' (expected url, token, user or timeout)",
				    path, line, key);
			break;
		}
		ret = set_field(path, line, key, val, cfg);
	}
	explicit_bzero(copy, strlen(text));
	free(copy);
	return ret;
}

/* ---- lavacli's identities file, read with libyaml ---- */

/* A plain scalar YAML reads as null: an absent setting. */
static int yaml_is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
		!strcmp(v, "NULL"));
}

static int yaml_key_is(const yaml_node_t *k, const char *name)
{
	return k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, name);
}

/*
 * Applies the settings of identity mapping map to cfg: merge keys ("<<",
 * which lavacli's PyYAML honours) first, earlier merged mappings winning
 * over later ones, then the mapping's own keys over both.
 */
static int apply_identity(const char *path, yaml_document_t *doc, yaml_node_t *map,
			  struct lava_config *cfg, int depth)
{
	yaml_node_pair_t *pair;

	if (depth > 8)
		return error("%s: merge keys ('<<') nested too deep", path);
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(doc, pair->value);

		if (!yaml_key_is(k, "<<") || k->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
			continue;
		if (v->type == YAML_MAPPING_NODE) {
			if (apply_identity(path, doc, v, cfg, depth + 1) < 0)
				return -1;
		} else if (v->type == YAML_SEQUENCE_NODE) {
			yaml_node_item_t *it;

			for (it = v->data.sequence.items.top; it > v->data.sequence.items.start; it--) {
				yaml_node_t *m = yaml_document_get_node(doc, it[-1]);

				if (!m || m->type != YAML_MAPPING_NODE)
					return error("%s:%zu: '<<' must merge mappings", path,
						     v->start_mark.line + 1);
				if (apply_identity(path, doc, m, cfg, depth + 1) < 0)
					return -1;
			}
		} else {
			return error("%s:%zu: '<<' must merge a mapping", path, v->start_mark.line + 1);
		}
	}
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(doc, pair->value);
		const char *key;

		if (!k || k->type != YAML_SCALAR_NODE)
			continue; /* a complex key is no setting swaplab reads */
		key = (const char *)k->data.scalar.value;
		if (yaml_key_is(k, "<<") && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			continue;
		if (v->type != YAML_SCALAR_NODE) {
			if (!strcmp(key, "uri") || !strcmp(key, "url") || !strcmp(key, "token") ||
			    !strcmp(key, "username") || !strcmp(key, "user") || !strcmp(key, "timeout"))
				return error("%s:%zu: '%s' must be a single value", path,
					     k->start_mark.line + 1, key);
			continue;
		}
		if (yaml_is_null(v))
			continue;
		if (set_field(path, (int)k->start_mark.line + 1, key,
			      (char *)v->data.scalar.value, cfg) < 0)
			return -1;
	}
	return 0;
}

/* 1 when any identity of the file carries a token (the file must then be private). */
static int yaml_holds_token(yaml_document_t *doc)
{
	yaml_node_t *n;

	for (n = doc->nodes.start; n < doc->nodes.top; n++) {
		yaml_node_pair_t *pair;

		if (n->type != YAML_MAPPING_NODE)
			continue;
		for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
			yaml_node_t *v = yaml_document_get_node(doc, pair->value);

			if (yaml_key_is(yaml_document_get_node(doc, pair->key), "token") &&
			    !(v->type == YAML_SCALAR_NODE && yaml_is_null(v)))
				return 1;
		}
	}
	return 0;
}

/* Overwrites every scalar of doc: tokens must not outlive their use. */
static void yaml_wipe(yaml_document_t *doc)
{
	yaml_node_t *n;

	for (n = doc->nodes.start; n && n < doc->nodes.top; n++)
		if (n->type == YAML_SCALAR_NODE)
			explicit_bzero(n->data.scalar.value, n->data.scalar.length);
}

static void yaml_parser_wipe(yaml_parser_t *p)
{
	if (p->buffer.start)
		explicit_bzero(p->buffer.start, (size_t)(p->buffer.end - p->buffer.start));
	if (p->raw_buffer.start)
		explicit_bzero(p->raw_buffer.start, (size_t)(p->raw_buffer.end - p->raw_buffer.start));
}

/*
 * lavacli.yaml: one YAML document (lavacli reads it with PyYAML's
 * safe_load), a mapping of identity names to mappings of settings (uri,
 * username, token, ...), in any YAML style - quoted scalars with escapes,
 * block scalars, flow style, comments, anchors and merge keys.  Messages
 * name lines, never values.  *holds_token: any identity has a token.
 */
static int parse_lavacli(const char *path, const char *text, const char *identity,
			 struct lava_config *cfg, int *holds_token)
{
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	yaml_node_t *root, *found = NULL;
	yaml_node_pair_t *pair;
	int ret = 0;

	*holds_token = 0;
	if (!yaml_parser_initialize(&parser))
		return error("%s: cannot start the YAML parser", path);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	if (!yaml_parser_load(&parser, &doc)) {
		/* libyaml's problem texts are fixed strings: no file content in them. */
		ret = error("%s:%zu:%zu: not valid YAML: %s", path, parser.problem_mark.line + 1,
			    parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "parse error");
		yaml_parser_wipe(&parser);
		yaml_parser_delete(&parser);
		return ret;
	}
	*holds_token = yaml_holds_token(&doc);
	if (!yaml_parser_load(&parser, &extra)) {
		ret = error("%s:%zu:%zu: not valid YAML: %s", path, parser.problem_mark.line + 1,
			    parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "parse error");
	} else {
		if (yaml_document_get_root_node(&extra))
			ret = error("%s:%zu: a second YAML document: lavacli reads one", path,
				    extra.start_mark.line + 1);
		yaml_wipe(&extra);
		yaml_document_delete(&extra);
	}
	root = yaml_document_get_root_node(&doc);
	if (ret == 0 && root && root->type != YAML_MAPPING_NODE)
		ret = error("%s:%zu: expected a mapping of identities", path, root->start_mark.line + 1);
	if (ret == 0 && root) {
		/* PyYAML keeps the last of duplicate keys; so do we. */
		for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++)
			if (yaml_key_is(yaml_document_get_node(&doc, pair->key), identity))
				found = yaml_document_get_node(&doc, pair->value);
		if (!found)
			ret = error("%s: no identity '%s'", path, identity);
		else if (found->type != YAML_MAPPING_NODE)
			ret = error("%s:%zu: identity '%s' is not a mapping", path,
				    found->start_mark.line + 1, identity);
		else
			ret = apply_identity(path, &doc, found, cfg, 0);
	} else if (ret == 0) {
		ret = error("%s: no identity '%s' (the file is empty)", path, identity);
	}
	yaml_wipe(&doc);
	yaml_document_delete(&doc);
	yaml_parser_wipe(&parser);
	yaml_parser_delete(&parser);
	return ret;
}

int lava_config_parse_lavacli(const char *path, const char *text,
			      const char *identity, struct lava_config *cfg)
{
	int holds_token;

	return parse_lavacli(path, text, identity, cfg, &holds_token);
}

static char *config_dir(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && *x)
		return xstrdup(x);
	return xstrfmt("%s/.config", home && *home ? home : "/root");
}

/* Reads a config file that must be private if it holds a token. */
static char *read_config_file(const char *path)
{
	size_t len;
	char *text = slurp_file(path, &len);

	if (!text) {
		error_errno("cannot read '%s'", path);
		return NULL;
	}
	return text;
}

static int load_file(const char *path, int lavacli, const char *identity,
		     struct lava_config *cfg)
{
	char *text = read_config_file(path);
	int ret, holds_token = 0;

	if (!text)
		return -1;
	if (lavacli) {
		char *from = xstrfmt("%s (identity '%s')", path, identity);

		ret = parse_lavacli(from, text, identity, cfg, &holds_token);
		free(from);
		/* Every identity's token is exposed by a readable file, not just the one used. */
		if (holds_token && config_check_private(path) < 0)
			ret = -1;
	} else {
		ret = lava_config_parse_conf(path, text, cfg);
	}
	explicit_bzero(text, strlen(text));
	free(text);
	/* The check comes after parsing so a token-less file may be public. */
	if (ret == 0 && cfg->token && config_check_private(path) < 0)
		ret = -1;
	return ret;
}

static char *taken_env_token;

void lava_config_take_env(void)
{
	char *t = getenv("SWAPLAB_LAVA_TOKEN");

	if (!t)
		return;
	wipe_free(taken_env_token);
	taken_env_token = xstrdup(t);
	/* getenv() points into the block the kernel shows as environ. */
	explicit_bzero(t, strlen(t));
	unsetenv("SWAPLAB_LAVA_TOKEN");
}

int lava_config_load(struct lava_config *cfg, const char *identity)
{
	const char *env_url = getenv("SWAPLAB_LAVA_URL");
	const char *env_token = getenv("SWAPLAB_LAVA_TOKEN") ? getenv("SWAPLAB_LAVA_TOKEN")
							     : taken_env_token;
	const char *env_file = getenv("SWAPLAB_LAVA_CONFIG");
	char *dir = config_dir(), *path = NULL;
	int ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (!identity || !*identity)
		identity = getenv("SWAPLAB_LAVA_IDENTITY");
	if (env_file && *env_file) {
		ret = load_file(env_file, 0, NULL, cfg);
	} else {
		path = xstrfmt("%s/swaplab/lava.conf", dir);
		if (access(path, F_OK) == 0) {
			ret = load_file(path, 0, NULL, cfg);
		} else {
			free(path);
			path = xstrfmt("%s/lavacli.yaml", dir);
			/* Only consulted when asked for or when nothing else is set. */
			if (access(path, F_OK) == 0 &&
			    ((identity && *identity) || !env_url || !env_token))
				ret = load_file(path, 1, identity && *identity ? identity : "default", cfg);
			else if (identity && *identity)
				ret = error("no '%s' to read identity '%s' from", path, identity);
		}
	}
	if (ret == 0 && env_url && *env_url) {
		const char *why;
		char *u = normalise_url(env_url);

		if (!http_url_valid(u, &why)) {
			free(u);
			ret = error("SWAPLAB_LAVA_URL: %s", why);
		} else {
			free(cfg->url);
			cfg->url = u;
			free(cfg->url_from);
			cfg->url_from = xstrdup("SWAPLAB_LAVA_URL");
		}
	}
	if (ret == 0 && env_token && *env_token) {
		if (strpbrk(env_token, " \t\r\n")) {
			ret = error("SWAPLAB_LAVA_TOKEN contains white space");
		} else {
			wipe_free(cfg->token);
			cfg->token = xstrdup(env_token);
			free(cfg->token_from);
			cfg->token_from = xstrdup("SWAPLAB_LAVA_TOKEN");
		}
	}
	if (ret == 0 && getenv("SWAPLAB_LAVA_TIMEOUT") && *getenv("SWAPLAB_LAVA_TIMEOUT")) {
		char *v = xstrdup(getenv("SWAPLAB_LAVA_TIMEOUT"));

		if (set_field("SWAPLAB_LAVA_TIMEOUT", 0, "timeout", v, cfg) < 0)
			ret = -1;
		free(v);
	}
	if (ret == 0 && !cfg->url)
		ret = error("no LAVA server configured: set SWAPLAB_LAVA_URL (and SWAPLAB_LAVA_TOKEN), "
			    "or write url and token to %s/swaplab/lava.conf (mode 0600), "
			    "or add a lavacli identity to %s/lavacli.yaml", dir, dir);
	if (ret < 0)
		lava_config_release(cfg);
	free(path);
	free(dir);
	return ret;
}
