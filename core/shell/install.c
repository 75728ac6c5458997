/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `install` underneath: what the user wrote in etc/ becomes what the nodes
 * read, in spool/installed/:
 *   node.cfg, networks.cfg, shoal.cfg   copies, read by start, status and
 *                                       the nodes (--networks, -c)
 *   layout.cfg                          generated from node.cfg
 *   keys/                               a CURVE key pair per node, the
 *                                       shell's, allowed_keys: made once,
 *                                       kept across installs
 * then the same folder is copied to every other host, where the nodes'
 * working directories are made.  A staged install (spool/staged) serves
 * `check`: the same files from the current etc/ with the installed keys
 * (made by the first check when no install made them yet), copied with
 * those keys to every other host, where each node checks them.  Last, a
 * cluster on this host of a command's own (`process`), beside the
 * installation: the same layout and keys made from a count of nodes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cluster/keys.h"
#include "cluster/layout.h"
#include "config/config.h"
#include "config/networks.h"
#include "lib/fsutil.h"
#include "shell/hosts.h"
#include "shell/nodecfg.h"
#include "shell/shell.h"

#define INSTALL_MAX_FILE (16u << 20)

/* Copy file `from` to `to` through a temporary file and rename.  A
 * missing optional source writes an empty file. */
static int install_copy(const char *from, const char *to, bool optional, char *err, size_t errlen)
{
    char tmp[PATH_MAX + 8];
    char *text = NULL;
    FILE *f;
    int rc = shoal_file_read(from, INSTALL_MAX_FILE, &text);

    if (rc == -ENOENT && optional) {
        text = strdup("");
        rc = text != NULL ? 0 : -ENOMEM;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot read: %s", from, strerror(-rc));
        return rc;
    }
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", to) >= (int)sizeof(tmp)) {
        free(text);
        return -ENAMETOOLONG;
    }
    f = fopen(tmp, "w");
    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0 || rename(tmp, to) != 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: cannot write: %s", to, strerror(errno));
        unlink(tmp);
    }
    free(text);
    return rc;
}

/* The layout node.cfg describes into `out`: workdirs under spool, key
 * files under keys_dir. */
static int install_layout(const struct shoal_shell *sh, const struct shoal_nodecfg *cfg,
                          const char *keys_dir, const char *out, char *err, size_t errlen)
{
    struct shoal_layout_spec_node *nodes = calloc(cfg->n, sizeof(*nodes));
    struct shoal_layout_spec spec = {
        .base_port = sh->base_port,
        .spool_dir = sh->paths.spool,
        .keys_dir = keys_dir,
        .use_ipc = true,
        .nodes = nodes,
        .n_nodes = cfg->n,
    };
    struct shoal_layout *l = NULL;
    int rc;

    if (nodes == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < cfg->n; i++) {
        nodes[i] = (struct shoal_layout_spec_node){
            .name = cfg->nodes[i].name,
            .role = cfg->nodes[i].role,
            .host = cfg->nodes[i].host,
            .interface = cfg->nodes[i].interface,
            .lb_method = cfg->nodes[i].lb_method,
        };
    }
    rc = shoal_layout_generate(&spec, &l, err, errlen);
    if (rc == 0 && (rc = shoal_layout_write(l, out)) < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", out, strerror(-rc));
    }
    shoal_layout_free(l);
    free(nodes);
    return rc;
}

/* The folder of an install: spool/installed, or spool/staged. */
static int install_dir(const struct shoal_shell *sh, bool staged, char *dir, char *err,
                       size_t errlen)
{
    int rc = shoal_path_join(dir, PATH_MAX, sh->paths.spool, staged ? "staged" : "installed");

    rc = rc < 0 ? rc : shoal_mkdirs(dir, 0755, NULL, 0);
    if (rc < 0) {
        snprintf(err, errlen, "%s/%s: cannot create: %s", sh->paths.spool,
                 staged ? "staged" : "installed", strerror(-rc));
    }
    return rc;
}

/* Copy etc/<name> into dir (an empty file when optional and missing). */
static int install_etc(const struct shoal_shell *sh, const char *dir, const char *name,
                       bool optional, char *err, size_t errlen)
{
    char from[PATH_MAX], to[PATH_MAX];

    if (shoal_path_join(from, sizeof(from), sh->paths.etc, name) < 0 ||
        shoal_path_join(to, sizeof(to), dir, name) < 0) {
        snprintf(err, errlen, "%s: path too long", name);
        return -ENAMETOOLONG;
    }
    return install_copy(from, to, optional, err, errlen);
}

/* node.cfg, shoal.cfg and the layout into dir. */
static int install_step_layout(const struct shoal_shell *sh, const char *dir, char *err,
                               size_t errlen)
{
    char path[PATH_MAX], keys[PATH_MAX];
    struct shoal_nodecfg *cfg = NULL;
    int rc;

    if (shoal_path_join(path, sizeof(path), sh->paths.etc, "node.cfg") < 0 ||
        shoal_path_join(keys, sizeof(keys), sh->paths.installed, "keys") < 0) {
        snprintf(err, errlen, "%s: path too long", sh->paths.spool);
        return -ENAMETOOLONG;
    }
    rc = shoal_nodecfg_load(path, &cfg, err, errlen);
    rc = rc < 0 ? rc : install_etc(sh, dir, "node.cfg", false, err, errlen);
    rc = rc < 0 ? rc : install_etc(sh, dir, "shoal.cfg", true, err, errlen);
    if (rc == 0 && (rc = shoal_path_join(path, sizeof(path), dir, "layout.cfg")) == 0) {
        rc = install_layout(sh, cfg, keys, path, err, errlen);
    }
    shoal_nodecfg_free(cfg);
    return rc;
}

/* networks.cfg, checked, into dir (none: an empty list). */
static int install_step_networks(const struct shoal_shell *sh, const char *dir, char *err,
                                 size_t errlen)
{
    char path[PATH_MAX];
    struct shoal_networks *nets = NULL;
    int rc;

    if (shoal_path_join(path, sizeof(path), sh->paths.etc, "networks.cfg") < 0) {
        return -ENAMETOOLONG;
    }
    rc = access(path, F_OK) == 0 ? shoal_networks_load(path, &nets, err, errlen) : 0;
    shoal_networks_free(nets);
    return rc < 0 ? rc : install_etc(sh, dir, "networks.cfg", true, err, errlen);
}

/* The key pairs the layout in dir names (made once, kept). */
static int install_step_keys(const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX];
    struct shoal_layout *l = NULL;
    int rc;

    if (shoal_path_join(path, sizeof(path), dir, "layout.cfg") < 0) {
        return -ENAMETOOLONG;
    }
    rc = shoal_layout_load(path, &l, err, errlen);
    rc = rc < 0 ? rc : shoal_keys_generate_layout(l, SHOAL_KEYS_REUSE, err, errlen);
    shoal_layout_free(l);
    return rc;
}

static int install_hosts(struct shoal_shell *sh, const char *const *dirs, bool workdirs, char *err,
                         size_t errlen);

int shoal_shell_install(struct shoal_shell *sh, enum shoal_install_step step, char *err,
                        size_t errlen)
{
    char dir[PATH_MAX];
    bool staged = step == SHOAL_INSTALL_STAGE;
    int rc;

    if (step == SHOAL_INSTALL_HOSTS) {
        const char *dirs[] = {sh->paths.installed, NULL};
        return install_hosts(sh, dirs, true, err, errlen);
    }
    rc = install_dir(sh, staged, dir, err, errlen);
    if (rc == 0 && (staged || step == SHOAL_INSTALL_LAYOUT)) {
        rc = install_step_layout(sh, dir, err, errlen);
    }
    if (rc == 0 && (staged || step == SHOAL_INSTALL_NETWORKS)) {
        rc = install_step_networks(sh, dir, err, errlen);
    }
    if (rc == 0 && (staged || step == SHOAL_INSTALL_KEYS)) {
        rc = install_step_keys(dir, err, errlen);
    }
    if (rc == 0 && step == SHOAL_INSTALL_LAYOUT) {
        rc = shoal_shell_reload(sh, true, err, errlen);
    }
    if (rc == 0 && staged) {
        /* check runs each node's --check on the node's host: the staged
         * files, and the keys they name (in spool/installed), go there. */
        const char *dirs[] = {dir, sh->paths.installed, NULL};
        rc = install_hosts(sh, dirs, false, err, errlen);
    }
    return rc;
}

/* The folders `dirs` (NULL-terminated) into the spool of every other
 * host; with `workdirs`, every node's working folder made on its host. */
static int install_hosts(struct shoal_shell *sh, const char *const *dirs, bool workdirs, char *err,
                         size_t errlen)
{
    for (size_t i = 0; i < sh->n_nodes; i++) {
        const struct shoal_node_info *n = &sh->nodes[i];
        const char *mk[] = {"mkdir", "-p", "-m", "0700", n->workdir, NULL};
        struct shoal_run_result res = {0};
        bool seen = false;
        int rc;

        for (size_t j = 0; j < i && !seen; j++) {
            seen = strcmp(sh->nodes[j].host, n->host) == 0;
        }
        if (!seen && !shoal_hosts_is_local(n->host)) {
            rc = shoal_hosts_copy(sh->hosts, n->host, dirs, sh->paths.spool, err, errlen);
            if (rc < 0) {
                return rc;
            }
        }
        if (!workdirs) {
            continue;
        }
        rc = shoal_hosts_run(sh->hosts, n->host, mk, NULL, sh->timeouts.run, &res);
        if (rc == 0 && res.status != 0) {
            snprintf(err, errlen, "%s: cannot make %s: %.200s", n->host, n->workdir,
                     res.err != NULL ? res.err : "");
            rc = -EIO;
        }
        free(res.out);
        free(res.err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* ---- a local cluster beside the installation ---- */

/* The longest node name local_cluster makes ("worker-256"), and the
 * longest socket name a node binds in its workdir. */
#define INSTALL_LOCAL_NAME_MAX 16
#define INSTALL_LONGEST_SOCK "/state_pub.sock"

int shoal_shell_local_cluster(const char *dir, unsigned proxies, unsigned workers,
                              uint16_t base_port, char *err, size_t errlen)
{
    size_t n = 1 + (size_t)proxies + workers;
    struct shoal_layout_spec_node *nodes = calloc(n, sizeof(*nodes));
    char(*names)[INSTALL_LOCAL_NAME_MAX] = calloc(n, sizeof(*names));
    char spool[PATH_MAX], keys[PATH_MAX], path[PATH_MAX];
    struct shoal_layout_spec spec = {
        .base_port = base_port,
        .spool_dir = spool,
        .keys_dir = keys,
        .nodes = nodes,
        .n_nodes = n,
    };
    struct shoal_layout *l = NULL;
    int rc = -ENOMEM;

    if (nodes == NULL || names == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out_free;
    }
    if (shoal_path_join(spool, sizeof(spool), dir, "spool") < 0 ||
        shoal_path_join(keys, sizeof(keys), dir, "keys") < 0 ||
        shoal_path_join(path, sizeof(path), dir, "layout.cfg") < 0) {
        snprintf(err, errlen, "%s: path too long", dir);
        rc = -ENAMETOOLONG;
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        enum shoal_role role = i == 0                 ? SHOAL_ROLE_MANAGER
                               : i <= (size_t)proxies ? SHOAL_ROLE_PROXY
                                                      : SHOAL_ROLE_WORKER;
        if (i == 0) {
            snprintf(names[i], sizeof(names[i]), "manager");
        } else {
            snprintf(names[i], sizeof(names[i]), "%s-%zu",
                     role == SHOAL_ROLE_PROXY ? "proxy" : "worker",
                     role == SHOAL_ROLE_PROXY ? i : i - proxies);
        }
        nodes[i] = (struct shoal_layout_spec_node){.name = names[i], .role = role};
    }
    /* ipc sockets live in the workdirs: only when their paths fit. */
    spec.use_ipc = strlen(spool) + 1 + INSTALL_LOCAL_NAME_MAX + strlen(INSTALL_LONGEST_SOCK) <
                   sizeof(((struct sockaddr_un *)0)->sun_path);
    rc = shoal_layout_generate(&spec, &l, err, errlen);
    if (rc == 0 && (rc = shoal_layout_write(l, path)) < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(-rc));
    }
    if (rc == 0) {
        rc = shoal_keys_generate_layout(l, SHOAL_KEYS_OVERWRITE, err, errlen);
    }
out_free:
    shoal_layout_free(l);
    free(names);
    free(nodes);
    return rc;
}
