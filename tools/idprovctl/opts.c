/*
 * opts.c - long options anywhere on the line, so connection settings can
 * come before or after the command words.
 */
#include <string.h>

#include "opts.h"

const ctl_opt ctl_conn_opts[] = {
	{ "server", 1 },
	{ "cert", 1 },
	{ "key", 1 },
	{ "ca", 1 },
	{ "config", 1 },
	{ NULL, 0 }
};

static int spec_find(const ctl_args *a, const char *name, size_t name_len)
{
	for (int i = 0; i < a->n_spec; i++) {
		if (strlen(a->spec[i]->name) == name_len &&
		    strncmp(a->spec[i]->name, name, name_len) == 0)
			return i;
	}
	return -1;
}

static idprov_status spec_add(ctl_args *a, const ctl_opt *list,
    idprov_error *err)
{
	for (; list && list->name; list++) {
		if (a->n_spec >= CTL_MAX_OPTS)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "too many options in the command table");
		a->spec[a->n_spec++] = list;
	}
	return IDPROV_OK;
}

idprov_status ctl_args_parse(int argc, char **argv, const char *cmd,
    const ctl_opt *own, int max_pos, ctl_args *out, idprov_error *err)
{
	idprov_status st;
	int only_pos = 0;

	memset(out, 0, sizeof(*out));
	if ((st = spec_add(out, ctl_conn_opts, err)) != IDPROV_OK ||
	    (st = spec_add(out, own, err)) != IDPROV_OK)
		return st;
	if (max_pos > CTL_MAX_POS)
		max_pos = CTL_MAX_POS;

	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!only_pos && strcmp(arg, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (!only_pos && (strcmp(arg, "-h") == 0 ||
		    strcmp(arg, "--help") == 0)) {
			out->help = 1;
			continue;
		}
		if (!only_pos && strncmp(arg, "--", 2) == 0) {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
			int k = spec_find(out, name, name_len);

			if (k < 0)
				return idprov_error_set(err, IDPROV_ERR_INVALID,
				    "'%s' does not take the option --%.*s",
				    cmd, (int)name_len, name);
			if (out->value[k])
				return idprov_error_set(err, IDPROV_ERR_INVALID,
				    "the option --%s is given twice",
				    out->spec[k]->name);
			if (!out->spec[k]->takes_value) {
				if (eq)
					return idprov_error_set(err,
					    IDPROV_ERR_INVALID,
					    "the option --%s takes no value",
					    out->spec[k]->name);
				out->value[k] = "";
			} else if (eq) {
				out->value[k] = eq + 1;
			} else {
				if (i + 1 >= argc)
					return idprov_error_set(err,
					    IDPROV_ERR_INVALID,
					    "the option --%s needs a value",
					    out->spec[k]->name);
				out->value[k] = argv[++i];
			}
			continue;
		}
		if (!only_pos && arg[0] == '-' && arg[1] != '\0')
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "'%s' does not take the option %s (options are "
			    "spelled --name)", cmd, arg);
		if (out->n_pos >= max_pos)
			return idprov_error_set(err, IDPROV_ERR_INVALID,
			    "'%s' takes at most %d argument%s; '%s' is one too "
			    "many", cmd, max_pos, max_pos == 1 ? "" : "s", arg);
		out->pos[out->n_pos++] = arg;
	}
	return IDPROV_OK;
}

const char *ctl_arg(const ctl_args *a, const char *name)
{
	int k = spec_find(a, name, strlen(name));

	return k < 0 ? NULL : a->value[k];
}

int ctl_flag(const ctl_args *a, const char *name)
{
	return ctl_arg(a, name) != NULL;
}

static const ctl_opt *conn_opt(const char *arg)
{
	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);

	for (const ctl_opt *o = ctl_conn_opts; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

void ctl_words_find(int argc, char **argv, int from, int idx[], int max,
    int *n)
{
	*n = 0;
	for (int i = from; i < argc && *n < max; i++) {
		const char *arg = argv[i];

		if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
			const ctl_opt *o = conn_opt(arg);

			if (!o)
				return;
			if (!strchr(arg, '='))
				i++;	/* skip its value */
			continue;
		}
		if (arg[0] == '-')
			return;
		idx[(*n)++] = i;
	}
}
