/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the text files a user edits by hand: node.cfg
 * (core/shell/nodecfg.c, with the `<nodes>` arguments of a command line),
 * networks.cfg (core/config/networks.c), shoal.cfg (core/config/config.c
 * over libconfig, then networks.cfg applied to it) and the cluster layout
 * every node reads (core/cluster/layout.c).  The input is split at lines
 * "%%": node.cfg's text, networks.cfg's, shoal.cfg's, the layout's (the
 * whole input is tried as each when there is no such line, a part missing
 * after one is empty); the words of node.cfg's last line are also given to
 * shoal_nodecfg_select as `<nodes>`.
 *
 * Checked: a refusal is -EINVAL (or -ENOMEM) with a message that names the
 * file; an accepted node.cfg has unique, non-empty node names that
 * shoal_nodecfg_find finds again, at least one node, lb_index below
 * lb_procs, roles in range; a selection holds only nodes of the file, each
 * once; an accepted networks.cfg turns into a set that contains each of
 * its own prefixes' network addresses; shoal.cfg and the layout load or
 * are refused with -EINVAL and a reason (read from a memfd by its /proc
 * path, as a node reads its file; a refusal names that file, or one it
 * @includes), a loaded layout's node names unique.  Every string is read
 * through, so ASan sees any pointer out of its block.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cluster/layout.h"
#include "config/config.h"
#include "config/networks.h"
#include "lib/netset.h"
#include "shell/nodecfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5's scanner drops the string it was gathering when a parse
 * error comes in the middle of one (strbuf_append's block, 64 bytes per
 * refused file): its leak, not ours. */
const char *__lsan_default_suppressions(void)
{
    return "leak:libconfig.so\n";
}

#define FZ_ARGS 16

static volatile size_t fz_sink;

static void fz_touch(const char *s)
{
    if (s != NULL) {
        fz_sink += strlen(s);
    }
}

static void fz_touch_list(char *const *v)
{
    for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
        fz_touch(v[i]);
    }
}

static void fz_refused(int rc, const char *err, const char *name)
{
    if (rc != -EINVAL && rc != -ENOMEM) {
        abort();
    }
    if (rc == -EINVAL && strstr(err, name) != err) {
        abort(); /* every error names the file first */
    }
}

/* The words of the last line of text, as a command line's <nodes>. */
static int fz_words(const char *text, char *buf, size_t len, char **argv)
{
    const char *last = strrchr(text, '\n');
    int argc = 0;

    snprintf(buf, len, "%s", last != NULL ? last + 1 : text);
    for (char *tok = strtok(buf, " \t"); tok != NULL && argc < FZ_ARGS; tok = strtok(NULL, " \t")) {
        argv[argc++] = tok;
    }
    argv[argc] = NULL;
    return argc;
}

static void fz_nodecfg(const char *text)
{
    struct shoal_nodecfg *c = NULL;
    char err[512] = "";
    int rc = shoal_nodecfg_parse(text, "node.cfg", &c, err, sizeof(err));

    if (rc < 0) {
        fz_refused(rc, err, "node.cfg");
        return;
    }
    if (c->n == 0) {
        abort();
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct shoal_nodecfg_node *n = &c->nodes[i];
        if (n->name == NULL || n->name[0] == '\0' || shoal_nodecfg_find(c, n->name) != n ||
            (unsigned)n->role >= SHOAL_ROLE_COUNT || n->lb_index >= n->lb_procs) {
            abort();
        }
        fz_touch(n->section);
        fz_touch(n->host);
        fz_touch(n->interface);
        fz_touch(n->lb_method);
        fz_touch_list(n->lb_interfaces);
        fz_touch_list(n->env);
    }
    (void)shoal_nodecfg_is_cluster(c);

    char words[256];
    char *argv[FZ_ARGS + 1];
    int argc = fz_words(text, words, sizeof(words), argv);
    const struct shoal_nodecfg_node **sel = NULL;
    size_t nsel = 0;
    rc = shoal_nodecfg_select(c, argc, argv, &sel, &nsel, err, sizeof(err));
    if (rc == 0) {
        for (size_t i = 0; i < nsel; i++) {
            if (sel[i] < c->nodes || sel[i] >= c->nodes + c->n) {
                abort();
            }
            for (size_t j = 0; j < i; j++) {
                if (sel[j] == sel[i]) {
                    abort();
                }
            }
        }
        free(sel);
    } else if (rc != -EINVAL && rc != -ENOMEM) {
        abort();
    }
    shoal_nodecfg_free(c);
}

/* text in a memfd, named by its /proc path in path[64]: the fd, or -1. */
static int fz_memfd(const char *text, char *path)
{
    size_t len = strlen(text);
    int fd = memfd_create("fuzz_cfgtext", MFD_CLOEXEC);

    if (fd >= 0 && write(fd, text, len) != (ssize_t)len) {
        close(fd);
        fd = -1;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

/* shoal.cfg from text, and networks.cfg (n, may be NULL) applied to it. */
static void fz_config(const char *text, const struct shoal_networks *n)
{
    struct shoal_config cfg;
    char path[64], err[512] = "";
    int fd = fz_memfd(text, path);
    int rc;

    if (fd < 0) {
        return;
    }
    rc = shoal_config_load(&cfg, path, err, sizeof(err));
    if (rc == 0) {
        if (n != NULL) {
            (void)shoal_networks_apply(n, &cfg);
        }
    } else if ((rc != -EINVAL && rc != -ENOMEM) || err[0] == '\0') {
        abort(); /* a refusal says why (naming the file, or the one it @includes) */
    }
    shoal_config_free(&cfg);
    close(fd);
}

static void fz_layout(const char *text)
{
    struct shoal_layout *l = NULL;
    char path[64], err[512] = "";
    int fd = fz_memfd(text, path);
    int rc;

    if (fd < 0) {
        return;
    }
    rc = shoal_layout_load(path, &l, err, sizeof(err));
    if (rc == 0) {
        for (size_t i = 0; i < l->n_nodes; i++) {
            for (size_t j = 0; j < i; j++) {
                if (strcmp(l->nodes[i].name, l->nodes[j].name) == 0) {
                    abort();
                }
            }
        }
        fz_touch(l->cluster);
        fz_touch(l->allowed_keys);
        shoal_layout_free(l);
    } else if ((rc != -EINVAL && rc != -ENOMEM) || l != NULL || err[0] == '\0') {
        abort();
    }
    close(fd);
}

static void fz_networks(const char *text, const char *cfgtext)
{
    struct shoal_networks *n = NULL;
    struct shoal_netset set = {0};
    char err[512] = "";
    int rc = shoal_networks_parse(text, "networks.cfg", &n, err, sizeof(err));

    if (rc < 0) {
        fz_refused(rc, err, "networks.cfg");
        fz_config(cfgtext, NULL);
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        fz_touch(n->v[i].text);
        fz_touch(n->v[i].comment);
    }
    if (shoal_networks_to_set(n, &set) == 0) {
        for (size_t i = 0; i < n->n; i++) {
            if (!shoal_netset_contains(&set, &n->v[i].prefix.net)) {
                abort();
            }
        }
    }
    shoal_netset_free(&set);
    fz_config(cfgtext, n);
    shoal_networks_free(n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char *sep;
    const char *parts[4];

    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    parts[0] = text;
    sep = strstr(text, "\n%%\n");
    if (sep == NULL) {
        parts[1] = parts[2] = parts[3] = text;
    } else {
        for (size_t i = 1; i < 4; i++) {
            if (sep != NULL) {
                *sep = '\0';
                parts[i] = sep + 4;
                sep = strstr(parts[i], "\n%%\n");
            } else {
                parts[i] = "";
            }
        }
    }
    fz_nodecfg(parts[0]);
    fz_networks(parts[1], parts[2]);
    fz_layout(parts[3]);
    free(text);
    return 0;
}
