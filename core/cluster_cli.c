/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster side of the shoal command line (see cluster_cli.h).
 */
#include "cluster_cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster_node.h"
#include "config.h"
#include "fsutil.h"
#include "keys.h"
#include "layout.h"
#include "manager.h"
#include "node.h"

/* `path` made absolute against the current directory, in buf. */
static const char *cluster_abs(const char *path, char *buf, size_t len)
{
    char cwd[PATH_MAX];
    int n;

    if (path[0] == '/') {
        n = snprintf(buf, len, "%s", path);
    } else if (getcwd(cwd, sizeof(cwd)) != NULL) {
        n = snprintf(buf, len, "%s/%s", cwd, path);
    } else {
        return NULL;
    }
    return n >= 0 && (size_t)n < len ? buf : NULL;
}

int shoal_cluster_gen_layout(const struct shoal_cluster_args *c)
{
    struct shoal_layout_spec_node nodes[SHOAL_CLUSTER_MAX_WORKERS + SHOAL_CLUSTER_MAX_PROXIES + 1];
    size_t n = 1;
    struct shoal_layout_spec spec;
    struct shoal_layout *l = NULL;
    char spool[PATH_MAX], keys[PATH_MAX];
    char err[512] = "";
    int rc;

    if (c->workdir_base == NULL || c->keys_dir == NULL || c->manager == NULL || c->n_workers == 0) {
        fprintf(stderr, "shoal: --gen-layout needs --workdir-base, --keys, --manager and at "
                        "least one --worker\n");
        return 2;
    }
    memset(nodes, 0, sizeof(nodes));
    memset(&spec, 0, sizeof(spec));
    nodes[0].name = c->manager;
    nodes[0].role = SHOAL_ROLE_MANAGER;
    for (size_t i = 0; i < c->n_proxies; i++, n++) {
        nodes[n].name = c->proxies[i];
        nodes[n].role = SHOAL_ROLE_PROXY;
    }
    for (size_t i = 0; i < c->n_workers; i++, n++) {
        nodes[n].name = c->workers[i];
        nodes[n].role = SHOAL_ROLE_WORKER;
    }
    spec.base_port = (uint16_t)c->base_port;
    spec.spool_dir = cluster_abs(c->workdir_base, spool, sizeof(spool));
    spec.keys_dir = cluster_abs(c->keys_dir, keys, sizeof(keys));
    if (spec.spool_dir == NULL || spec.keys_dir == NULL) {
        fprintf(stderr, "shoal: --workdir-base or --keys: path too long\n");
        return 2;
    }
    spec.nodes = nodes;
    spec.n_nodes = n;
    rc = shoal_layout_generate(&spec, &l, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        return 2;
    }
    rc = shoal_layout_write(l, c->gen_out);
    if (rc < 0) {
        fprintf(stderr, "shoal: cannot write the layout %s: %s\n", c->gen_out, strerror(-rc));
        goto out_free;
    }
    rc = shoal_keys_generate_layout(l, SHOAL_KEYS_REUSE, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        goto out_free;
    }
out_free:
    shoal_layout_free(l);
    return rc < 0 ? 1 : 0;
}

/* Run node c->node of the layout c->layout; `o` holds the standalone
 * options (the packet source of a worker, the log format of a manager). */
int shoal_cluster_run_node(const struct shoal_cluster_args *c, struct shoal_node_opts *o)
{
    struct shoal_layout *l = NULL;
    const struct shoal_layout_node *self;
    char err[512] = "";
    int status = 2;
    int rc;

    rc = shoal_layout_load(c->layout, &l, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        return 2;
    }
    self = shoal_layout_find(l, c->node);
    if (self == NULL) {
        fprintf(stderr, "shoal: %s: no node named '%s'\n", c->layout, c->node);
        goto out_free;
    }
    rc = shoal_mkdirs(self->workdir, 0700, NULL, 0);
    if (rc < 0) {
        fprintf(stderr, "shoal: %s: cannot create the workdir %s: %s\n", self->name, self->workdir,
                strerror(-rc));
        goto out_free;
    }
    switch (self->role) {
    case SHOAL_ROLE_MANAGER: {
        struct shoal_manager_opts mo = {
            .config_file = o->config_file,
            .log_dir = o->log_dir,
            .log_fmt = o->json ? SHOAL_LOGFMT_JSON : SHOAL_LOGFMT_TSV,
            .quiet = o->quiet,
        };
        if (o->read_file != NULL || o->iface != NULL) {
            fprintf(stderr, "shoal: %s: the manager sees no packets (no -r or -i)\n", self->name);
            goto out_free;
        }
        status = shoal_manager_run(l, self, &mo);
        break;
    }
    case SHOAL_ROLE_PROXY:
    case SHOAL_ROLE_WORKER:
    case SHOAL_ROLE_STANDALONE: {
        struct shoal_worker_link_opts wo = {
            .ack_timeout = c->ack_timeout,
            .batch_records = c->batch_records,
        };
        if (self->role == SHOAL_ROLE_PROXY) {
            if (o->read_file != NULL || o->iface != NULL) {
                fprintf(stderr, "shoal: %s: a proxy sees no packets (no -r or -i)\n", self->name);
                goto out_free;
            }
            if (o->log_dir == NULL) {
                o->log_dir = self->workdir;
            }
            status = shoal_cluster_node_run(l, self, o, &wo);
            break;
        }
        if (o->read_file == NULL && o->iface == NULL) {
            o->iface = self->interface;
        }
        if (o->read_file == NULL && o->iface == NULL) {
            fprintf(stderr, "shoal: %s: no interface in %s: give -r FILE or -i IFACE\n", self->name,
                    c->layout);
            goto out_free;
        }
        if (o->filter == NULL) {
            o->filter = self->filter;
        }
        if (o->log_dir == NULL) {
            o->log_dir = self->workdir;
        }
        status = self->role == SHOAL_ROLE_WORKER ? shoal_cluster_node_run(l, self, o, &wo)
                                                 : shoal_node_run(o);
        break;
    }
    default:
        fprintf(stderr, "shoal: %s: role %s is not implemented yet\n", self->name,
                shoal_layout_role_name(self->role));
        break;
    }
out_free:
    shoal_layout_free(l);
    return status;
}
